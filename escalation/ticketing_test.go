package escalation_test

import (
	"testing"

	"mutual/escalation"
)

// The worked example in docs/ticketing.md: an integrator checks their code
// against it, so it must stay true.
func TestCallbackSignatureMatchesTheDocumentedExample(t *testing.T) {
	body := []byte(`{"case_id":"4711","escalation_id":42,"status":"solved","agent_name":"Dana Ortiz","resolution":"Restart the phone."}`)
	got := escalation.SignCallback("mts_example-secret-0123456789", 1700000000, body)
	if want := "sha256=297a1bf66f62a1424485a08255640c16a9985f7b80718468e7fe399d87c2b0f4"; got != want {
		t.Fatalf("signature %s, want %s", got, want)
	}
}
