package search

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"mutual/fault"
	"mutual/forum"
	"mutual/i18n"
	"mutual/sqldb"
)

// MaxTerms bounds a query's words, so one search cannot become costly.
const MaxTerms = 8

// Search paging limits.
const (
	DefaultPerPage = 20
	MaxPages       = 50 // deeper pages are never useful and only cost
)

// replyWindow is how many of the newest matching replies the second tier of
// a search reads (threads found only through a reply's words). The first
// tier, threads whose title, question or accepted answer hold the words, is
// ranked over every match.
const replyWindow = 2000

// splitTerms splits a person's query into plain words. Operators and quotes
// are dropped: they would otherwise be search syntax, and a typo in it an
// error. Only letters and digits survive, which is also what keeps the
// index's tag tokens (which start with "_") out of reach.
func splitTerms(ctx context.Context, q string) ([]string, error) {
	if !utf8.ValidString(q) {
		return nil, &fault.ValidationError{Fields: map[string]string{"q": i18n.T(ctx, "searchmsg.invalid_chars")}}
	}
	words := strings.FieldsFunc(strings.ToLower(q), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	var out []string
	for _, w := range words {
		n := utf8.RuneCountInString(w)
		if n < 2 || n > 40 || w == "and" || w == "or" || w == "not" || w == "near" {
			continue // single letters and the operators people type carry no meaning here
		}
		if !containsString(out, w) {
			out = append(out, w)
		}
		if len(out) == MaxTerms {
			break
		}
	}
	if len(out) == 0 {
		return nil, &fault.ValidationError{Fields: map[string]string{"q": i18n.T(ctx, "searchmsg.no_words")}}
	}
	return out, nil
}

func containsString(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// Status narrows a search to solved or unanswered threads.
type Status string

// The status filters; "" is every thread.
const (
	StatusAny        Status = ""
	StatusSolved     Status = "solved"
	StatusUnanswered Status = "unanswered"
)

// ParseStatus accepts "", all, solved or unanswered.
func ParseStatus(ctx context.Context, s string) (Status, error) {
	switch s {
	case "", "all":
		return StatusAny, nil
	case "solved", "unanswered":
		return Status(s), nil
	}
	return "", &fault.ValidationError{Fields: map[string]string{"status": i18n.T(ctx, "searchmsg.status")}}
}

// Query is what a person asked for.
type Query struct {
	Q       string
	BoardID int64     // 0 for every board
	Status  Status    // solved, unanswered or any
	Since   time.Time // only threads asked at or after; zero for any time
	Lang    string    // only threads asked in this language (forum.ParseLanguage); "" for any
	Page    int       // 1-based
	PerPage int       // DefaultPerPage when 0
}

// Result is one thread found, with the words marked.
type Result struct {
	Thread    forum.Thread
	Score     float64
	InReplies bool       // found through a reply's words, not the question's
	Title     []Fragment // the title with matching words marked
	Snippet   []Fragment // a short passage around the first matching word
}

// Page is one page of results.
type Page struct {
	Results []Result
	Total   int  // threads found; a lower bound unless Exact
	Exact   bool // Total counts the reply tier too
	Page    int
	HasNext bool
	Terms   []string
}

// Threads finds a brand's visible threads whose title, question or
// accepted answer hold every word of the query, ranked by relevance (BM25F,
// title first, solved threads boosted), then threads found only through a
// reply holding every word, newest matches first. It returns a
// fault.ValidationError for an empty query or a bad page.
func (s *Service) Threads(ctx context.Context, brandID int64, sq Query) (Page, error) {
	terms, err := splitTerms(ctx, sq.Q)
	if err != nil {
		return Page{}, err
	}
	if sq.PerPage <= 0 || sq.PerPage > 50 {
		sq.PerPage = DefaultPerPage
	}
	if sq.Page <= 0 {
		sq.Page = 1
	}
	if sq.Page > MaxPages {
		return Page{}, &fault.ValidationError{Fields: map[string]string{"page": i18n.T(ctx, "searchmsg.max_pages", "Max", MaxPages)}}
	}
	// Index what was written since the indexer last ran (a bounded amount),
	// so a member finds what was just posted.
	if _, err := Index(ctx, s.db, catchUp); err != nil {
		return Page{}, err
	}
	f := headFilter{board: sq.BoardID, status: sq.Status, lang: sq.Lang}
	if !sq.Since.IsZero() {
		f.since = sqldb.Millis(sq.Since)
	}
	offset := (sq.Page - 1) * sq.PerPage
	// One more than a page tells whether a next page exists.
	head, total, err := s.rankThreads(ctx, brandID, terms, f, weightTitle, offset, sq.PerPage+1)
	if err != nil {
		return Page{}, err
	}
	pg := Page{Page: sq.Page, Total: total, Terms: terms}
	ids := make([]int64, 0, sq.PerPage+1)
	scores := map[int64]float64{}
	for _, h := range head {
		ids = append(ids, h.id)
		scores[h.id] = h.score
	}
	inReplies := map[int64]bool{}
	if offset+sq.PerPage+1 > total {
		// The ranked tier ends on this page: fill it from replies' words.
		extra, err := s.replyMatches(ctx, brandID, terms, f)
		if err != nil {
			return Page{}, err
		}
		// Threads the ranked tier holds (on any page) are not repeated.
		all, _, err := s.rankThreads(ctx, brandID, terms, f, weightTitle, 0, total)
		if err != nil {
			return Page{}, err
		}
		ranked := make(map[int64]bool, len(all))
		for _, h := range all {
			ranked[h.id] = true
		}
		var fresh []int64
		for _, id := range extra {
			if !ranked[id] {
				fresh = append(fresh, id)
			}
		}
		pg.Total, pg.Exact = total+len(fresh), true
		start := max(0, offset-total)
		for _, id := range fresh[min(start, len(fresh)):] {
			if len(ids) > sq.PerPage {
				break
			}
			ids = append(ids, id)
			inReplies[id] = true
		}
	}
	if len(ids) > sq.PerPage {
		ids, pg.HasNext = ids[:sq.PerPage], true
	}
	pg.Results, err = s.hydrateResults(ctx, brandID, ids, terms, scores, inReplies)
	return pg, err
}

// replyMatches lists threads with a visible reply holding every word, among
// the newest replyWindow matching replies, most matching replies first.
func (s *Service) replyMatches(ctx context.Context, brandID int64, terms []string, f headFilter) ([]int64, error) {
	var match string
	var args []any
	if s.db.Dialect() == sqldb.Postgres {
		match = `SELECT p.thread_id AS tid FROM posts p
  WHERE p.brand_id = ? AND p.is_question = 0 AND p.status = 'visible'
    AND to_tsvector('english', p.body_md) @@ plainto_tsquery('english', ?)
  ORDER BY p.id DESC LIMIT ?`
		args = []any{brandID, strings.Join(terms, " "), replyWindow}
	} else {
		quoted := make([]string, len(terms))
		for i, t := range terms {
			quoted[i] = `"` + t + `"`
		}
		match = `SELECT p.thread_id AS tid FROM post_search s JOIN posts p ON p.id = s.docid
  WHERE post_search MATCH ? AND p.brand_id = ? AND p.is_question = 0 AND p.status = 'visible'
  ORDER BY s.docid DESC LIMIT ?`
		args = []any{strings.Join(quoted, " "), brandID, replyWindow}
	}
	where := ""
	if f.board != 0 {
		where += " AND t.board_id = ?"
		args = append(args, f.board)
	}
	switch f.status {
	case StatusSolved:
		where += " AND t.accepted_post_id IS NOT NULL"
	case StatusUnanswered:
		where += " AND t.first_reply_at IS NULL"
	}
	if f.since != 0 {
		where += " AND t.created_at >= ?"
		args = append(args, f.since)
	}
	if f.lang != "" {
		where += " AND t.language = ?"
		args = append(args, f.lang)
	}
	ids, err := sqldb.Int64s(s.db.Query(ctx, `SELECT t.id FROM threads t JOIN (SELECT tid, COUNT(*) AS hits FROM (`+match+`) recent GROUP BY tid) m ON m.tid = t.id
WHERE t.status = 'visible'`+where+`
ORDER BY m.hits DESC, t.last_activity_at DESC, t.id DESC`, args...))
	if err != nil {
		return nil, fmt.Errorf("search: search replies: %w", err)
	}
	return ids, nil
}

// hydrateResults loads the page's threads in the given order, keeping only
// visible ones (the index follows every hide in its transaction; this is the
// query-time check that a hidden thread is never shown even so), with the
// text their snippets come from.
func (s *Service) hydrateResults(ctx context.Context, brandID int64, ids []int64, terms []string, scores map[int64]float64, inReplies map[int64]bool) ([]Result, error) {
	out := []Result{}
	if len(ids) == 0 {
		return out, nil
	}
	in, args := sqldb.InList(ids)
	rows, err := s.db.Query(ctx, `SELECT `+forum.ThreadColumns+`, q.body_html, COALESCE(a.body_html, '')
FROM threads t JOIN users u ON u.id = t.author_id
JOIN posts q ON q.thread_id = t.id AND q.is_question = 1 AND q.status = 'visible'
LEFT JOIN posts a ON a.id = t.accepted_post_id AND a.status = 'visible'
WHERE t.id IN (`+in+`) AND t.brand_id + 0 = ? AND t.status = 'visible'`, append(args, brandID)...)
	if err != nil {
		return nil, fmt.Errorf("search: search results: %w", err)
	}
	defer rows.Close()
	type loaded struct {
		t        forum.Thread
		question string
		answer   string
	}
	byID := map[int64]loaded{}
	for rows.Next() {
		var l loaded
		t, err := forum.ScanThread(rows, &l.question, &l.answer)
		if err != nil {
			return nil, err
		}
		l.t = t
		byID[l.t.ID] = l
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var replyText map[int64]string
	if len(inReplies) > 0 {
		if replyText, err = s.matchingReplies(ctx, brandID, inReplies, terms); err != nil {
			return nil, err
		}
	}
	for _, id := range ids {
		l, ok := byID[id]
		if !ok {
			continue
		}
		r := Result{Thread: l.t, Score: scores[id], InReplies: inReplies[id], Title: Highlight(l.t.Title, terms, 0)}
		sources := []string{l.question, l.answer}
		if r.InReplies {
			sources = []string{replyText[id], l.question}
		}
		r.Snippet = bestSnippet(sources, terms)
		out = append(out, r)
	}
	return out, nil
}

// matchingReplies finds, per thread, the newest visible reply holding the
// first word, for the snippet of a thread found through its replies.
func (s *Service) matchingReplies(ctx context.Context, brandID int64, threads map[int64]bool, terms []string) (map[int64]string, error) {
	ids := make([]int64, 0, len(threads))
	for id := range threads {
		ids = append(ids, id)
	}
	in, args := sqldb.InList(ids)
	like := "%" + strings.ReplaceAll(strings.ReplaceAll(terms[0], "%", ""), "_", "") + "%"
	rows, err := s.db.Query(ctx, `SELECT thread_id, body_html FROM posts
WHERE brand_id = ? AND thread_id IN (`+in+`) AND is_question = 0 AND status = 'visible' AND LOWER(body_md) LIKE ?
ORDER BY id DESC`, append(append([]any{brandID}, args...), like)...)
	if err != nil {
		return nil, fmt.Errorf("search: matching replies: %w", err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var body string
		if err := rows.Scan(&id, &body); err != nil {
			return nil, err
		}
		if _, seen := out[id]; !seen {
			out[id] = body
		}
	}
	return out, rows.Err()
}

// Search finds a brand's threads for q (first page, best first). Kept for
// callers that want threads only; Threads has filters and snippets.
func (s *Service) Search(ctx context.Context, brandID int64, q string, limit int) ([]forum.Thread, error) {
	pg, err := s.Threads(ctx, brandID, Query{Q: q, PerPage: limit})
	if err != nil {
		return nil, err
	}
	out := make([]forum.Thread, len(pg.Results))
	for i, r := range pg.Results {
		out[i] = r.Thread
	}
	return out, nil
}
