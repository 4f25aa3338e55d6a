package forum

import (
	"context"
	"fmt"
	"time"

	"mutual/sqldb"
)

// Contributions is the forum's part of a member's data export: what they
// asked and wrote, every kept version of it, and the kudos they gave and
// received (without naming the givers).
type Contributions struct {
	Threads       []ThreadData   `json:"threads_asked"`
	Posts         []PostData     `json:"posts"`
	Revisions     []RevisionData `json:"revisions"`
	KudosGiven    []KudosData    `json:"kudos_given"`
	KudosReceived []KudosData    `json:"kudos_received"`
}

// ThreadData is a question the member asked.
type ThreadData struct {
	ID        int64     `json:"id"`
	BoardID   int64     `json:"board_id"`
	Board     string    `json:"board"`
	Title     string    `json:"title"`
	Status    string    `json:"status"`
	Solved    bool      `json:"solved"`
	CreatedAt time.Time `json:"created_at"`
}

// PostData is a question or reply the member wrote, as it reads now.
type PostData struct {
	ID           int64      `json:"id"`
	ThreadID     int64      `json:"thread_id"`
	ThreadTitle  string     `json:"thread_title"`
	IsQuestion   bool       `json:"is_question"`
	BodyMarkdown string     `json:"body_markdown"`
	Status       string     `json:"status"`
	Accepted     bool       `json:"accepted_answer"`
	Kudos        int64      `json:"kudos"`
	CreatedAt    time.Time  `json:"created_at"`
	EditedAt     *time.Time `json:"edited_at"`
}

// RevisionData is a kept version of one of the member's posts, or of
// someone else's post the member edited.
type RevisionData struct {
	PostID       int64     `json:"post_id"`
	Revision     int       `json:"revision"`
	YourPost     bool      `json:"your_post"`
	EditedByYou  bool      `json:"edited_by_you"`
	Title        string    `json:"title,omitempty"`
	BodyMarkdown string    `json:"body_markdown"`
	CreatedAt    time.Time `json:"created_at"`
}

// KudosData is one kudos, given or received.
type KudosData struct {
	PostID     int64      `json:"post_id"`
	ThreadID   int64      `json:"thread_id"`
	At         time.Time  `json:"at"`
	ReversedAt *time.Time `json:"reversed_at"`
}

func optMS(v int64) *time.Time {
	if v == 0 {
		return nil
	}
	t := sqldb.Time(v)
	return &t
}

// ExportMember reads the forum's part of a member's data export.
func ExportMember(ctx context.Context, q sqldb.Querier, brandID, userID int64) (Contributions, error) {
	c := Contributions{Threads: []ThreadData{}, Posts: []PostData{}, Revisions: []RevisionData{}}
	steps := []func() error{
		func() (err error) { c.Threads, err = exportThreads(ctx, q, brandID, userID); return },
		func() (err error) { c.Posts, err = exportPosts(ctx, q, brandID, userID); return },
		func() (err error) { c.Revisions, err = exportRevisions(ctx, q, brandID, userID); return },
		func() (err error) {
			c.KudosGiven, err = exportKudos(ctx, q, `k.user_id = ? AND k.brand_id = ?`, userID, brandID)
			return
		},
		func() (err error) {
			c.KudosReceived, err = exportKudos(ctx, q, `p.author_id = ? AND k.brand_id = ?`, userID, brandID)
			return
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return Contributions{}, fmt.Errorf("forum: export member %d: %w", userID, err)
		}
	}
	return c, nil
}

func exportThreads(ctx context.Context, q sqldb.Querier, brandID, userID int64) ([]ThreadData, error) {
	rows, err := q.Query(ctx, `SELECT t.id, t.board_id, b.name, t.title, t.status, t.accepted_post_id IS NOT NULL, t.created_at
FROM threads t JOIN boards b ON b.id = t.board_id WHERE t.author_id = ? AND t.brand_id = ? ORDER BY t.created_at, t.id`, userID, brandID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []ThreadData{}
	for rows.Next() {
		var t ThreadData
		var at int64
		if err := rows.Scan(&t.ID, &t.BoardID, &t.Board, &t.Title, &t.Status, &t.Solved, &at); err != nil {
			return nil, err
		}
		t.CreatedAt = sqldb.Time(at)
		out = append(out, t)
	}
	return out, rows.Err()
}

func exportPosts(ctx context.Context, q sqldb.Querier, brandID, userID int64) ([]PostData, error) {
	rows, err := q.Query(ctx, `SELECT p.id, p.thread_id, t.title, p.is_question, p.body_md, p.status, COALESCE(t.accepted_post_id, 0) = p.id,
p.kudos_count, p.created_at, COALESCE(p.edited_at, 0)
FROM posts p JOIN threads t ON t.id = p.thread_id WHERE p.author_id = ? AND p.brand_id = ? ORDER BY p.created_at, p.id`, userID, brandID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []PostData{}
	for rows.Next() {
		var p PostData
		var at, edited int64
		if err := rows.Scan(&p.ID, &p.ThreadID, &p.ThreadTitle, &p.IsQuestion, &p.BodyMarkdown, &p.Status, &p.Accepted,
			&p.Kudos, &at, &edited); err != nil {
			return nil, err
		}
		p.CreatedAt, p.EditedAt = sqldb.Time(at), optMS(edited)
		out = append(out, p)
	}
	return out, rows.Err()
}

func exportRevisions(ctx context.Context, q sqldb.Querier, brandID, userID int64) ([]RevisionData, error) {
	rows, err := q.Query(ctx, `SELECT r.post_id, r.revision, p.author_id = ?, r.editor_id = ?, r.title, r.body_md, r.created_at
FROM post_revisions r JOIN posts p ON p.id = r.post_id
WHERE r.brand_id = ? AND (p.author_id = ? OR r.editor_id = ?)
UNION ALL SELECT p.id, 1, p.author_id = ?, p.author_id = ?, `+firstTitle+`, p.body_md, p.created_at
FROM posts p JOIN threads t ON t.id = p.thread_id WHERE p.brand_id = ? AND p.author_id = ? AND `+unrevised+`
ORDER BY 1, 2`, userID, userID, brandID, userID, userID, userID, userID, brandID, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []RevisionData{}
	for rows.Next() {
		var r RevisionData
		var at int64
		if err := rows.Scan(&r.PostID, &r.Revision, &r.YourPost, &r.EditedByYou, &r.Title, &r.BodyMarkdown, &at); err != nil {
			return nil, err
		}
		r.CreatedAt = sqldb.Time(at)
		out = append(out, r)
	}
	return out, rows.Err()
}

func exportKudos(ctx context.Context, q sqldb.Querier, where string, args ...any) ([]KudosData, error) {
	rows, err := q.Query(ctx, `SELECT k.post_id, p.thread_id, k.created_at, COALESCE(k.reversed_at, 0)
FROM kudos k JOIN posts p ON p.id = k.post_id WHERE `+where+` ORDER BY k.created_at, k.post_id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []KudosData{}
	for rows.Next() {
		var k KudosData
		var at, reversed int64
		if err := rows.Scan(&k.PostID, &k.ThreadID, &at, &reversed); err != nil {
			return nil, err
		}
		k.At, k.ReversedAt = sqldb.Time(at), optMS(reversed)
		out = append(out, k)
	}
	return out, rows.Err()
}

// What an erased member's removed content reads as.
const (
	RemovedTitle = "Removed at its author's request"
	RemovedBody  = "This post was removed at its author's request."
	removedHTML  = "<p><em>This post was removed at its author's request.</em></p>"
)

// ErasedContent is what erasing a member touched in the forum.
type ErasedContent struct {
	Threads []int64 // the threads they asked or replied in, whose pages changed
	Posts   int64   // their posts, kept or removed
}

// EraseMember deals with an erased member's content inside the caller's
// transaction. Their posts, threads and kudos keep their rows, states and
// counts either way, so no figure derived from them changes; with remove,
// the text of their posts, the titles of their questions and every kept
// version of them are replaced by a short notice. Otherwise nothing in
// the forum's tables changes: the account itself now reads FormerMember.
func EraseMember(ctx context.Context, q sqldb.Querier, brandID, userID int64, remove bool) (ErasedContent, error) {
	var e ErasedContent
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM posts WHERE author_id = ? AND brand_id = ?`, userID, brandID).Scan(&e.Posts); err != nil {
		return e, fmt.Errorf("forum: erase member %d: %w", userID, err)
	}
	threads, err := sqldb.Int64s(q.Query(ctx, `SELECT DISTINCT thread_id FROM posts WHERE author_id = ? AND brand_id = ? ORDER BY thread_id`, userID, brandID))
	if err != nil {
		return e, fmt.Errorf("forum: erase member %d: %w", userID, err)
	}
	e.Threads = threads
	if !remove {
		return e, nil
	}
	stmts := []struct {
		sql  string
		args []any
	}{
		{`UPDATE post_revisions SET title = CASE WHEN title = '' THEN '' ELSE ? END, body_md = ?, body_html = ?
WHERE post_id IN (SELECT id FROM posts WHERE author_id = ? AND brand_id = ?)`, []any{RemovedTitle, RemovedBody, removedHTML, userID, brandID}},
		{`UPDATE posts SET body_md = ?, body_html = ? WHERE author_id = ? AND brand_id = ?`, []any{RemovedBody, removedHTML, userID, brandID}},
		{`UPDATE threads SET title = ?, slug = 'removed' WHERE author_id = ? AND brand_id = ?`, []any{RemovedTitle, userID, brandID}},
	}
	for _, st := range stmts {
		if _, err := q.Exec(ctx, st.sql, st.args...); err != nil {
			return e, fmt.Errorf("forum: remove member %d's content: %w", userID, err)
		}
	}
	return e, nil
}
