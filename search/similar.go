package forum

import (
	"context"
	"slices"

	"mutual/sqldb"
)

// Bounds on the work of one suggestion: words considered and queries run.
const (
	maxSimilarTerms   = 4
	maxSimilarQueries = 12
)

// subsets lists the n-word combinations of terms, keeping their order (so
// with terms rarest first, the rarest combinations come first).
func subsets(terms []string, n int) [][]string {
	var out [][]string
	var pick func(start int, cur []string)
	pick = func(start int, cur []string) {
		if len(cur) == n {
			out = append(out, append([]string(nil), cur...))
			return
		}
		for i := start; i < len(terms); i++ {
			pick(i+1, append(cur, terms[i]))
		}
	}
	pick(0, nil)
	return out
}

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
// are most like title, for the Ask page: those sharing all the title's topic
// words first, then all but one, down to two words, rarest combinations
// first, within bounds (maxSimilarTerms, maxSimilarQueries). A title with no
// topic words has no suggestions and is not an error.
//
// It stays long: the levels of the search share their bounds and the threads
// already found.
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
	{
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
	if len(terms) > maxSimilarTerms {
		terms = terms[:maxSimilarTerms] // the rarest, on SQLite
	}
	// Threads sharing all the words first, then those sharing all but one,
	// and so on down to two words (one for a one-word title); within a
	// level, the rarest combinations first.
	seen := map[int64]bool{}
	var ids []int64
	queries := 0
	for n := len(terms); n >= min(2, len(terms)) && len(ids) < limit && queries < maxSimilarQueries; n-- {
		for _, sub := range subsets(terms, n) {
			if len(ids) >= limit || queries >= maxSimilarQueries {
				break
			}
			queries++
			// Rank by text alone, then keep the solved ones among the
			// best: a solved filter inside the match would merge a posting
			// list as long as the brand's thread count.
			f := headFilter{noBoost: true}
			if s.db.Dialect() == sqldb.Postgres {
				f = headFilter{status: StatusSolved}
			}
			found, _, err := s.rankThreads(ctx, brandID, sub, f, similarTitleWeight, 0, 12*limit)
			if err != nil {
				return nil, err
			}
			solved, err := s.solvedAmong(ctx, brandID, found)
			if err != nil {
				return nil, err
			}
			for _, f := range found {
				if (solved[f.id] || s.db.Dialect() == sqldb.Postgres) && !seen[f.id] && len(ids) < limit {
					seen[f.id] = true
					ids = append(ids, f.id)
				}
			}
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
