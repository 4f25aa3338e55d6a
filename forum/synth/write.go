package synth

import (
	"context"
	"fmt"
	"strings"

	"mutual/sqldb"
)

// bulk is a multi-row INSERT: one statement carries many rows, so SQLite
// parses and the driver crosses into C once per chunk instead of per row.
type bulk struct {
	head string // "INSERT INTO t (a, b) VALUES "
	cols int
	per  int    // rows per full statement
	full string // the full statement, built once
	args []any
}

// maxParams stays under SQLite's default limit of 32,766 bound parameters.
const maxParams = 30000

func newBulk(head string, cols int) *bulk {
	b := &bulk{head: head, cols: cols, per: min(500, maxParams/cols)}
	b.full = b.sql(b.per)
	b.args = make([]any, b.per*cols)
	return b
}

func (b *bulk) sql(rows int) string {
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", b.cols), ", ") + ")"
	var s strings.Builder
	s.Grow(len(b.head) + rows*(len(one)+2))
	s.WriteString(b.head)
	for i := range rows {
		if i > 0 {
			s.WriteString(", ")
		}
		s.WriteString(one)
	}
	return s.String()
}

// run inserts n rows; row fills row i's arguments into a (len cols).
func (b *bulk) run(ctx context.Context, tx *sqldb.Tx, n int, row func(i int, a []any)) error {
	for lo := 0; lo < n; lo += b.per {
		k := min(b.per, n-lo)
		for i := range k {
			row(lo+i, b.args[i*b.cols:(i+1)*b.cols])
		}
		q := b.full
		if k < b.per {
			q = b.sql(k)
		}
		if _, err := tx.Exec(ctx, q, b.args[:k*b.cols]...); err != nil {
			return fmt.Errorf("%s...: %w", strings.TrimSpace(b.head[:min(len(b.head), 40)]), err)
		}
	}
	clear(b.args) // drop references to the batch's strings
	return nil
}

// writer holds one bulk statement per table; it is used by one goroutine.
type writer struct {
	threads, posts, revisions, kudos, events *bulk
}

func newWriter() *writer {
	return &writer{
		threads: newBulk(`INSERT INTO threads (id, brand_id, board_id, author_id, title, slug, created_at, last_activity_at,
reply_count, first_reply_at, first_peer_reply_at, view_count, language) VALUES `, 13),
		posts: newBulk(`INSERT INTO posts (id, brand_id, thread_id, author_id, is_question, body_md, body_html, created_at,
kudos_count) VALUES `, 9),
		revisions: newBulk(`INSERT INTO post_revisions (brand_id, post_id, revision, editor_id, title, body_md, body_html,
created_at) VALUES `, 8),
		kudos:  newBulk(`INSERT INTO kudos (brand_id, post_id, user_id, created_at) VALUES `, 4),
		events: newBulk(`INSERT INTO reputation_events (brand_id, user_id, delta, reason, post_id, actor_id, created_at) VALUES `, 7),
	}
}

// write inserts one batch inside tx. Threads go in before their posts and
// get accepted_post_id afterwards: the two tables reference each other.
func (w *writer) write(ctx context.Context, tx *sqldb.Tx, g *gen, b *batch) error {
	err := w.threads.run(ctx, tx, len(b.threads), func(i int, a []any) {
		t := &b.threads[i]
		var first any
		if t.firstReply != 0 {
			first = t.firstReply
		}
		// Synthetic members are never staff: the first reply is a peer's.
		// Every generated title and body is English.
		a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12] =
			t.id, t.brand, t.board, t.author, t.title, t.slug, t.created, t.last, t.replies, first, first, t.views, "en"
	})
	if err != nil {
		return err
	}
	bodyOf := func(p *postRow) body {
		if p.question {
			return g.qBodies[p.body]
		}
		return g.rBodies[p.body]
	}
	err = w.posts.run(ctx, tx, len(b.posts), func(i int, a []any) {
		p := &b.posts[i]
		bd := bodyOf(p)
		q := 0
		if p.question {
			q = 1
		}
		a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8] = p.id, p.brand, p.thread, p.author, q, bd.md, bd.html, p.created, p.kudos
	})
	if err != nil {
		return err
	}
	err = w.revisions.run(ctx, tx, len(b.posts), func(i int, a []any) {
		p := &b.posts[i]
		bd := bodyOf(p)
		a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7] = p.brand, p.id, 1, p.author, p.title, bd.md, bd.html, p.created
	})
	if err != nil {
		return err
	}
	for i := range b.threads {
		if t := &b.threads[i]; t.accepted != 0 {
			if _, err := tx.Exec(ctx, `UPDATE threads SET accepted_post_id = ? WHERE id = ?`, t.accepted, t.id); err != nil {
				return fmt.Errorf("accept: %w", err)
			}
		}
	}
	err = w.kudos.run(ctx, tx, len(b.kudos), func(i int, a []any) {
		k := &b.kudos[i]
		a[0], a[1], a[2], a[3] = k.brand, k.post, k.user, k.created
	})
	if err != nil {
		return err
	}
	return w.events.run(ctx, tx, len(b.events), func(i int, a []any) {
		e := &b.events[i]
		a[0], a[1], a[2], a[3], a[4], a[5], a[6] = e.brand, e.user, e.delta, string(e.reason), e.post, e.actor, e.created
	})
}
