package search

import (
	"context"
	"slices"

	"mutual/forum"
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
// first, within bounds (maxSimilarTerms, maxSimilarQueries). Threads asked in
// language (the asker's; "" for no preference) come before the others among
// twice as many candidates: an answer the asker can read helps most, one in
// another language still helps. A title with no topic words has no
// suggestions and is not an error.
func (s *Service) Similar(ctx context.Context, brandID int64, title, language string, limit int) ([]forum.Thread, error) {
	if limit <= 0 || limit > 10 {
		limit = SimilarLimit
	}
	terms := topicWords(title)
	if len(terms) == 0 {
		return []forum.Thread{}, nil
	}
	if _, err := Index(ctx, s.db, catchUp); err != nil {
		return nil, err
	}
	terms, err := s.rarestFirst(ctx, brandID, terms)
	if err != nil {
		return nil, err
	}
	pool := limit
	if language != "" {
		pool = 2 * limit
	}
	ids, err := s.similarIDs(ctx, brandID, terms, pool)
	if err != nil {
		return nil, err
	}
	res, err := s.hydrateResults(ctx, brandID, ids, terms, nil, nil)
	if err != nil {
		return nil, err
	}
	out := make([]forum.Thread, 0, len(res))
	for _, r := range res {
		out = append(out, r.Thread)
	}
	slices.SortStableFunc(out, func(a, b forum.Thread) int {
		return boolRank(a.Language != language) - boolRank(b.Language != language)
	})
	return out[:min(len(out), limit)], nil
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// topicWords are the title's searchable words without the stop words.
func topicWords(title string) []string {
	raw, err := splitTerms(context.Background(), title) // the error is dropped: no words, no topic
	if err != nil {
		return nil
	}
	var terms []string
	for _, t := range raw {
		if !stopWords[t] {
			terms = append(terms, t)
		}
	}
	return terms
}

// rarestFirst orders the words by how few of the brand's documents hold
// them (they say most about the question and match least), drops the words
// no document holds, and keeps at most maxSimilarTerms.
func (s *Service) rarestFirst(ctx context.Context, brandID int64, terms []string) ([]string, error) {
	dfs := map[string]int64{}
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
	slices.SortStableFunc(known, func(a, b string) int { return int(dfs[a] - dfs[b]) })
	if len(known) > maxSimilarTerms {
		known = known[:maxSimilarTerms]
	}
	return known, nil
}

// similarIDs lists up to limit solved threads sharing all the words first,
// then those sharing all but one, and so on down to two words (one for a
// one-word title); within a level, the rarest combinations first; at most
// maxSimilarQueries searches in all.
func (s *Service) similarIDs(ctx context.Context, brandID int64, terms []string, limit int) ([]int64, error) {
	seen := map[int64]bool{}
	var ids []int64
	queries := 0
	for n := len(terms); n >= min(2, len(terms)) && len(ids) < limit && queries < maxSimilarQueries; n-- {
		for _, sub := range subsets(terms, n) {
			if len(ids) >= limit || queries >= maxSimilarQueries {
				break
			}
			queries++
			found, err := s.solvedMatches(ctx, brandID, sub, limit)
			if err != nil {
				return nil, err
			}
			for _, id := range found {
				if !seen[id] && len(ids) < limit {
					seen[id] = true
					ids = append(ids, id)
				}
			}
		}
	}
	return ids, nil
}

// solvedMatches is the best solved threads holding every word, ranked by
// the title above all.
func (s *Service) solvedMatches(ctx context.Context, brandID int64, words []string, limit int) ([]int64, error) {
	// Rank by text alone, then keep the solved ones among the best: a solved
	// filter inside the match would merge a posting list as long as the
	// brand's thread count.
	f := headFilter{noBoost: true}
	pg := s.db.Dialect() == sqldb.Postgres
	if pg {
		f = headFilter{status: StatusSolved}
	}
	found, _, err := s.rankThreads(ctx, brandID, words, f, similarTitleWeight, 0, 12*limit)
	if err != nil {
		return nil, err
	}
	solved, err := s.solvedAmong(ctx, brandID, found)
	if err != nil {
		return nil, err
	}
	var out []int64
	for _, x := range found {
		if solved[x.id] || pg {
			out = append(out, x.id)
		}
	}
	return out, nil
}
