package forum

import (
	"context"
	"slices"
)

// SimilarLimit is how many similar solved questions the Ask page shows.
const SimilarLimit = 5

// similarTitleWeight makes the title dominate: two questions are alike when
// their titles are.
const similarTitleWeight = 12.0

// stopWords carry no topic; a title's other words do. Short on purpose:
// forum titles are questions, so the question words go too.
var stopWords = map[string]bool{
	"the": true, "to": true, "of": true, "in": true, "on": true, "for": true, "is": true, "it": true, "my": true,
	"me": true, "an": true, "at": true, "by": true, "be": true, "do": true, "does": true, "did": true, "can": true,
	"how": true, "why": true, "what": true, "when": true, "where": true, "which": true, "who": true, "with": true,
	"this": true, "that": true, "there": true, "any": true, "way": true, "from": true, "after": true, "since": true,
	"while": true, "so": true, "are": true, "was": true, "were": true, "has": true, "have": true, "had": true,
	"but": true, "if": true, "as": true, "we": true, "you": true, "your": true, "our": true, "get": true, "not": true,
	"no": true, "up": true, "out": true, "about": true, "into": true, "or": true, "and": true, "keeps": true,
	"help": true, "needed": true, "ideas": true, "problem": true, "question": true, "please": true, "anyone": true,
}

// Similar returns up to limit solved threads of the brand whose questions
// are most like title, for the Ask page. All of the title's topic words must
// match; while too few threads do, the most common word is dropped and the
// search widens, down to the two rarest words. A title with no topic words
// (or under 8 characters) has no suggestions and is not an error.
func (s *Service) Similar(ctx context.Context, brandID int64, title string, limit int) ([]Thread, error) {
	if limit <= 0 || limit > 10 {
		limit = SimilarLimit
	}
	raw, err := searchTerms(title)
	if err != nil {
		return []Thread{}, nil
	}
	var terms []string
	for _, t := range raw {
		if !stopWords[t] {
			terms = append(terms, t)
		}
	}
	if len(terms) == 0 {
		return []Thread{}, nil
	}
	if _, err := IndexSearch(ctx, s.db, searchCatchUp); err != nil {
		return nil, err
	}
	// Rarest words first: they say most about the question and match least.
	dfs := map[string]int64{}
	if s.db.Dialect() != "postgres" {
		for _, t := range terms {
			n, err := s.docFreq(ctx, brandID, t)
			if err != nil {
				return nil, err
			}
			dfs[t] = n
		}
		var known []string
		for _, t := range terms {
			if dfs[t] > 0 {
				known = append(known, t) // a word nobody used cannot help find anything
			}
		}
		terms = known
		slices.SortStableFunc(terms, func(a, b string) int { return int(dfs[a] - dfs[b]) })
	}
	seen := map[int64]bool{}
	var ids []int64
	for n := len(terms); n >= 1; n-- {
		if n < len(terms) && n < 2 && len(terms) >= 2 {
			break // one common word alone says too little
		}
		// Rank by text alone, then keep the solved ones among the best: a
		// solved filter inside the match would merge a posting list as long
		// as the brand's thread count.
		f := headFilter{noBoost: true}
		if s.db.Dialect() == "postgres" {
			f = headFilter{status: StatusSolved}
		}
		found, _, err := s.rankThreads(ctx, brandID, terms[:n], f, similarTitleWeight, 0, 12*limit)
		if err != nil {
			return nil, err
		}
		solved, err := s.solvedAmong(ctx, brandID, found)
		if err != nil {
			return nil, err
		}
		for _, f := range found {
			if solved[f.id] && !seen[f.id] && len(ids) < limit {
				seen[f.id] = true
				ids = append(ids, f.id)
			}
		}
		if len(ids) >= limit {
			break
		}
	}
	res, err := s.hydrateResults(ctx, brandID, ids, terms, nil, nil)
	if err != nil {
		return nil, err
	}
	out := make([]Thread, 0, len(res))
	for _, r := range res {
		out = append(out, r.Thread)
	}
	return out, nil
}
