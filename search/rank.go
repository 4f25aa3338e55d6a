package search

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"mutual/sqldb"
)

// Relevance. A thread's score is BM25F over its document's columns: each
// query word's weighted count across the columns is saturated (k1) and
// multiplied by the word's inverse document frequency, then a solved thread's
// score is multiplied by solvedBoost. The accepted answer is a column of its
// own, so a match there counts like a match in the question.
//
// On SQLite the weighted counts come from FTS4's matchinfo 'y' (hits per word
// per column for the row), the cheapest matchinfo there is; document
// frequencies come from a small cache (state). On PostgreSQL the same
// idea is ts_rank_cd with weights A (title) > B (question) = C (answer).
const (
	weightTitle    = 5.0
	weightQuestion = 1.5
	weightAnswer   = 1.5
	bm25K1         = 1.2
	solvedBoost    = 1.3
)

// headFilter narrows a ranked search.
type headFilter struct {
	board   int64
	status  Status
	since   int64  // ms; 0 for any time
	lang    string // the language threads were asked in; "" for any
	noBoost bool   // rank by text alone (similar questions, already all solved)
}

type scored struct {
	id    int64
	score float64
}

// state caches document frequencies per brand and word, and each
// brand's document count, for idf. They change slowly; a few minutes of
// staleness moves scores by a hair.
type state struct {
	mu      sync.Mutex
	df      map[string]dfEntry
	ttl     time.Duration
	maxSize int
	solved  map[int64]solvedEntry // brand -> threads with an accepted answer
}

type dfEntry struct {
	n  int64
	at time.Time
}

func newState() *state {
	return &state{df: map[string]dfEntry{}, ttl: 5 * time.Minute, maxSize: 50000,
		solved: map[int64]solvedEntry{}}
}

func (st *state) get(m map[string]dfEntry, k string, now time.Time) (int64, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	e, ok := m[k]
	if !ok || now.Sub(e.at) > st.ttl {
		return 0, false
	}
	return e.n, true
}

func (st *state) put(m map[string]dfEntry, k string, n int64, now time.Time) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if len(m) >= st.maxSize {
		clear(m) // crude but bounded; hot words are back after one count each
	}
	m[k] = dfEntry{n: n, at: now}
}

// docFreq is how many of the brand's documents contain word.
func (s *Service) docFreq(ctx context.Context, brandID int64, word string) (int64, error) {
	now := s.now()
	key := fmt.Sprintf("%d|%s", brandID, word)
	if n, ok := s.cache.get(s.cache.df, key, now); ok {
		return n, nil
	}
	var n int64
	q, arg := `SELECT COUNT(*) FROM post_search_thread WHERE post_search_thread MATCH ? AND brand_id = ?`, `"`+word+`"`
	if s.db.Dialect() == sqldb.Postgres {
		q, arg = `SELECT COUNT(*) FROM post_search_thread WHERE doc @@ to_tsquery('english', ?) AND brand_id = ?`, word
	}
	if err := s.db.QueryRow(ctx, q, arg, brandID).Scan(&n); err != nil {
		return 0, fmt.Errorf("search: word frequency: %w", err)
	}
	s.cache.put(s.cache.df, key, n, now)
	return n, nil
}

// docCount is how many threads the brand has (an upper bound of its
// documents, which is all idf needs).
func (s *Service) docCount(ctx context.Context, brandID int64) (int64, error) {
	now := s.now()
	key := fmt.Sprint(brandID)
	if n, ok := s.cache.get(s.cache.df, "#"+key, now); ok {
		return n, nil
	}
	var n int64
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM threads WHERE brand_id = ?`, brandID).Scan(&n); err != nil {
		return 0, fmt.Errorf("search: thread count: %w", err)
	}
	s.cache.put(s.cache.df, "#"+key, n, now)
	return n, nil
}

func idf(n, df int64) float64 {
	return math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))
}

// rankThreads returns one page (offset, limit) of the brand's threads whose
// title, question or accepted answer contain every word, best first, and how
// many match in all. titleWeight may raise the title further (similar
// questions).
func (s *Service) rankThreads(ctx context.Context, brandID int64, terms []string, f headFilter, titleWeight float64, offset, limit int) ([]scored, int, error) {
	if s.db.Dialect() == sqldb.Postgres {
		return s.rankThreadsPG(ctx, brandID, terms, f, titleWeight, offset, limit)
	}
	idfs, ok, err := s.termIDFs(ctx, brandID, terms)
	if err != nil || !ok {
		return nil, 0, err
	}
	boost := f.status == StatusAny && !f.noBoost
	if s.usesLists(f) {
		var solved *idSet
		if boost {
			if solved, err = s.solvedSet(ctx, brandID); err != nil {
				return nil, 0, err
			}
		}
		best, total, err := s.scoreFromLists(ctx, brandID, terms, f, idfs, titleWeight, solved, offset+limit)
		if err != nil || offset >= len(best) {
			return nil, total, err
		}
		return best[offset:], total, nil
	}
	all, err := s.scoreMatches(ctx, brandID, terms, f, idfs, titleWeight)
	if err != nil {
		return nil, 0, err
	}
	total := len(all)
	if offset >= total {
		return nil, total, nil
	}
	k := min(offset+limit, total)
	if boost {
		if all, err = s.boostSolved(ctx, brandID, all, k); err != nil {
			return nil, 0, err
		}
	}
	return topK(all, k, betterScore)[offset:], total, nil
}

// termIDFs is each word's inverse document frequency in the brand. ok is
// false when some word is in no document: then nothing can match every word.
func (s *Service) termIDFs(ctx context.Context, brandID int64, terms []string) (idfs []float64, ok bool, err error) {
	n, err := s.docCount(ctx, brandID)
	if err != nil {
		return nil, false, err
	}
	idfs = make([]float64, len(terms))
	for i, t := range terms {
		df, err := s.docFreq(ctx, brandID, t)
		if err != nil {
			return nil, false, err
		}
		if df == 0 {
			return nil, false, nil
		}
		idfs[i] = idf(max(n, df), df)
	}
	return idfs, true, nil
}

// matchExpr is the full-text match for every word, narrowed by the filters
// that are tags in the same match. With no status filter, solved threads are
// boosted after matching (boostSolved): merging a tag posting list as long as
// the brand would cost more than one small query.
func matchExpr(terms []string, f headFilter) string {
	quoted := make([]string, len(terms))
	for i, t := range terms {
		quoted[i] = `"` + t + `"`
	}
	expr := strings.Join(quoted, " ")
	if f.board != 0 {
		expr += fmt.Sprintf(" tags:_b%d", f.board)
	}
	switch f.status {
	case StatusSolved:
		expr += " tags:_solved"
	case StatusUnanswered:
		expr += " tags:_unanswered"
	}
	return expr
}

// scoreMatches scores every matching document of the brand (BM25F over
// matchinfo 'y'), unsorted.
func (s *Service) scoreMatches(ctx context.Context, brandID int64, terms []string, f headFilter, idfs []float64, titleWeight float64) ([]scored, error) {
	w := [4]float64{titleWeight, weightQuestion, weightAnswer, 0}
	q := `SELECT docid, matchinfo(post_search_thread, 'y') FROM post_search_thread WHERE post_search_thread MATCH ? AND brand_id = ?`
	args := []any{matchExpr(terms, f), brandID}
	if f.since != 0 || f.lang != "" {
		// The thread's own columns narrow the matches: a join per match,
		// paid only by searches that ask for it.
		q = `SELECT post_search_thread.docid, matchinfo(post_search_thread, 'y') FROM post_search_thread
JOIN threads t ON t.id = post_search_thread.docid
WHERE post_search_thread MATCH ? AND post_search_thread.brand_id = ? AND t.created_at >= ?`
		args = append(args, f.since)
		if f.lang != "" {
			q += ` AND t.language = ?`
			args = append(args, f.lang)
		}
	}
	rows, err := s.db.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("search: search: %w", err)
	}
	defer rows.Close()
	var all []scored
	for rows.Next() {
		var id int64
		var mi sql.RawBytes
		if err := rows.Scan(&id, &mi); err != nil {
			return nil, err
		}
		all = append(all, scored{id: id, score: bm25Row(mi, idfs, w[:])})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search: search: %w", err)
	}
	return all, nil
}

// boostSolved multiplies solved threads' scores by solvedBoost, looking up
// only the rows whose boosted score could reach the k best, and returns
// those rows.
func (s *Service) boostSolved(ctx context.Context, brandID int64, all []scored, k int) ([]scored, error) {
	// Rows below kth/solvedBoost cannot reach the page even if solved.
	kth := topK(all, k, betterScore)[k-1].score
	var cand []scored
	for _, x := range all {
		if x.score*solvedBoost >= kth {
			cand = append(cand, x)
		}
	}
	set, err := s.solvedSet(ctx, brandID)
	if err != nil {
		return nil, err
	}
	for i := range cand {
		if set.has(cand[i].id) {
			cand[i].score *= solvedBoost
		}
	}
	return cand, nil
}

func betterScore(a, b scored) int {
	switch {
	case a.score > b.score:
		return -1
	case a.score < b.score:
		return 1
	case a.id > b.id:
		return -1
	case a.id < b.id:
		return 1
	}
	return 0
}

// solvedAmong returns which of the threads have an accepted answer, from a
// per-brand set kept in memory: loaded once (one index scan), then updated by
// the accept and withdraw hooks and reloaded after state.ttl, so
// boosting thousands of candidates costs bit tests, not queries.
func (s *Service) solvedAmong(ctx context.Context, brandID int64, xs []scored) (map[int64]bool, error) {
	set, err := s.solvedSet(ctx, brandID)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]bool)
	for _, x := range xs {
		if set.has(x.id) {
			out[x.id] = true
		}
	}
	return out, nil
}

func (s *Service) solvedSet(ctx context.Context, brandID int64) (*idSet, error) {
	now := s.now()
	s.cache.mu.Lock()
	e, ok := s.cache.solved[brandID]
	s.cache.mu.Unlock()
	if ok && now.Sub(e.at) <= s.cache.ttl {
		return e.ids, nil
	}
	ids, err := sqldb.Int64s(s.db.Query(ctx, `SELECT id FROM threads WHERE brand_id = ? AND accepted_post_id IS NOT NULL`, brandID))
	if err != nil {
		return nil, fmt.Errorf("search: solved threads: %w", err)
	}
	set := &idSet{}
	for _, id := range ids {
		set = set.with(id, true)
	}
	s.cache.mu.Lock()
	s.cache.solved[brandID] = solvedEntry{ids: set, at: now}
	s.cache.mu.Unlock()
	return set, nil
}

// noteSolved keeps the in-memory solved sets in step with accepts and
// withdrawals (called from searchHook).
func (st *state) noteSolved(brandID, threadID int64, solved bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if e, ok := st.solved[brandID]; ok {
		e.ids = e.ids.copy().with(threadID, solved)
		st.solved[brandID] = e
	}
}

type solvedEntry struct {
	ids *idSet // never changed once shared: noteSolved replaces it
	at  time.Time
}

// idSet is a set of thread ids as bits: a 100,000-thread brand's solved
// threads take 12.5 KB, and a test is a shift and a mask.
type idSet struct{ bits []uint64 }

func (s *idSet) has(id int64) bool {
	i := uint64(id) / 64
	return id >= 0 && i < uint64(len(s.bits)) && s.bits[i]&(1<<(uint64(id)%64)) != 0
}

func (s *idSet) copy() *idSet { return &idSet{bits: slices.Clone(s.bits)} }

// with sets or clears id in s itself (callers own s) and returns s.
func (s *idSet) with(id int64, on bool) *idSet {
	if id < 0 {
		return s
	}
	i := int(uint64(id) / 64)
	if i >= len(s.bits) {
		if !on {
			return s
		}
		s.bits = append(s.bits, make([]uint64, i+1-len(s.bits))...)
	}
	if on {
		s.bits[i] |= 1 << (uint64(id) % 64)
	} else {
		s.bits[i] &^= 1 << (uint64(id) % 64)
	}
	return s
}

// topK returns the k best of xs in order, in O(n log k).
func topK(xs []scored, k int, cmp func(a, b scored) int) []scored {
	if k <= 0 {
		return nil
	}
	h := make([]scored, 0, k+1) // kept sorted best first; k is a page or two
	for _, x := range xs {
		if len(h) == k && cmp(x, h[k-1]) >= 0 {
			continue
		}
		i, _ := slices.BinarySearchFunc(h, x, cmp)
		h = slices.Insert(h, i, x)
		if len(h) > k {
			h = h[:k]
		}
	}
	return h
}

// bm25Row scores one row from matchinfo 'y': for phrase i and column j,
// the hits are at y[i*cols+j]. Phrases after the query words are tag filters.
func bm25Row(mi []byte, idfs []float64, w []float64) float64 {
	cols := len(w)
	s := 0.0
	for i, idf := range idfs {
		tf := 0.0
		for j := range cols {
			o := 4 * (i*cols + j)
			if o+4 > len(mi) {
				return s
			}
			tf += w[j] * float64(binary.LittleEndian.Uint32(mi[o:]))
		}
		s += idf * tf * (bm25K1 + 1) / (tf + bm25K1)
	}
	return s
}

func (s *Service) rankThreadsPG(ctx context.Context, brandID int64, terms []string, f headFilter, titleWeight float64, offset, limit int) ([]scored, int, error) {
	where := ""
	args := []any{fmt.Sprintf("{0.1, %.1f, %.1f, %.1f}", weightAnswer/titleWeight, weightQuestion/titleWeight, 1.0),
		strings.Join(terms, " & "), solvedBoost, brandID}
	if f.board != 0 {
		where += " AND board_id = ?"
		args = append(args, f.board)
	}
	switch f.status {
	case StatusSolved:
		where += " AND solved = 1"
	case StatusUnanswered:
		where += " AND answered = 0"
	}
	if f.since != 0 {
		where += " AND created_at >= ?"
		args = append(args, f.since)
	}
	if f.lang != "" {
		where += " AND EXISTS (SELECT 1 FROM threads t WHERE t.id = thread_id AND t.language = ?)"
		args = append(args, f.lang)
	}
	args = append(args, limit, offset)
	rows, err := s.db.Query(ctx, `SELECT thread_id, ts_rank_cd(CAST(? AS float4[]), doc, q) * (CASE WHEN solved = 1 THEN ? ELSE 1 END) AS score,
  COUNT(*) OVER ()
FROM post_search_thread, to_tsquery('english', ?) q
WHERE brand_id = ? AND doc @@ q`+where+`
ORDER BY score DESC, thread_id DESC LIMIT ? OFFSET ?`, reorderPG(args)...)
	if err != nil {
		return nil, 0, fmt.Errorf("search: search: %w", err)
	}
	defer rows.Close()
	var out []scored
	total := 0
	for rows.Next() {
		var sc scored
		if err := rows.Scan(&sc.id, &sc.score, &total); err != nil {
			return nil, 0, err
		}
		out = append(out, sc)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("search: search: %w", err)
	}
	if len(out) == 0 && offset > 0 {
		// Past the end: the window function had no row to report the total on.
		if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM post_search_thread WHERE brand_id = ? AND doc @@ to_tsquery('english', ?)`,
			brandID, strings.Join(terms, " & ")).Scan(&total); err != nil {
			return nil, 0, err
		}
	}
	return out, total, nil
}

// reorderPG puts the arguments in the order the placeholders appear: the
// weights and the boost come first in the SELECT list, the query text in FROM.
func reorderPG(args []any) []any {
	out := []any{args[0], args[2], args[1]}
	return append(out, args[3:]...)
}
