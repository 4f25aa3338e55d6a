package copilot

import (
	"regexp"
	"strings"

	"mutual/search"
)

// maxPassage bounds a passage's length in bytes: enough for an instruction
// or two, short enough to read in the console.
const maxPassage = 480

// bestPassage is the run of one or two consecutive sentences of answer
// that covers most of the question's weight, and how much it covers (0..1).
// Sentence scoring is extractive: the answer's own words, never new ones.
func bestPassage(answer string, weights map[string]float64) (string, float64) {
	sentences := sentencesOf(plainText(answer))
	best, bestScore := "", -1.0
	for i := range sentences {
		for n := 1; n <= 2 && i+n <= len(sentences); n++ {
			p := strings.Join(sentences[i:i+n], " ")
			if n > 1 && len(p) > maxPassage {
				break
			}
			// A second sentence must add words, not only length.
			score := cover(search.Words(p), nil, weights) - 0.02*float64(n-1)
			if score > bestScore {
				best, bestScore = p, score
			}
		}
	}
	if len(best) > maxPassage {
		best = cut(best, maxPassage)
	}
	return best, max(bestScore, 0)
}

// cover is the share of the question's weight whose words appear in words;
// with within set, only those of within count (the question's title).
func cover(words, within []string, weights map[string]float64) float64 {
	var total, hit float64
	in := map[string]bool{}
	for _, w := range words {
		in[w] = true
	}
	for w, x := range weights {
		if within != nil && !contains(within, w) {
			continue
		}
		total += x
		if in[w] {
			hit += x
		}
	}
	if total == 0 {
		return 0
	}
	return hit / total
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

var (
	fenced  = regexp.MustCompile("(?s)```.*?```")
	mdLink  = regexp.MustCompile(`!?\[([^\]]*)\]\([^)]*\)`)
	mdMarks = regexp.MustCompile("[*_`#>]+")
	htmlTag = regexp.MustCompile(`<[^>]+>`)
	spaces  = regexp.MustCompile(`\s+`)
)

// plainText strips Markdown and HTML marks so a passage reads as prose
// when quoted; code blocks are dropped (a quote cannot keep them whole).
func plainText(md string) string {
	s := fenced.ReplaceAllString(md, " ")
	s = mdLink.ReplaceAllString(s, "$1")
	s = htmlTag.ReplaceAllString(s, " ")
	s = mdMarks.ReplaceAllString(s, "")
	return strings.TrimSpace(spaces.ReplaceAllString(s, " "))
}

// sentencesOf splits prose at sentence ends: ., ! or ? followed by a
// space (so 3.5% and example.com stay whole).
func sentencesOf(text string) []string {
	var out []string
	start := 0
	for i := 0; i < len(text); i++ {
		if c := text[i]; (c == '.' || c == '!' || c == '?') && (i+1 == len(text) || text[i+1] == ' ') {
			if s := strings.TrimSpace(text[start : i+1]); len(s) > 1 {
				out = append(out, s)
			}
			start = i + 1
		}
	}
	if s := strings.TrimSpace(text[start:]); len(s) > 1 {
		out = append(out, s)
	}
	return out
}

// cut shortens s to at most n bytes at a word boundary, with an ellipsis.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	if i := strings.LastIndexByte(s, ' '); i > n/2 {
		s = s[:i]
	}
	return strings.TrimRight(s, " ,;:") + "…"
}
