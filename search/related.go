package search

import (
	"context"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxBodyWords bounds the body words weighed for Related: the opening of a
// question names its subject.
const maxBodyWords = 30

// Related lists up to limit solved threads of the brand most like a whole
// question, for grounding an agent's answer: found by the title's topic
// words as the Ask page's similar questions are, then by the body's rarest
// words when the title finds too few. The thread asked about (exclude) is
// never among them.
func (s *Service) Related(ctx context.Context, brandID int64, title, body string, exclude int64, limit int) ([]int64, error) {
	if _, err := Index(ctx, s.db, catchUp); err != nil {
		return nil, err
	}
	var ids []int64
	opening := Words(body)
	opening = opening[:min(len(opening), maxBodyWords)]
	for _, words := range [][]string{topicWords(title), opening} {
		terms, err := s.rarestFirst(ctx, brandID, words)
		if err != nil {
			return nil, err
		}
		found, err := s.similarIDs(ctx, brandID, terms, limit+1)
		if err != nil {
			return nil, err
		}
		for _, id := range found {
			if id != exclude && !slices.Contains(ids, id) && len(ids) < limit {
				ids = append(ids, id)
			}
		}
		if len(ids) >= limit {
			break
		}
	}
	return ids, nil
}

// Words are a text's distinct searchable words without the stop words, as
// the index splits them, for texts longer than a query (a question's body,
// an answer's sentence).
func Words(text string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		if n := utf8.RuneCountInString(w); n >= 2 && n <= 40 && !stopWords[w] && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

// Weights is each word's inverse document frequency among the brand's
// threads, the weight ranking gives it: rare words say most.
func (s *Service) Weights(ctx context.Context, brandID int64, words []string) (map[string]float64, error) {
	n, err := s.docCount(ctx, brandID)
	if err != nil {
		return nil, err
	}
	out := make(map[string]float64, len(words))
	for _, w := range words {
		df, err := s.docFreq(ctx, brandID, w)
		if err != nil {
			return nil, err
		}
		out[w] = idf(n, df)
	}
	return out, nil
}
