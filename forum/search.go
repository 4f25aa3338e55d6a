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
// recently active. On SQLite it first indexes posts not yet in the index.
func (s *Service) Search(ctx context.Context, brandID int64, q string, limit int) ([]Thread, error) {
	terms, err := searchTerms(q)
	if err != nil {
		return nil, err
	}
	// Index what was written since the indexer last ran (a bounded amount),
	// so a member finds what was just posted.
	if _, err := IndexSearch(ctx, s.db, searchCatchUp); err != nil {
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
  WHERE p.brand_id = ? AND p.status = 'visible' AND (to_tsvector('english', p.body_md) @@ plainto_tsquery('english', ?)
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
  WHERE post_search MATCH ? AND p.brand_id = ? AND p.status = 'visible' ORDER BY s.docid DESC LIMIT ?) recent GROUP BY tid`
		args = []any{strings.Join(quoted, " "), brandID, searchWindow}
	}
	args = append(args, limit)
	rows, err := s.db.Query(ctx, `SELECT `+threadCols+` FROM threads t JOIN users u ON u.id = t.author_id
JOIN (`+match+`) m ON m.tid = t.id
WHERE t.status = 'visible'
ORDER BY CASE WHEN t.accepted_post_id IS NULL THEN 1 ELSE 0 END, m.hits DESC, t.last_activity_at DESC, t.id DESC
LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("forum: search: %w", err)
	}
	out, _, err := collectThreads(rows, limit)
	return out, err
}

// searchCatchUp bounds the indexing a search does before it reads; a larger
// backlog (after an import, say) is the background indexer's work.
const searchCatchUp = 500

// IndexSearch adds up to limit posts written since the last call to SQLite's
// full-text index, in one transaction, and returns how many it added. Posts
// are indexed in batches rather than each in its own transaction because
// every FTS insert writes a segment, and merging many small segments stalled
// writers. It does nothing on PostgreSQL, whose indexes the database keeps.
func IndexSearch(ctx context.Context, db *sqldb.DB, limit int) (int, error) {
	if db.Dialect() != sqldb.SQLite {
		return 0, nil
	}
	// Two cheap reads decide whether a write is needed at all.
	var upto, last int64
	if err := db.QueryRow(ctx, `SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'search_indexed_upto'`).Scan(&upto); err != nil {
		return 0, fmt.Errorf("forum: search watermark: %w", err)
	}
	if err := db.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM posts`).Scan(&last); err != nil {
		return 0, fmt.Errorf("forum: last post: %w", err)
	}
	if last <= upto {
		return 0, nil
	}
	var added int
	err := db.InTx(ctx, func(tx *sqldb.Tx) error {
		added = 0
		var from, to int64
		if err := tx.QueryRow(ctx, `SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'search_indexed_upto'`).Scan(&from); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(id), ?) FROM (SELECT id FROM posts WHERE id > ? ORDER BY id LIMIT ?)`,
			from, from, limit).Scan(&to); err != nil {
			return err
		}
		if to == from {
			return nil
		}
		_, err := tx.Exec(ctx, `INSERT INTO post_search (docid, title, body)
SELECT p.id, CASE WHEN p.is_question = 1 THEN t.title ELSE '' END, p.body_md
FROM posts p JOIN threads t ON t.id = p.thread_id WHERE p.id > ? AND p.id <= ?`, from, to)
		if err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM posts WHERE id > ? AND id <= ?`, from, to).Scan(&added); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE settings SET value = CAST(? AS TEXT) WHERE key = 'search_indexed_upto'`, to)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("forum: index posts for search: %w", err)
	}
	return added, nil
}

// IndexAllSearch indexes every pending post, batch by batch, for commands
// that write many posts (the importer, the generator).
func IndexAllSearch(ctx context.Context, db *sqldb.DB) (int, error) {
	total := 0
	for {
		n, err := IndexSearch(ctx, db, 20000)
		total += n
		if err != nil || n == 0 {
			return total, err
		}
	}
}
