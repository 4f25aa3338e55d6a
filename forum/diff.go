package forum

import (
	"regexp"
	"strings"
	"time"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// DiffPart is a run of text in a comparison of two versions: kept as it
// was, added, or removed.
type DiffPart struct {
	Text           string
	Added, Removed bool
}

// words splits text into the units a reader compares: runs of letters and
// digits, runs of white space, and single other characters (punctuation,
// markdown marks), so "**bold**" changing to "bold" shows the stars going.
var words = regexp.MustCompile(`[\p{L}\p{N}_']+|\s+|.`)

// WordDiff compares two texts word by word and returns the new text as runs
// kept, added and removed, in reading order. It gives up looking for the
// smallest difference after a short time, so a huge edit still answers
// quickly (with a coarser but correct comparison).
func WordDiff(before, after string) []DiffPart {
	if before == after {
		if after == "" {
			return nil
		}
		return []DiffPart{{Text: after}}
	}
	// Each distinct word becomes one rune, the diff runs on runes (so on
	// whole words), and the runes become words again.
	var vocab []string
	index := map[string]rune{}
	encode := func(s string) []rune {
		toks := words.FindAllString(s, -1)
		out := make([]rune, len(toks))
		for i, tok := range toks {
			r, ok := index[tok]
			if !ok {
				// Runes from the supplementary planes: never a surrogate,
				// and room for far more words than a post can hold.
				r = rune(0x10000 + len(vocab))
				index[tok] = r
				vocab = append(vocab, tok)
			}
			out[i] = r
		}
		return out
	}
	a, b := encode(before), encode(after)
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 200 * time.Millisecond
	diffs := dmp.DiffCleanupSemantic(dmp.DiffMainRunes(a, b, false))
	parts := make([]DiffPart, 0, len(diffs))
	for _, d := range diffs {
		var sb strings.Builder
		for _, r := range d.Text {
			sb.WriteString(vocab[r-0x10000])
		}
		parts = append(parts, DiffPart{Text: sb.String(), Added: d.Type == diffmatchpatch.DiffInsert, Removed: d.Type == diffmatchpatch.DiffDelete})
	}
	return parts
}
