package radar

import (
	"math"
	"sort"
	"strings"
)

// g2 is Dunning's log-likelihood ratio for a term found in a of n threads
// in one sample and c of m threads in the other: how surprising the
// difference is if both came from one rate. Large for a word that is common
// in the first sample and rare in the second.
func g2(a, n, c, m float64) float64 {
	if n <= 0 || m <= 0 {
		return 0
	}
	cells := func(o, e float64) float64 {
		if o <= 0 || e <= 0 {
			return 0
		}
		return o * math.Log(o/e)
	}
	total := n + m
	hits := a + c
	e1 := n * hits / total
	e2 := m * hits / total
	e3 := n * (total - hits) / total
	e4 := m * (total - hits) / total
	return 2 * (cells(a, e1) + cells(c, e2) + cells(n-a, e3) + cells(m-c, e4))
}

// scored is a term with its G² and its count in the sample.
type scored struct {
	Term  string
	G2    float64
	Count int
}

// rising ranks the terms of a sample (term -> threads containing it, of n)
// against a baseline (df, of m threads) and keeps the top k that are more
// common in the sample than in the baseline, seen in at least minCount
// threads. A phrase is dropped when a word of it ranks above it with the
// same count (it adds nothing), and a word is dropped when a phrase holding
// it ranks above it.
func rising(sample map[string]int, n int, df func(string) int, m int, minCount, k int) []scored {
	var out []scored
	for t, a := range sample {
		if a < minCount {
			continue
		}
		c := df(t)
		if float64(a)/float64(n) <= float64(c)/float64(max(m, 1)) {
			continue
		}
		out = append(out, scored{Term: t, G2: g2(float64(a), float64(n), float64(c), float64(m)), Count: a})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].G2 != out[j].G2 {
			return out[i].G2 > out[j].G2
		}
		return out[i].Term < out[j].Term
	})
	var kept []scored
	for _, s := range out {
		if len(kept) == k {
			break
		}
		if !covered(s, kept) {
			kept = append(kept, s)
		}
	}
	return kept
}

// covered reports whether a kept term already says what s says: a phrase
// containing the word s, or a word of the phrase s seen as often.
func covered(s scored, kept []scored) bool {
	for _, k := range kept {
		if strings.Contains(k.Term, " ") && containsWord(k.Term, s.Term) {
			return true
		}
		if strings.Contains(s.Term, " ") && containsWord(s.Term, k.Term) && k.Count == s.Count {
			return true
		}
	}
	return false
}

func containsWord(phrase, w string) bool {
	for _, p := range strings.Fields(phrase) {
		if p == w {
			return true
		}
	}
	return false
}
