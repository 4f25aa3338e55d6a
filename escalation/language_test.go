package escalation_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"mutual/account"
	"mutual/escalation"
	"mutual/forum"
	"mutual/i18n"
	"mutual/internal/testkit"
)

func (f *fixture) askIn(language, title, body string) forum.Thread {
	f.t.Helper()
	return testkit.Ask(f.t, f.forum, f.asker, forum.NewThread{BoardID: f.board.ID, Title: title, Body: body, Language: language})
}

// TestRoutingFollowsTheThreadsLanguage: an escalated Spanish thread goes
// to the agent who reads Spanish even when an English-only agent is less
// busy, by the detector, by hand, and from the queue when the Spanish
// reader comes on shift; an English thread goes to the English reader.
func TestRoutingFollowsTheThreadsLanguage(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		eva := f.agentWith("eva", escalation.NewAgent{Languages: []string{"en"}, OnShift: true})
		sol := f.agentWith("sol", escalation.NewAgent{Languages: []string{"es-ES", "ca"}, OnShift: true}) // a regional tag reads the language's threads
		first := f.askIn("es", "No puedo activar la eSIM", "Lo he intentado tres veces y sigue fallando.")
		second := f.askIn("", "¿Por qué me cobran dos veces la factura?", "Este mes aparece el mismo cargo repetido en mi cuenta.")
		english := f.askIn("", "Why was I charged twice this month?", "The same charge appears twice on my bill.")
		f.clock.Add(16 * time.Minute)
		f.detect()
		for th, want := range map[int64]account.Actor{first.ID: sol, second.ID: sol, english.ID: eva} {
			x, ok := f.escalationOf(th)
			if !ok || x.AssignedTo != want.UserID {
				t.Errorf("thread %d: assigned to %d, want %s (%d)", th, x.AssignedTo, want.Username, want.UserID)
			}
		}
		x, _ := f.escalationOf(second.ID)
		evs, err := f.esc.History(ctx, f.brand.ID, x.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(evs, func(e escalation.Event) bool {
			return strings.HasSuffix(e.Note.Text(i18n.Base().For("en")), "who reads Español")
		}) {
			t.Errorf("assignment events = %+v, want a note naming the language that decided it", evs)
		}

		// By hand, while sol is the busier of the two.
		manual := f.askIn("es", "La portabilidad lleva una semana parada", "Nadie me dice nada y sigo sin línea.")
		x, err = f.esc.Escalate(ctx, f.asker, manual.ID, "Necesito hablar con alguien de la compañía")
		if err != nil {
			t.Fatal(err)
		}
		if x, _ = f.escalationOf(manual.ID); x.AssignedTo != sol.UserID {
			t.Errorf("manual Spanish escalation assigned to %d, want sol", x.AssignedTo)
		}

		// With the Spanish reader off shift, a Spanish thread waits for her.
		if err := f.esc.SetShift(ctx, f.brand.ID, sol.UserID, false); err != nil {
			t.Fatal(err)
		}
		queued := f.askIn("es", "El router se reinicia solo", "Cada noche se reinicia a la misma hora.")
		if _, err := f.esc.Escalate(ctx, f.asker, queued.ID, "Ya probé todo lo que dice la ayuda"); err != nil {
			t.Fatal(err)
		}
		if x, _ = f.escalationOf(queued.ID); x.AssignedTo != 0 {
			t.Fatalf("Spanish thread went to %d with no Spanish reader on shift, want it queued", x.AssignedTo)
		}
		if err := f.esc.SetShift(ctx, f.brand.ID, sol.UserID, true); err != nil {
			t.Fatal(err)
		}
		if x, _ = f.escalationOf(queued.ID); x.AssignedTo != sol.UserID || x.JSON(f.clock.Now(), i18n.Base().For("en")).Language != "es" {
			t.Errorf("queued Spanish thread: assigned to %d (language %q), want sol when she came on shift", x.AssignedTo, x.Language)
		}
	})
}
