package search

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"unicode"
)

// Highlight reads a text twice instead of keeping all its words; what it
// returns is what the reference below returns, for any text, window and
// words.
func TestHighlightMatchesReference(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	pieces := []string{"roaming", "Roaming", "ROAMING", "café", "Café", "bill", "x", " ", "  ", ", ", ".", "—", "é", "naïve", "42", "\n", "(", ")", "signal"}
	terms := []string{"roaming", "bill", "café", "naïve", "42"}
	for i := range 3000 {
		var b strings.Builder
		for range rnd.IntN(80) {
			b.WriteString(pieces[rnd.IntN(len(pieces))])
			if rnd.IntN(3) > 0 {
				b.WriteString(" ")
			}
		}
		text := b.String()
		ts := terms[:1+rnd.IntN(len(terms))]
		for _, maxWords := range []int{0, 5, 32} {
			got, want := Highlight(text, ts, maxWords), referenceHighlight(text, ts, maxWords)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("case %d, %q, %v, %d:\n got %v\nwant %v", i, text, ts, maxWords, got, want)
			}
		}
	}
}

// The reference: Highlight as first written, keeping every word of the
// text. Simple enough to trust; the test checks the leaner one against it.

type referenceSpan struct {
	start, end int // byte offsets of a word
	match      bool
}

func referenceWords(text string, terms []string) []referenceSpan {
	var out []referenceSpan
	start := -1
	flush := func(end int) {
		if start >= 0 {
			w := fold(text[start:end])
			out = append(out, referenceSpan{start: start, end: end, match: containsString(terms, w)})
			start = -1
		}
	}
	for i, r := range text {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
	}
	flush(len(text))
	return out
}

// Highlight splits text into fragments with the searched words marked. With
// maxWords > 0 it keeps a window of that many words around the first match,
// with an ellipsis where text was cut.
func referenceHighlight(text string, terms []string, maxWords int) []Fragment {
	ws := referenceWords(text, terms)
	from, to := 0, len(text)
	cutStart, cutEnd := false, false
	if maxWords > 0 && len(ws) > maxWords {
		first := 0
		for i, w := range ws {
			if w.match {
				first = i
				break
			}
		}
		lo := max(0, first-maxWords/4)
		hi := min(len(ws), lo+maxWords)
		lo = max(0, hi-maxWords)
		from, cutStart = ws[lo].start, lo > 0
		if hi < len(ws) {
			to, cutEnd = ws[hi-1].end, true
		}
	}
	var out []Fragment
	add := func(s string, mark bool) {
		if s == "" {
			return
		}
		if n := len(out); n > 0 && out[n-1].Mark == mark {
			out[n-1].Text += s
			return
		}
		out = append(out, Fragment{Text: s, Mark: mark})
	}
	if cutStart {
		add("… ", false)
	}
	pos := from
	for _, w := range ws {
		if w.start < from || w.end > to || !w.match {
			continue
		}
		add(text[pos:w.start], false)
		add(text[w.start:w.end], true)
		pos = w.end
	}
	add(text[pos:to], false)
	if cutEnd {
		add(" …", false)
	}
	return out
}
