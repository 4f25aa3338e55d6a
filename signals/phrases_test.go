package signals

import "testing"

func TestChurnPhrases(t *testing.T) {
	cases := map[string]string{
		"Third outage this month. Cancelling my contract.":     "cancelling my contract",
		"Honestly I am leaving, switching to another provider": "i am leaving",
		"I've filed a formal complaint":                        "complaint",
		"Next stop is the Ombudsman.":                          "ombudsman",
		"Quiero darme de baja ya":                              "darme de baja",
		"Rezygnuję z abonamentu":                               "rezygnuję",
		"I'm not leaving, I just want it fixed":                "",
		"I don't want to cancel my contract, please help":      "",
		"No complaint, the engineer was great":                 "",
		"How do I cancel roaming before my trip?":              "",
		"Thanks, that fixed it":                                "",
	}
	for text, want := range cases {
		if got := Churn(text); got != want {
			t.Errorf("Churn(%q) = %q, want %q", text, got, want)
		}
	}
}

func TestLeadPhrases(t *testing.T) {
	cases := map[string]string{
		"Can I upgrade early to the new iPhone?":        "upgrade",
		"Which plan is best for a family of four?":      "which plan",
		"I'd like to add a line for my daughter":        "add a line",
		"Do you do a business account for 10 phones?":   "business account",
		"Busco un nuevo móvil":                          "nuevo móvil",
		"I don't want to upgrade, just fix my signal":   "",
		"My voicemail stopped working after the update": "",
	}
	for text, want := range cases {
		if got := Lead(text); got != want {
			t.Errorf("Lead(%q) = %q, want %q", text, got, want)
		}
	}
}
