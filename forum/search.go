package forum

import (
	"context"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"mutual/sqldb"
)

// searchWindow is how many of the newest matching posts a search ranks. A
// common word can match most of a large community; ranking only the newest
// few thousand keeps every search cheap, at the cost of old threads that
// match only common words.
const searchWindow = 2000

// MaxSearchTerms bounds a query's words, so one search cannot become costly.
const MaxSearchTerms = 8

// searchTerms splits a person's query into plain words. Operators and quotes
// are dropped: they would otherwise be search syntax, and a typo in it an
// error.
func searchTerms(q string) ([]string, error) {
	if !utf8.ValidString(q) {
		return nil, &ValidationError{Fields: map[string]string{"q": "The search contains invalid characters."}}
	}
	words := strings.FieldsFunc(strings.ToLower(q), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	var out []string
	for _, w := range words {
		n := utf8.RuneCountInString(w)
		if n < 2 || n > 40 || w == "and" || w == "or" || w == "not" {
			continue // single letters and the operators people type carry no meaning here
		}
		out = append(out, w)
		if len(out) == MaxSearchTerms {
			break
		}
	}
	if len(out) == 0 {
		return nil, &ValidationError{Fields: map[string]string{"q": "Type a word or two to search for."}}
	}
	return out, nil
}

// Search finds a brand's threads whose title or posts contain every word of
// q, solved threads first, then those with more matching posts, then the most
// recently active.
func (s *Service) Search(ctx context.Context, brandID int64, q string, limit int) ([]Thread, error) {
	terms, err := searchTerms(q)
	if err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 50 {
		limit = 20
	}
	var match string
	var args []any
	if s.db.Dialect() == sqldb.Postgres {
		tsq := strings.Join(terms, " ")
		match = `SELECT tid, COUNT(*) AS hits FROM (
  SELECT p.thread_id AS tid FROM posts p JOIN threads t2 ON t2.id = p.thread_id
  WHERE p.brand_id = ? AND (to_tsvector('english', p.body_md) @@ plainto_tsquery('english', ?)
     OR (p.is_question = 1 AND to_tsvector('english', t2.title) @@ plainto_tsquery('english', ?)))
  ORDER BY p.id DESC LIMIT ?) recent GROUP BY tid`
		args = []any{brandID, tsq, tsq, searchWindow}
	} else {
		quoted := make([]string, len(terms))
		for i, t := range terms {
			quoted[i] = `"` + t + `"`
		}
		match = `SELECT tid, COUNT(*) AS hits FROM (
  SELECT p.thread_id AS tid FROM post_search s JOIN posts p ON p.id = s.docid
  WHERE post_search MATCH ? AND p.brand_id = ? ORDER BY s.docid DESC LIMIT ?) recent GROUP BY tid`
		args = []any{strings.Join(quoted, " "), brandID, searchWindow}
	}
	args = append(args, limit)
	rows, err := s.db.Query(ctx, `SELECT `+threadCols+` FROM threads t JOIN users u ON u.id = t.author_id
JOIN (`+match+`) m ON m.tid = t.id
ORDER BY CASE WHEN t.accepted_post_id IS NULL THEN 1 ELSE 0 END, m.hits DESC, t.last_activity_at DESC, t.id DESC
LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("forum: search: %w", err)
	}
	out, _, err := collectThreads(rows, limit)
	return out, err
}
