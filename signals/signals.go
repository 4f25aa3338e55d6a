// Package signals reads what members' posts say beyond their words, for
// the brand's people who act on it: each post's sentiment (a lexicon model
// for short social text, run inside the binary), the churn phrases that say
// a customer is leaving or complaining, and the buying phrases that make a
// sales lead. It owns post_signals, one derived row per post, written just
// after the post commits by a background scorer (so posting pays nothing)
// and rewritten inside the edit's transaction when a post changes. It reads
// the forum's content and never imports HTTP.
package signals

import (
	"context"
	"fmt"
	"strings"
	"time"

	"mutual/forum"
	"mutual/markup"
	"mutual/sqldb"
)

// Service scores posts and reports on their signals.
type Service struct {
	db  *sqldb.DB
	now func() time.Time
}

// New returns the service.
func New(db *sqldb.DB, now func() time.Time) *Service { return &Service{db: db, now: now} }

// Read is what one post says: its sentiment when its language has a
// lexicon, and its churn and buying phrases.
type Read struct {
	Scored    bool
	Sentiment float64
	Churn     string
	Lead      string
}

// ReadPost reads a post's signals; title is the thread's title for a
// question (it is part of what the asker said) and "" for a reply.
func ReadPost(language, title, bodyMD string) Read {
	text := markup.PlainText(bodyMD)
	if title != "" {
		text = title + ".\n" + text
	}
	r := Read{Churn: Churn(text), Lead: Lead(text)}
	if Scores(language) {
		r.Scored, r.Sentiment = true, Score(text)
	}
	return r
}

// source is a post as the scorer reads it.
type source struct {
	PostID, BrandID, BoardID, ThreadID, AuthorID int64
	Question                                     bool
	CreatedAt, Revision                          int64
	Language, Title, Body                        string
}

const sourceCols = `SELECT p.id, p.brand_id, t.board_id, p.thread_id, p.author_id, p.is_question, p.created_at, p.revision_count, t.language, t.title, p.body_md
FROM posts p JOIN threads t ON t.id = p.thread_id `

func scanSources(rows interface {
	Next() bool
	Scan(...any) error
	Err() error
}) ([]source, error) {
	var out []source
	for rows.Next() {
		var s source
		var q int64
		if err := rows.Scan(&s.PostID, &s.BrandID, &s.BoardID, &s.ThreadID, &s.AuthorID, &q, &s.CreatedAt, &s.Revision, &s.Language, &s.Title, &s.Body); err != nil {
			return nil, err
		}
		s.Question = q != 0
		out = append(out, s)
	}
	return out, rows.Err()
}

// read is src's signals: a question's title is part of what it says.
func (src source) read() Read {
	title := ""
	if src.Question {
		title = src.Title
	}
	return ReadPost(src.Language, title, src.Body)
}

// write stores r, src's signals, leaving a row already there alone.
func write(ctx context.Context, tx *sqldb.Tx, src source, r Read) error {
	_, err := tx.Exec(ctx, `INSERT INTO post_signals (post_id, brand_id, board_id, thread_id, author_id, is_question, created_at,
language, scored, sentiment, churn_phrase, lead_phrase) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (post_id) DO NOTHING`, src.PostID, src.BrandID, src.BoardID, src.ThreadID, src.AuthorID, b2i(src.Question),
		src.CreatedAt, src.Language, b2i(r.Scored), r.Sentiment, r.Churn, r.Lead)
	if err != nil {
		return fmt.Errorf("signals: write post %d: %w", src.PostID, err)
	}
	return nil
}

// rewrite replaces the signals an earlier text of src left. A post with no
// row yet keeps none: ScoreNew reads its text as it is when it gets there,
// and a row written here, above posts ScoreNew has not reached, would make
// it pass over them where it reads only above the newest row.
func rewrite(ctx context.Context, tx *sqldb.Tx, src source, r Read) error {
	_, err := tx.Exec(ctx, `UPDATE post_signals SET language = ?, scored = ?, sentiment = ?, churn_phrase = ?, lead_phrase = ?, board_id = ?
WHERE post_id = ?`, src.Language, b2i(r.Scored), r.Sentiment, r.Churn, r.Lead, src.BoardID, src.PostID)
	if err != nil {
		return fmt.Errorf("signals: rescore post %d: %w", src.PostID, err)
	}
	return nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Hook rescores an edited post inside the edit's transaction, so a report
// never shows what a post said before it was changed. New posts, edited or
// not, are left to ScoreNew, just after they commit.
func (s *Service) Hook(ctx context.Context, tx *sqldb.Tx, ev forum.Event) error {
	if ev.Kind != forum.PostEdited || ev.PostID == 0 {
		return nil
	}
	rows, err := tx.Query(ctx, sourceCols+`WHERE p.id = ?`, ev.PostID)
	if err != nil {
		return fmt.Errorf("signals: read edited post: %w", err)
	}
	srcs, err := scanSources(rows)
	rows.Close()
	if err != nil || len(srcs) == 0 {
		return err
	}
	return rewrite(ctx, tx, srcs[0], srcs[0].read())
}

// rescanWindow is how far below the newest scored post ScoreNew looks
// again for posts without a row where a post's id can commit after a
// higher one's (sqldb.DB.Lookback).
const rescanWindow = 1000

// ScoreNew scores up to limit posts that have no signals yet, oldest first,
// in one write transaction, and returns how many it scored. The server
// calls it every moment; on a database written before signals existed, it
// works through the backlog a batch at a time.
func (s *Service) ScoreNew(ctx context.Context, limit int) (int, error) {
	var top int64
	if err := s.db.QueryRow(ctx, `SELECT COALESCE(MAX(post_id), 0) FROM post_signals`).Scan(&top); err != nil {
		return 0, fmt.Errorf("signals: newest scored: %w", err)
	}
	rows, err := s.db.Query(ctx, sourceCols+`LEFT JOIN post_signals s ON s.post_id = p.id
WHERE p.id > ? AND s.post_id IS NULL ORDER BY p.id LIMIT ?`, top-s.db.Lookback(rescanWindow), limit)
	if err != nil {
		return 0, fmt.Errorf("signals: unscored posts: %w", err)
	}
	srcs, err := scanSources(rows)
	rows.Close()
	if err != nil || len(srcs) == 0 {
		return 0, err
	}
	// Read outside the transaction: the single writer waits only for the
	// rows.
	reads := make([]Read, len(srcs))
	for i, src := range srcs {
		reads[i] = src.read()
	}
	return store(ctx, s.db, srcs, reads)
}

// store writes the signals read of srcs (in id order) up to the first post
// edited since it was read. An edit rescores only a post already scored
// (rewrite), so that post is read again on the next turn, with its new
// text; the posts after it wait too, so none is left below the newest row.
// It returns how many it wrote.
func store(ctx context.Context, db *sqldb.DB, srcs []source, reads []Read) (int, error) {
	n := 0
	err := db.InTx(ctx, func(tx *sqldb.Tx) error {
		ids := make([]int64, len(srcs))
		for i, src := range srcs {
			ids[i] = src.PostID
		}
		now, err := revisions(ctx, tx, ids)
		if err != nil {
			return err
		}
		for n = 0; n < len(srcs) && now[srcs[n].PostID] == srcs[n].Revision; n++ {
			if err := write(ctx, tx, srcs[n], reads[n]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// revisions is each post's revision count now.
func revisions(ctx context.Context, tx *sqldb.Tx, ids []int64) (map[int64]int64, error) {
	in, args := sqldb.InList(ids)
	rows, err := tx.Query(ctx, `SELECT id, revision_count FROM posts WHERE id IN (`+in+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("signals: posts' revisions: %w", err)
	}
	defer rows.Close()
	out := make(map[int64]int64, len(ids))
	for rows.Next() {
		var id, rev int64
		if err := rows.Scan(&id, &rev); err != nil {
			return nil, fmt.Errorf("signals: posts' revisions: %w", err)
		}
		out[id] = rev
	}
	return out, rows.Err()
}

func phraseList(list []phrase) []string {
	out := make([]string, len(list))
	for i, p := range list {
		out[i] = strings.Join(p, " ")
	}
	return out
}

// ChurnPhrases and LeadPhrases are the phrases the readers look for, as
// docs/intelligence.md lists them.
func ChurnPhrases() []string { return phraseList(churnPhrases) }

// LeadPhrases are the buying phrases.
func LeadPhrases() []string { return phraseList(leadPhrases) }
