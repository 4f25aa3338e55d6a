package escalation

import (
	"testing"

	"mutual/i18n"
)

// A reason is stored as a code and its values and worded for whoever reads
// it; reasons stored in English before codes existed read the same way.
func TestNotesAreWordedInTheReadersLanguage(t *testing.T) {
	es, pl := i18n.Base().For("es"), i18n.Base().For("pl")
	stored := coded(NoteNoPeerReply, "within", "15m0s").withDistress("urgente").String()
	if stored != "no_peer_reply?distress=urgente&within=15m0s" {
		t.Fatalf("stored as %q", stored)
	}
	for _, c := range []struct {
		stored string
		loc    *i18n.Localizer
		want   string
	}{
		{stored, es, "Sin respuesta de miembros en 15 min 00 s; palabra de angustia «urgente»"},
		{stored, pl, "Brak odpowiedzi członków w ciągu 15 min 00 s; słowo alarmowe „urgente”"},
		{`no peer reply within 2h0m0s (board SLA); distress word "help me"`, es, "Sin respuesta de miembros en 2 h 00 min (SLA del foro); palabra de angustia «help me»"},
		{"asker still needs help; no accepted answer within 24h0m0s", es, "Quien preguntó sigue necesitando ayuda; ninguna respuesta aceptada en 24 h 00 min"},
		{`fast lane: "fraud"`, pl, "Szybka ścieżka: „fraud”"},
		{"escalated by trusted member ana: Porting is stuck", es, "Escalado por el miembro de confianza ana: Porting is stuck"},
		{"escalated by the asker: No line since Monday", pl, "Eskalowane przez pytającego: No line since Monday"},
		{"routed?language=es", es, "Asignado al agente de turno con menos carga que lee Español"},
		{"resolved?resolution=agent", es, "respondido por un agente"},
		{"moderated?act=thread_locked&text=Duplicate", es, "Un moderador cerró el hilo: Duplicate"},
		{"need billing access", pl, "need billing access"}, // an agent's words, as typed
	} {
		if got := ParseNote(c.stored).Text(c.loc); got != c.want {
			t.Errorf("%q in %s = %q, want %q", c.stored, c.loc.Lang(), got, c.want)
		}
	}
	if n := ParseNote("escalated by trusted member ana: Porting is stuck").unname("ana", "a former member"); n.Text(es) != "Escalado por un antiguo miembro: Porting is stuck" {
		t.Errorf("erased: %q", n.Text(es))
	}
}
