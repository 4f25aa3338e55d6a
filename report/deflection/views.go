package deflection

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"mutual/sqldb"
)

// Day is a whole UTC day since the epoch, the unit of viewer-days.
func Day(t time.Time) int64 { return t.UTC().Unix() / 86400 }

// crawlerWords mark user agents of bots, link previews and scripted clients;
// their reads are not people being helped. Lower-case substrings.
var crawlerWords = []string{"bot", "crawl", "spider", "slurp", "facebookexternalhit", "embedly", "preview",
	"python-requests", "python-urllib", "curl/", "wget", "go-http-client", "httpclient", "okhttp", "scrapy",
	"feedfetcher", "mediapartners", "lighthouse", "pingdom", "uptime", "monitor"}

// IsCrawler reports whether a user agent is a robot's (or missing).
func IsCrawler(ua string) bool {
	ua = strings.ToLower(strings.TrimSpace(ua))
	if ua == "" {
		return true
	}
	for _, w := range crawlerWords {
		if strings.Contains(ua, w) {
			return true
		}
	}
	return false
}

// MemberKey is a signed-in member's viewer key.
func MemberKey(userID int64) string { return fmt.Sprintf("u%d", userID) }

type viewKey struct {
	brandID, threadID, day int64 // threadID is the article's id for an article
	viewer                 string
	article                bool // a knowledge-base article's reader, not a thread's
}

// Views counts unique viewer-days per thread. Record only notes a view in
// memory (a page view must stay cheap: thread pages are served from a cache);
// Flush writes the batch in one transaction. Run flushes on a timer and once
// more when its context ends, before the database closes, so views noted
// before a graceful shutdown are written. A crash loses at most one interval
// of views, which were never acknowledged to anyone.
type Views struct {
	db    *sqldb.DB
	now   func() time.Time
	log   *slog.Logger
	mu    sync.Mutex
	batch map[viewKey]struct{}
	kick  chan struct{}

	saltMu sync.Mutex
	salts  map[int64][]byte
}

// maxBatch bounds memory between flushes; reaching it asks for an early flush.
const maxBatch = 50000

// NewViews returns a view counter writing to db.
func NewViews(db *sqldb.DB, now func() time.Time, log *slog.Logger) *Views {
	return &Views{db: db, now: now, log: log, batch: map[viewKey]struct{}{}, kick: make(chan struct{}, 1), salts: map[int64][]byte{}}
}

// Record notes that viewer read the thread today.
func (v *Views) Record(brandID, threadID int64, viewer string) {
	v.note(viewKey{brandID: brandID, threadID: threadID, day: Day(v.now()), viewer: viewer})
}

// RecordArticle notes that viewer read a knowledge-base article today.
// Article readers count toward self-service deflection as solved threads'
// readers do: one viewer-day each, robots excluded, the proposer's own
// reads excluded as an asker's are, published articles only.
func (v *Views) RecordArticle(brandID, articleID int64, viewer string) {
	v.note(viewKey{brandID: brandID, threadID: articleID, day: Day(v.now()), viewer: viewer, article: true})
}

func (v *Views) note(k viewKey) {
	v.mu.Lock()
	v.batch[k] = struct{}{}
	full := len(v.batch) >= maxBatch
	v.mu.Unlock()
	if full {
		select {
		case v.kick <- struct{}{}:
		default:
		}
	}
}

// Pending is how many noted views are not yet written.
func (v *Views) Pending() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return len(v.batch)
}

// Run flushes every interval until ctx ends, then flushes what is left.
func (v *Views) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			if _, err := v.Flush(fctx); err != nil {
				v.log.Error("deflection: final view flush", "err", err, "lost", v.Pending())
			}
			cancel()
			return
		case <-t.C:
		case <-v.kick:
		}
		if _, err := v.Flush(ctx); err != nil && ctx.Err() == nil {
			v.log.Error("deflection: view flush", "err", err)
		}
	}
}

type threadInfo struct {
	board, author int64
	solved        bool
	visible       bool
}

// Flush writes the noted views: new viewer-days are inserted, and those on a
// solved, visible thread by someone other than its asker are added to the
// roll-up. It returns how many new viewer-days were written. On error the
// views are kept for the next try.
func (v *Views) Flush(ctx context.Context) (int, error) {
	v.mu.Lock()
	batch := v.batch
	v.batch = map[viewKey]struct{}{}
	v.mu.Unlock()
	if len(batch) == 0 {
		return 0, nil
	}
	keys := make([]viewKey, 0, len(batch))
	for k := range batch {
		keys = append(keys, k)
	}
	var written int
	err := v.db.InTx(ctx, func(tx *sqldb.Tx) error {
		written = 0
		n, err := writeViews(ctx, tx, keys)
		written = n
		return err
	})
	if err != nil {
		v.mu.Lock()
		for k := range batch {
			v.batch[k] = struct{}{}
		}
		v.mu.Unlock()
		return 0, fmt.Errorf("deflection: write views: %w", err)
	}
	return written, nil
}

func writeViews(ctx context.Context, tx *sqldb.Tx, all []viewKey) (int, error) {
	var keys, articles []viewKey
	for _, k := range all {
		if k.article {
			articles = append(articles, k)
		} else {
			keys = append(keys, k)
		}
	}
	written, err := writeArticleViews(ctx, tx, articles)
	if err != nil || len(keys) == 0 {
		return written, err
	}
	n, err := writeThreadViews(ctx, tx, keys)
	return written + n, err
}

// writeArticleViews writes article readers' viewer-days: only on a
// published article, and not its proposer's.
func writeArticleViews(ctx context.Context, tx *sqldb.Tx, keys []viewKey) (int, error) {
	type articleInfo struct{ board, proposer int64 }
	info := map[int64]*articleInfo{}
	written := 0
	for _, k := range keys {
		ai, ok := info[k.threadID]
		if !ok {
			ai = &articleInfo{}
			err := tx.QueryRow(ctx, `SELECT board_id, COALESCE(proposer_id, 0) FROM kb_articles WHERE id = ? AND brand_id = ? AND state = 'published'`,
				k.threadID, k.brandID).Scan(&ai.board, &ai.proposer)
			if errors.Is(err, sql.ErrNoRows) {
				ai = nil
			} else if err != nil {
				return 0, err
			}
			info[k.threadID] = ai
		}
		if ai == nil || k.viewer == MemberKey(ai.proposer) {
			continue
		}
		res, err := tx.Exec(ctx, `INSERT INTO article_view_days (brand_id, article_id, day, viewer_key, board_id) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (article_id, day, viewer_key) DO NOTHING`, k.brandID, k.threadID, k.day, k.viewer, ai.board)
		if err != nil {
			return 0, err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			written++
		}
	}
	return written, nil
}

func writeThreadViews(ctx context.Context, tx *sqldb.Tx, keys []viewKey) (int, error) {
	info := map[int64]threadInfo{}
	ids := make([]int64, 0, len(keys))
	seen := map[int64]bool{}
	for _, k := range keys {
		if !seen[k.threadID] {
			seen[k.threadID] = true
			ids = append(ids, k.threadID)
		}
	}
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := tx.Query(ctx, `SELECT id, board_id, author_id, accepted_post_id IS NOT NULL, status FROM threads WHERE id IN (?`+
			strings.Repeat(",?", len(chunk)-1)+`)`, args...)
		if err != nil {
			return 0, err
		}
		for rows.Next() {
			var id int64
			var ti threadInfo
			var status string
			if err := rows.Scan(&id, &ti.board, &ti.author, &ti.solved, &status); err != nil {
				rows.Close()
				return 0, err
			}
			ti.visible = status == "visible"
			info[id] = ti
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return 0, err
		}
	}
	type cell struct{ brand, day, board int64 }
	add := map[cell]int64{}
	written := 0
	for _, k := range keys {
		ti, ok := info[k.threadID]
		if !ok {
			continue // the thread is gone
		}
		counted := ti.solved && k.viewer != MemberKey(ti.author)
		rolled := counted && ti.visible
		res, err := tx.Exec(ctx, `INSERT INTO thread_view_days (brand_id, thread_id, day, viewer_key, board_id, counted, rolled)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (thread_id, day, viewer_key) DO NOTHING`,
			k.brandID, k.threadID, k.day, k.viewer, ti.board, b2i(counted), b2i(rolled))
		if err != nil {
			return 0, err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			written++
			if rolled {
				add[cell{k.brandID, k.day, ti.board}]++
			}
		}
	}
	for c, n := range add {
		if err := bumpRollup(ctx, tx, c.brand, c.day, c.board, n); err != nil {
			return 0, err
		}
	}
	return written, nil
}

func bumpRollup(ctx context.Context, q sqldb.Querier, brand, day, board, n int64) error {
	_, err := q.Exec(ctx, `INSERT INTO report_view_rollup (brand_id, day, board_id, views) VALUES (?, ?, ?, ?)
		ON CONFLICT (brand_id, day, board_id) DO UPDATE SET views = report_view_rollup.views + excluded.views`, brand, day, board, n)
	return err
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// ResyncThread brings the roll-up in line with one thread after moderation
// changed it: its counted views leave the roll-up while it is not visible and
// come back (under its current board) when it is visible again.
func ResyncThread(ctx context.Context, q sqldb.Querier, brandID, threadID int64) error {
	var status string
	var board int64
	if err := q.QueryRow(ctx, `SELECT status, board_id FROM threads WHERE id = ? AND brand_id = ?`, threadID, brandID).Scan(&status, &board); err != nil {
		return fmt.Errorf("deflection: resync thread %d: %w", threadID, err)
	}
	type cell struct{ day, board int64 }
	var out []cell
	var outN []int64
	rows, err := q.Query(ctx, `SELECT day, board_id, COUNT(*) FROM thread_view_days WHERE thread_id = ? AND rolled = 1 GROUP BY day, board_id`, threadID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var c cell
		var n int64
		if err := rows.Scan(&c.day, &c.board, &n); err != nil {
			rows.Close()
			return err
		}
		out, outN = append(out, c), append(outN, n)
	}
	rows.Close()
	for i, c := range out {
		if err := bumpRollup(ctx, q, brandID, c.day, c.board, -outN[i]); err != nil {
			return err
		}
	}
	if _, err := q.Exec(ctx, `UPDATE thread_view_days SET rolled = 0, board_id = ? WHERE thread_id = ?`, board, threadID); err != nil {
		return err
	}
	if status != "visible" {
		return nil
	}
	out, outN = out[:0], outN[:0]
	rows, err = q.Query(ctx, `SELECT day, COUNT(*) FROM thread_view_days WHERE thread_id = ? AND counted = 1 GROUP BY day`, threadID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var c cell
		var n int64
		if err := rows.Scan(&c.day, &n); err != nil {
			rows.Close()
			return err
		}
		c.board = board
		out, outN = append(out, c), append(outN, n)
	}
	rows.Close()
	for i, c := range out {
		if err := bumpRollup(ctx, q, brandID, c.day, c.board, outN[i]); err != nil {
			return err
		}
	}
	_, err = q.Exec(ctx, `UPDATE thread_view_days SET rolled = 1 WHERE thread_id = ? AND counted = 1`, threadID)
	return err
}

// RebuildRollup recomputes a brand's view roll-up from thread_view_days, the
// truth it summarises (after an import, or to check it).
func RebuildRollup(ctx context.Context, db *sqldb.DB, brandID int64) error {
	return db.InTx(ctx, func(tx *sqldb.Tx) error {
		for _, q := range []string{
			`DELETE FROM report_view_rollup WHERE brand_id = ?`,
			`UPDATE thread_view_days SET rolled = 0 WHERE brand_id = ? AND rolled = 1`,
			`UPDATE thread_view_days SET rolled = 1, board_id = (SELECT t.board_id FROM threads t WHERE t.id = thread_view_days.thread_id)
				WHERE brand_id = ? AND counted = 1 AND thread_id IN (SELECT id FROM threads WHERE status = 'visible')`,
			`INSERT INTO report_view_rollup (brand_id, day, board_id, views)
				SELECT brand_id, day, board_id, COUNT(*) FROM thread_view_days WHERE brand_id = ? AND rolled = 1 GROUP BY brand_id, day, board_id`,
		} {
			if _, err := tx.Exec(ctx, q, brandID); err != nil {
				return fmt.Errorf("deflection: rebuild roll-up: %w", err)
			}
		}
		return nil
	})
}

// AnonKey is an anonymous reader's viewer key for today: a hash of their
// address and user agent under a salt that changes every UTC day and is
// deleted the day after, so no address can be recovered from it.
func (v *Views) AnonKey(ctx context.Context, addr, ua string) (string, error) {
	day := Day(v.now())
	salt, err := v.salt(ctx, day)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	h.Write(salt)
	h.Write([]byte{0})
	h.Write([]byte(addr))
	h.Write([]byte{0})
	h.Write([]byte(ua))
	return "a" + hex.EncodeToString(h.Sum(nil)[:16]), nil
}

func (v *Views) salt(ctx context.Context, day int64) ([]byte, error) {
	v.saltMu.Lock()
	defer v.saltMu.Unlock()
	if s, ok := v.salts[day]; ok {
		return s, nil
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	// Every instance must hash with the same salt on the same day, so the
	// first to need it stores it and the others read it.
	var salt string
	err := v.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO report_salts (day, salt) VALUES (?, ?) ON CONFLICT (day) DO NOTHING`, day, hex.EncodeToString(b)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM report_salts WHERE day < ?`, day-1); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT salt FROM report_salts WHERE day = ?`, day).Scan(&salt)
	})
	if err != nil {
		return nil, fmt.Errorf("deflection: daily salt: %w", err)
	}
	s, err := hex.DecodeString(salt)
	if err != nil || len(s) == 0 {
		return nil, errors.New("deflection: stored salt is not hex")
	}
	for d := range v.salts {
		if d < day-1 {
			delete(v.salts, d)
		}
	}
	v.salts[day] = s
	return s, nil
}
