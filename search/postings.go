package search

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"
	"unicode"

	"mutual/sqldb"
)

// Word lists. On SQLite, ranking used to read and score every document
// holding the query's words for every search: tens of thousands of rows for
// a common word, 10 ms and more. Instead, each word's documents are read
// once, with their hits per column (FTS4's matchinfo 'y', as before), and
// kept in memory in thread order; a search intersects the lists of its words
// and filter tags and scores the intersection in Go, with the same BM25F as
// before. A list records the position in post_search_changes it reflects;
// when documents changed since, only those documents are read again and the
// list is patched (copy on write). Lists are read again after listTTL, and
// the least recently used go when the cache is over its size.

// posting is one document holding a word: its thread and the word's hits
// in the title, question and answer columns (the tags column counts only
// for filter lists, which are not scored).
type posting struct {
	id   uint32
	hits [3]uint16
}

const postingBytes = 12

// A list's docs, seq and at never change once it is shared (a patch makes
// a new list); used changes under postingCache.mu.
type postingList struct {
	docs []posting // ascending id
	seq  int64     // post_search_changes position the list reflects
	at   time.Time // when it was read from the index
	used time.Time // for the least-recently-used bound
}

// listKey names a list: a word of a person's query, or a filter tag (such
// as _b12 or _solved) matched in the tags column only.
type listKey struct {
	brand int64
	word  string
	tag   bool
}

func (k listKey) match() string {
	if k.tag {
		return "tags:" + k.word
	}
	return `"` + k.word + `"`
}

// Bounds of the word lists.
const (
	listTTL       = 5 * time.Minute
	listMaxBytes  = 16 << 20 // about 1.4 million postings
	maxPatchDocs  = 2000     // more changed documents than this: read the list again
	keepChangeLog = 20000    // rows of post_search_changes the indexer keeps
)

type postingCache struct {
	mu       sync.Mutex
	lists    map[listKey]*postingList
	loading  map[listKey]chan struct{}
	bytes    int
	maxBytes int
}

func newPostingCache() *postingCache {
	return &postingCache{lists: map[listKey]*postingList{}, loading: map[listKey]chan struct{}{}, maxBytes: listMaxBytes}
}

// changeSeq is the newest position of post_search_changes.
func changeSeq(ctx context.Context, q sqldb.Querier) (int64, error) {
	var seq int64
	if err := q.QueryRow(ctx, `SELECT COALESCE(MAX(seq), 0) FROM post_search_changes`).Scan(&seq); err != nil {
		return 0, fmt.Errorf("search: change log: %w", err)
	}
	return seq, nil
}

// postingLists returns the lists for keys, current as of the change log's
// position seq: read from the index when missing or old, patched when
// documents changed since they were read.
func (s *Service) postingLists(ctx context.Context, keys []listKey, seq int64) ([]*postingList, error) {
	out := make([]*postingList, len(keys))
	var stale []int
	var from int64 = math.MaxInt64
	for i, k := range keys {
		l, err := s.lists.get(ctx, s.db, k, seq, s.now())
		if err != nil {
			return nil, err
		}
		out[i] = l
		if l.seq < seq {
			stale = append(stale, i)
			from = min(from, l.seq)
		}
	}
	if len(stale) == 0 {
		return out, nil
	}
	changed, err := s.changedDocs(ctx, from, seq)
	if err != nil {
		return nil, err
	}
	for _, i := range stale {
		out[i] = s.lists.patch(keys[i], out[i], changed, seq, s.now())
	}
	return out, nil
}

// get returns the cached list for k, reading it from the index when it is
// missing, older than listTTL, or too far behind seq to patch. One reader
// per list: concurrent searches for the same word wait for it.
func (pc *postingCache) get(ctx context.Context, db *sqldb.DB, k listKey, seq int64, now time.Time) (*postingList, error) {
	for {
		pc.mu.Lock()
		l, ok := pc.lists[k]
		if ok && now.Sub(l.at) < listTTL && seq-l.seq <= maxPatchDocs {
			l.used = now
			pc.mu.Unlock()
			return l, nil
		}
		wait, busy := pc.loading[k]
		if !busy {
			done := make(chan struct{})
			pc.loading[k] = done
			pc.mu.Unlock()
			l, err := loadPostings(ctx, db, k, seq, now)
			pc.mu.Lock()
			delete(pc.loading, k)
			close(done)
			if err == nil {
				pc.store(k, l)
			}
			pc.mu.Unlock()
			return l, err
		}
		pc.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// store keeps l unless a newer list for k is there already, dropping the
// least recently used lists beyond the size bound. Call with pc.mu held.
func (pc *postingCache) store(k listKey, l *postingList) {
	if old, ok := pc.lists[k]; ok {
		if old.seq > l.seq {
			return
		}
		pc.bytes -= len(old.docs) * postingBytes
	}
	pc.lists[k] = l
	pc.bytes += len(l.docs) * postingBytes
	for pc.bytes > pc.maxBytes && len(pc.lists) > 1 {
		var oldest listKey
		var at time.Time
		for key, x := range pc.lists {
			if key != k && (at.IsZero() || x.used.Before(at)) {
				oldest, at = key, x.used
			}
		}
		pc.bytes -= len(pc.lists[oldest].docs) * postingBytes
		delete(pc.lists, oldest)
	}
}

// loadPostings reads a list from the index. seq was read before, so the
// list reflects at least every change up to it.
func loadPostings(ctx context.Context, db *sqldb.DB, k listKey, seq int64, now time.Time) (*postingList, error) {
	rows, err := db.Query(ctx, `SELECT docid, matchinfo(post_search_thread, 'y') FROM post_search_thread
WHERE post_search_thread MATCH ? AND brand_id = ?`, k.match(), k.brand)
	if err != nil {
		return nil, fmt.Errorf("search: word list: %w", err)
	}
	defer rows.Close()
	l := &postingList{seq: seq, at: now, used: now}
	for rows.Next() {
		var id int64
		var mi sql.RawBytes
		if err := rows.Scan(&id, &mi); err != nil {
			return nil, err
		}
		if id < 0 || id > math.MaxUint32 || len(mi) < 16 {
			return nil, fmt.Errorf("search: word list: document %d does not fit", id)
		}
		p := posting{id: uint32(id)}
		for j := range p.hits {
			p.hits[j] = sat16(binary.LittleEndian.Uint32(mi[4*j:]))
		}
		l.docs = append(l.docs, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search: word list: %w", err)
	}
	slices.SortFunc(l.docs, func(a, b posting) int { return int(a.id) - int(b.id) })
	return l, nil
}

func sat16(n uint32) uint16 { return uint16(min(n, math.MaxUint16)) }

// changedDoc is a document as it is now, or gone (a thread hidden or
// deleted).
type changedDoc struct {
	brand int64
	gone  bool
	cols  [4]string // title, question, answer, tags
}

// changedDocs reads the documents of the threads logged after position
// from up to seq.
func (s *Service) changedDocs(ctx context.Context, from, seq int64) (map[uint32]changedDoc, error) {
	ids, err := sqldb.Int64s(s.db.Query(ctx, `SELECT DISTINCT thread_id FROM post_search_changes WHERE seq > ? AND seq <= ?`, from, seq))
	if err != nil {
		return nil, fmt.Errorf("search: changed documents: %w", err)
	}
	out := make(map[uint32]changedDoc, len(ids))
	for _, id := range ids {
		out[uint32(id)] = changedDoc{gone: true}
	}
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), 500)]
		ids = ids[len(chunk):]
		in, args := sqldb.InList(chunk)
		rows, err := s.db.Query(ctx, `SELECT docid, brand_id, title, question, answer, tags FROM post_search_thread WHERE docid IN (`+in+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("search: changed documents: %w", err)
		}
		for rows.Next() {
			var id int64
			var d changedDoc
			if err := rows.Scan(&id, &d.brand, &d.cols[0], &d.cols[1], &d.cols[2], &d.cols[3]); err != nil {
				rows.Close()
				return nil, err
			}
			out[uint32(id)] = d
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// patch brings l up to seq: the changed documents leave it, and those that
// now hold the word come back with their hits as they are now.
func (pc *postingCache) patch(k listKey, l *postingList, changed map[uint32]changedDoc, seq int64, now time.Time) *postingList {
	word := fold(k.word)
	next := &postingList{docs: make([]posting, 0, len(l.docs)+len(changed)), seq: seq, at: l.at, used: now}
	for _, p := range l.docs {
		if _, ok := changed[p.id]; !ok {
			next.docs = append(next.docs, p)
		}
	}
	added := false
	for id, d := range changed {
		if d.gone || d.brand != k.brand {
			continue
		}
		var p posting
		if k.tag {
			if tokenHits(d.cols[3], word) == 0 {
				continue
			}
		} else {
			n := 0
			for j := range p.hits {
				h := tokenHits(d.cols[j], word)
				p.hits[j] = sat16(uint32(h))
				n += h
			}
			if n+tokenHits(d.cols[3], word) == 0 {
				continue
			}
		}
		p.id = id
		next.docs = append(next.docs, p)
		added = true
	}
	if added {
		slices.SortFunc(next.docs, func(a, b posting) int { return int(a.id) - int(b.id) })
	}
	pc.mu.Lock()
	pc.store(k, next)
	pc.mu.Unlock()
	return next
}

// tokenHits counts the tokens of text equal to word (folded).
func tokenHits(text, word string) int {
	n := 0
	eachToken(text, func(tok string) {
		if fold(tok) == word {
			n++
		}
	})
	return n
}

// eachToken calls fn with each token of text as the index's unicode61
// tokenizer splits it: letters, numbers and "_" make tokens, and combining
// diacritics stay inside them (fold lowers a token and strips them).
func eachToken(text string, fn func(tok string)) {
	start := -1
	for i, r := range text {
		switch {
		case unicode.IsLetter(r) || unicode.IsNumber(r) || r == '_':
			if start < 0 {
				start = i
			}
		case start >= 0 && r >= 0x300 && r <= 0x36f: // a combining diacritic continues the token
		default:
			if start >= 0 {
				fn(text[start:i])
				start = -1
			}
		}
	}
	if start >= 0 {
		fn(text[start:])
	}
}

// intersect lists the documents in every list, with each list's posting
// for them, in thread order. Shortest list first; the others are searched
// by galloping, so a rare word against a common one costs little.
func intersect(lists []*postingList, each func(i int, ps []posting)) {
	if len(lists) == 0 {
		return
	}
	order := make([]int, len(lists))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return len(lists[a].docs) - len(lists[b].docs) })
	pos := make([]int, len(lists))
	ps := make([]posting, len(lists))
	driver := lists[order[0]].docs
next:
	for _, d := range driver {
		ps[order[0]] = d
		for _, o := range order[1:] {
			docs := lists[o].docs
			j := gallop(docs, pos[o], d.id)
			pos[o] = j
			if j == len(docs) {
				return
			}
			if docs[j].id != d.id {
				continue next
			}
			ps[o] = docs[j]
		}
		each(int(d.id), ps)
	}
}

// gallop finds the first index at or after from whose id is at least id.
func gallop(docs []posting, from int, id uint32) int {
	step, lo := 1, from
	hi := from
	for hi < len(docs) && docs[hi].id < id {
		lo = hi + 1
		hi += step
		step *= 2
	}
	hi = min(hi, len(docs))
	j, _ := slices.BinarySearchFunc(docs[lo:hi], id, func(p posting, id uint32) int { return int(p.id) - int(id) })
	return lo + j
}

// filterKeys are the tag lists a filter needs (as matchExpr puts them in
// the full-text match).
func filterKeys(brandID int64, f headFilter) []listKey {
	var keys []listKey
	if f.board != 0 {
		keys = append(keys, listKey{brand: brandID, word: fmt.Sprintf("_b%d", f.board), tag: true})
	}
	switch f.status {
	case StatusSolved:
		keys = append(keys, listKey{brand: brandID, word: "_solved", tag: true})
	case StatusUnanswered:
		keys = append(keys, listKey{brand: brandID, word: "_unanswered", tag: true})
	}
	return keys
}

// scoreFromLists ranks the documents holding all terms and passing the
// filter's tags, from the word lists, with the BM25F of scoreMatches (and
// solved threads' scores multiplied by solvedBoost when solved is not nil,
// as boostSolved does): the k best in order, and how many match. Only the k
// best are kept while the lists are walked.
func (s *Service) scoreFromLists(ctx context.Context, brandID int64, terms []string, f headFilter, idfs []float64, titleWeight float64, solved *idSet, k int) ([]scored, int, error) {
	seq, err := changeSeq(ctx, s.db)
	if err != nil {
		return nil, 0, err
	}
	keys := make([]listKey, 0, len(terms)+2)
	for _, t := range terms {
		keys = append(keys, listKey{brand: brandID, word: t})
	}
	keys = append(keys, filterKeys(brandID, f)...)
	lists, err := s.postingLists(ctx, keys, seq)
	if err != nil {
		return nil, 0, err
	}
	w := [3]float64{titleWeight, weightQuestion, weightAnswer}
	best := topCollector{k: k}
	total := 0
	intersect(lists, func(id int, ps []posting) {
		total++
		sc := 0.0
		for i, idf := range idfs {
			tf := 0.0
			for j, h := range ps[i].hits {
				tf += w[j] * float64(h)
			}
			sc += idf * tf * (bm25K1 + 1) / (tf + bm25K1)
		}
		if solved != nil && solved.has(int64(id)) {
			sc *= solvedBoost
		}
		best.add(scored{id: int64(id), score: sc})
	})
	return best.h, total, nil
}

// topCollector keeps the k best scored documents seen, best first (as topK
// does, without holding the rest).
type topCollector struct {
	k int
	h []scored
}

func (c *topCollector) add(x scored) {
	if c.k <= 0 || (len(c.h) == c.k && betterScore(x, c.h[c.k-1]) >= 0) {
		return
	}
	i, _ := slices.BinarySearchFunc(c.h, x, betterScore)
	c.h = slices.Insert(c.h, i, x)
	if len(c.h) > c.k {
		c.h = c.h[:c.k]
	}
}

// usesLists says whether a search can be answered from the word lists: on
// SQLite, without a date or language filter (which the lists do not hold).
func (s *Service) usesLists(f headFilter) bool {
	return s.lists != nil && s.db.Dialect() == sqldb.SQLite && f.since == 0 && f.lang == ""
}
