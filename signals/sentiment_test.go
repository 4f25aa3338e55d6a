package signals

import "testing"

// The lexicon reads the way customers of a telecom write: negation,
// "but", intensifiers and emoji move the score the way a person reads them.
func TestScoreReadsCustomerText(t *testing.T) {
	neg := []string{
		"My signal is terrible and support is useless",
		"I'm not happy with the service",
		"The new plan is good but the billing is awful",
		"I am so angry, third outage this week 😡",
		"Overcharged again. The app is unusable.",
	}
	pos := []string{
		"Roaming works really well, thanks!",
		"Love the new 5G speeds 😍",
		"The signal is not bad at all",
	}
	for _, s := range neg {
		if got := Score(s); got > Negative {
			t.Errorf("Score(%q) = %.3f, want negative", s, got)
		}
	}
	for _, s := range pos {
		if got := Score(s); got <= 0.05 {
			t.Errorf("Score(%q) = %.3f, want positive", s, got)
		}
	}
	if got := Score("How do I set up voicemail?"); got != 0 {
		t.Errorf("a plain question scores %.3f, want 0", got)
	}
	if Score("Roaming works VERY well!!!") <= Score("Roaming works well") {
		t.Error("capitals and exclamation marks do not strengthen the score")
	}
	if Score("The service is bad") >= Score("The service is not bad") {
		t.Error("negation does not turn the score")
	}
	if Score("") != 0 || Score("...!!") != 0 {
		t.Error("text with no words scores other than 0")
	}
}

func TestOnlyLanguagesWithALexiconAreScored(t *testing.T) {
	if !Scores("en") || !Scores("") || !Scores("und") {
		t.Error("English and unlabelled text must be scored")
	}
	for _, l := range []string{"es", "pl", "fr"} {
		if Scores(l) {
			t.Errorf("%s has no lexicon but is scored", l)
		}
	}
}

// BenchmarkReadPost is the cost of reading one post of a few sentences,
// which the background scorer pays just after each commit.
func BenchmarkReadPost(b *testing.B) {
	body := "My internet hasn't worked for 3 days. I'm cancelling my contract and switching to another provider, support is useless! " +
		"Which plan would you even recommend? Thanks for nothing."
	ReadPost("en", "No broadband since Monday", body)
	b.ResetTimer()
	for b.Loop() {
		ReadPost("en", "No broadband since Monday", body)
	}
}
