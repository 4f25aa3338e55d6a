package kb

import "testing"

func TestAPassageIsOneSentenceOfTheArticlesTextWithoutMarkdown(t *testing.T) {
	md := "**Question**\n\nThe router drops the line.\n\n## Answer\n\n- Hold the **reset** button for [ten seconds](https://example.com/x). Then wait.\n\n> Note the `wifi` password first.\n>\n> — @fan"
	ss := sentences(plainLines(md))
	want := []string{"Question", "The router drops the line.", "Answer", "Hold the reset button for ten seconds.", "Then wait.",
		"Note the wifi password first.", "— @fan"}
	if len(ss) != len(want) {
		t.Fatalf("sentences = %q", ss)
	}
	for i := range want {
		if ss[i] != want[i] {
			t.Errorf("sentence %d = %q, want %q", i, ss[i], want[i])
		}
	}
	q := map[string]bool{}
	for _, w := range terms("reset the router button") {
		q[w] = true
	}
	var ts [][]string
	for _, s := range ss {
		ts = append(ts, terms(s))
	}
	if got := bestSentence(ss, ts, q); got != "Hold the reset button for ten seconds." {
		t.Errorf("passage = %q", got)
	}
	for in, out := range map[string]string{"resetting": "reset", "resets": "reset", "routers": "router", "passwords": "password", "wifi": "wifi"} {
		if got := stem(in); got != out {
			t.Errorf("stem(%q) = %q, want %q", in, got, out)
		}
	}
}
