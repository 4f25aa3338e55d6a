package forum_test

import (
	"strings"
	"testing"

	"mutual/forum"
)

// show writes a diff as text with [-removed-] and {+added+} marks.
func show(parts []forum.DiffPart) string {
	var b strings.Builder
	for _, p := range parts {
		switch {
		case p.Added:
			b.WriteString("{+" + p.Text + "+}")
		case p.Removed:
			b.WriteString("[-" + p.Text + "-]")
		default:
			b.WriteString(p.Text)
		}
	}
	return b.String()
}

func TestWordDiff(t *testing.T) {
	for _, tc := range []struct{ before, after, want string }{
		{"same text", "same text", "same text"},
		{"", "", ""},
		{"", "new words", "{+new words+}"},
		{"I bought the add-on yesterday", "I bought the roaming add-on yesterday", "I bought the {+roaming +}add-on yesterday"},
		{"data abroad still costs", "data in Spain still costs", "data [-abroad-]{+in Spain+} still costs"},
		{"Try **airplane** mode", "Try airplane mode", "Try [-**airplane**-]{+airplane+} mode"},
		{"Überweisung läuft", "Überweisung läuft nicht", "Überweisung läuft{+ nicht+}"},
		{"whole words only: cat", "whole words only: cart", "whole words only: [-cat-]{+cart+}"},
	} {
		if got := show(forum.WordDiff(tc.before, tc.after)); got != tc.want {
			t.Errorf("WordDiff(%q, %q) = %q, want %q", tc.before, tc.after, got, tc.want)
		}
	}
}

// The new text is always the kept and added parts; the old text the kept
// and removed ones, whatever the edit.
func TestWordDiffKeepsBothTexts(t *testing.T) {
	before := strings.Repeat("one two three four, five six. ", 300)
	after := strings.ReplaceAll(before, "three", "drei") + " <script>x</script>"
	var oldText, newText strings.Builder
	for _, p := range forum.WordDiff(before, after) {
		if !p.Added {
			oldText.WriteString(p.Text)
		}
		if !p.Removed {
			newText.WriteString(p.Text)
		}
	}
	if oldText.String() != before || newText.String() != after {
		t.Error("the diff does not rebuild both texts")
	}
}
