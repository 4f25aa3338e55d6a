package markup

import (
	"fmt"
	"testing"
)

// PlainText remembers recent bodies; what it remembers must never answer
// for another body, before or after the memo fills and starts over.
func TestPlainTextMemoAnswersOnlyItsOwnBody(t *testing.T) {
	body := func(i int) string {
		return fmt.Sprintf("<p>Answer <strong>%d</strong></p><ul><li>step %d</li></ul>", i, i)
	}
	want := func(i int) string { return fmt.Sprintf("Answer %d step %d", i, i) }
	for round := range 2 {
		for i := range plainMemoSize + 10 {
			if got := PlainText(body(i)); got != want(i) {
				t.Fatalf("round %d: PlainText(body %d) = %q, want %q", round, i, got, want(i))
			}
		}
	}
	if len(plainMemo) > plainMemoSize {
		t.Errorf("memo holds %d bodies, bound is %d", len(plainMemo), plainMemoSize)
	}
}
