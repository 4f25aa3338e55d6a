package forum_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"mutual/account"
	"mutual/fault"
	"mutual/forum"
	"mutual/forum/lang"
	"mutual/internal/testkit"
	"mutual/sqldb"
)

// TestAskRecordsLanguage: a question keeps the language its asker chose;
// without a choice its language is detected; a code nobody knows is the
// asker's error, on the field.
func TestAskRecordsLanguage(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		ana := f.actor(t, f.brand.ID, "ana")
		chosen := testkit.Ask(t, f.svc, ana, forum.NewThread{BoardID: f.board.ID, Language: "ca",
			Title: "Router problem", Body: "It drops every few minutes."})
		detected := testkit.Ask(t, f.svc, ana, forum.NewThread{BoardID: f.board.ID,
			Title: "¿Por qué me cobran dos veces?", Body: "La factura de este mes tiene el mismo cargo repetido."})
		if chosen.Language != "ca" || detected.Language != "es" {
			t.Errorf("languages = %q and %q, want ca (chosen) and es (detected)", chosen.Language, detected.Language)
		}
		if got, _ := f.svc.Thread(ctx, f.brand.ID, detected.ID); got.Language != "es" || got.LanguageName() != "Español" {
			t.Errorf("read back %q (%q), want es (Español)", got.Language, got.LanguageName())
		}
		_, err := f.svc.Ask(ctx, ana, forum.NewThread{BoardID: f.board.ID, Language: "klingon",
			Title: "A fine question", Body: "With enough details."})
		if testkit.Fields(err)["language"] == "" {
			t.Errorf("unknown language: err = %v, want a message on the language field", err)
		}
	})
}

// TestBoardFiltersByLanguage: a board filtered by language lists only the
// threads asked in it, pinned ones too, and pages through them; the brand's
// languages are those its threads were asked in.
func TestBoardFiltersByLanguage(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		ana := f.actor(t, f.brand.ID, "ana")
		var es []int64
		for i, title := range []string{"English question one", "Pregunta en español uno", "English question two",
			"Pregunta en español dos", "Pregunta en español tres"} {
			code := "en"
			if i%2 == 1 || i == 4 {
				code = "es"
			}
			th := testkit.Ask(t, f.svc, ana, forum.NewThread{BoardID: f.board.ID, Title: title, Body: "Details, details.", Language: code})
			if code == "es" {
				es = append([]int64{th.ID}, es...)
			}
			f.clock.Add(1000)
		}
		pin := f.ask(t, ana, "Read this first please")
		if _, err := f.db.Exec(ctx, `UPDATE threads SET pinned = 1 WHERE id = ?`, pin.ID); err != nil {
			t.Fatal(err)
		}
		var got []int64
		after := forum.Cursor{}
		for {
			l, err := f.svc.BoardPage(ctx, f.brand.ID, f.board.ID, forum.FilterAll, "es", after, forum.Cursor{}, 2)
			if err != nil {
				t.Fatal(err)
			}
			for _, th := range l.Threads {
				got = append(got, th.ID)
			}
			if l.Older.ID == 0 {
				break
			}
			after = l.Older
		}
		if len(got) != 3 || got[0] != es[0] || got[1] != es[1] || got[2] != es[2] {
			t.Errorf("es threads = %v, want %v (newest first, no English, no English pinned one)", got, es)
		}
		langs, err := f.svc.Languages(ctx, f.brand.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(langs) != 2 || langs[0].Code != "en" || langs[1].Code != "es" {
			t.Errorf("brand languages = %v, want en and es", langs)
		}
	})
}

// TestLabelThreads: threads written without a language (before threads were
// labelled, or by a bulk writer) get the detected one; a chosen one stays.
func TestLabelThreads(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		ana := f.actor(t, f.brand.ID, "ana")
		pl := testkit.Ask(t, f.svc, ana, forum.NewThread{BoardID: f.board.ID, Title: "Dlaczego internet nie działa?",
			Body: "Od wczoraj nie mogę się połączyć z siecią, router miga na czerwono."})
		de := testkit.Ask(t, f.svc, ana, forum.NewThread{BoardID: f.board.ID, Title: "Warum funktioniert das nicht?",
			Body: "Seit gestern kann ich mich nicht mehr anmelden.", Language: "de"})
		if _, err := f.db.Exec(ctx, `UPDATE threads SET language = '' WHERE id = ?`, pl.ID); err != nil {
			t.Fatal(err)
		}
		n, err := f.svc.LabelThreads(ctx, 100)
		if err != nil || n != 1 {
			t.Fatalf("LabelThreads = %d, %v; want 1 labelled", n, err)
		}
		if n, _ := f.svc.LabelThreads(ctx, 100); n != 0 {
			t.Errorf("second run labelled %d, want 0", n)
		}
		for id, want := range map[int64]string{pl.ID: "pl", de.ID: "de"} {
			if got, _ := f.svc.Thread(ctx, f.brand.ID, id); got.Language != want {
				t.Errorf("thread %d language = %q, want %q", id, got.Language, want)
			}
		}
	})
}

func TestParseLanguage(t *testing.T) {
	for in, want := range map[string]string{"": "", "all": "", "ES": "es", " pl ": "pl"} {
		if got, err := forum.ParseLanguage(context.Background(), in); err != nil || got != want {
			t.Errorf("ParseLanguage(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := forum.ParseLanguage(context.Background(), "xx"); testkit.Fields(err)["lang"] == "" {
		t.Errorf("ParseLanguage(xx) = %v, want a field error", err)
	}
	if lang.Name(lang.Undetermined) != "" {
		t.Error("und has a name")
	}
}

// TestRelabel: whoever may edit a question may change its language; a
// moderator's change to someone else's thread is audited; others are
// refused, and an unknown code is the field's error.
func TestRelabel(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		var audited []string
		f.svc.Audit = func(_ context.Context, _ *sqldb.Tx, a account.Actor, act, target string, id int64, before, after any) error {
			audited = append(audited, fmt.Sprintf("%s %s %s %d %v→%v", a.Username, act, target, id, before, after))
			return nil
		}
		ana := f.actor(t, f.brand.ID, "ana")
		bob := f.actor(t, f.brand.ID, "bob")
		mod := f.actor(t, f.brand.ID, "mod", "moderator")
		th := testkit.Ask(t, f.svc, ana, forum.NewThread{BoardID: f.board.ID, Title: "Bon dia a tothom", Body: "No puc entrar al compte.", Language: "es"})

		if got, err := f.svc.Relabel(ctx, ana, th.ID, "CA"); err != nil || got.Language != "ca" {
			t.Fatalf("asker relabels: %q, %v; want ca", got.Language, err)
		}
		if _, err := f.svc.Relabel(ctx, bob, th.ID, "en"); !errors.Is(err, fault.ErrForbidden) {
			t.Errorf("another member relabels: %v, want forbidden", err)
		}
		if _, err := f.svc.Relabel(ctx, ana, th.ID, "xx"); testkit.Fields(err)["language"] == "" {
			t.Errorf("unknown language: %v, want a field error", err)
		}
		if len(audited) != 0 {
			t.Errorf("the asker's own change was audited: %v", audited)
		}
		if got, err := f.svc.Relabel(ctx, mod, th.ID, "es"); err != nil || got.Language != "es" {
			t.Fatalf("moderator relabels: %q, %v", got.Language, err)
		}
		want := fmt.Sprintf("mod %s thread %d map[language:ca]→map[language:es]", forum.ActRelabelled, th.ID)
		if len(audited) != 1 || audited[0] != want {
			t.Errorf("audit = %v, want [%s]", audited, want)
		}
	})
}
