package forum

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"mutual/account"
	"mutual/fault"
	"mutual/i18n"
	"mutual/markup"
	"mutual/sqldb"
)

// Service is the forum's domain logic: asking, replying, editing, accepting
// and kudos, each in one transaction with its reputation events.
type Service struct {
	db  *sqldb.DB
	md  *markup.Renderer
	now func() time.Time

	// OnChange, when set, hears about every committed change, so caches of
	// rendered pages can drop exactly what went stale.
	OnChange func(Change)

	// Limits, when set, are the new-member safeguards (post_limits.go).
	Limits *PostLimits

	// Audit, when set, records a staff member's change to someone else's
	// thread in the audit log, inside the change's transaction (app/ fits
	// moderation's log to it).
	Audit StaffAudit

	hooks []Hook
}

// Change says what a committed write touched.
type Change struct {
	BrandID  int64
	ThreadID int64 // 0 when no single thread changed
	Lists    bool  // board lists and the home page changed too
	// Addition says the change only adds to what pages show (a question,
	// a reply) or moves a kudos count (given or taken back): a visitor's
	// copy of a page changing several times a second may show it up to a
	// second late. Every other change (an edit, an acceptance, a
	// moderator's hide, an erasure) shows at once.
	Addition bool
}

func (s *Service) changed(c Change) {
	if s.OnChange != nil {
		s.OnChange(c)
	}
}

// NewService wires the forum service. now is the clock (tests move it).
func NewService(db *sqldb.DB, md *markup.Renderer, now func() time.Time) *Service {
	return &Service{db: db, md: md, now: now}
}

// Limits on what members write, documented in the README and the API docs.
const (
	MinTitleLen    = 8
	MaxTitleLen    = 150
	MinQuestionLen = 10
	MinReplyLen    = 2
	MaxBodyLen     = 20000
	MaxClientKey   = 64
	RepliesPerPage = 50
)

// checkText checks a text field whose name, for the messages, is the
// catalogue's label message.
func checkText(ctx context.Context, v fault.Validation, field, label, s string, lo, hi int) string {
	loc := i18n.From(ctx)
	name := loc.T(label)
	if !utf8.ValidString(s) {
		v.Add(field, loc.T("forum.text_utf8", "Label", name))
		return s
	}
	if strings.ContainsRune(s, 0) {
		v.Add(field, loc.T("forum.text_nul", "Label", name))
		return s
	}
	s = strings.TrimSpace(s)
	n := utf8.RuneCountInString(s)
	switch {
	case n == 0:
		v.Add(field, loc.T("forum.text_required", "Label", name))
	case n < lo:
		v.Add(field, loc.T("forum.text_short", "Label", name, "Min", lo))
	case n > hi:
		v.Add(field, loc.T("forum.text_long", "Label", name, "Max", loc.Int(int64(hi)), "N", loc.Int(int64(n))))
	}
	return s
}

func requireMember(a account.Actor) error {
	if !a.SignedIn() {
		return fault.ErrUnauthenticated
	}
	return nil
}

// NewThread is a question.
type NewThread struct {
	BoardID   int64
	Title     string
	Body      string
	ClientKey string // makes a form posted twice create one thread
	Language  string // the language the asker chose; "" to detect it (language.go)
}

// Ask creates a thread with its question. Posting the same ClientKey again
// returns the thread already made instead of a duplicate.
func (s *Service) Ask(ctx context.Context, a account.Actor, nt NewThread) (Thread, error) {
	if err := requireMember(a); err != nil {
		return Thread{}, err
	}
	v := fault.Validation{}
	nt.Title = checkText(ctx, v, "title", "forum.label_title", nt.Title, MinTitleLen, MaxTitleLen)
	nt.Body = checkText(ctx, v, "body", "forum.label_question", nt.Body, MinQuestionLen, MaxBodyLen)
	if len(nt.ClientKey) > MaxClientKey {
		v.Add("client_key", i18n.T(ctx, "forum.client_key_long"))
	}
	if nt.BoardID <= 0 {
		v.Add("board_id", i18n.T(ctx, "forum.choose_board"))
	}
	nt.Language = askedIn(v, nt)
	if err := v.Err(); err != nil {
		return Thread{}, err
	}
	if _, err := s.Board(ctx, a.BrandID, nt.BoardID); errors.Is(err, fault.ErrNotFound) {
		return Thread{}, &fault.ValidationError{Fields: map[string]string{"board_id": i18n.T(ctx, "forum.board_gone")}}
	} else if err != nil {
		return Thread{}, err
	}
	if nt.ClientKey != "" {
		if t, err := s.threadByClientKey(ctx, a, nt.ClientKey); err == nil {
			return t, nil
		}
	}
	html, err := s.md.Render(ctx, nt.Body)
	if err != nil {
		return Thread{}, err
	}
	now := sqldb.Millis(s.now())
	var id int64
	status := StatusVisible
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		// Standing, rate limits, link limits and pre-moderation (post_limits.go).
		st, err := s.readStanding(ctx, tx, a)
		if err != nil {
			return err
		}
		if status, err = s.admit(ctx, tx, a, st, 0, nt.Body, html); err != nil {
			return err
		}
		err = tx.QueryRow(ctx, `INSERT INTO threads (brand_id, board_id, author_id, title, slug, created_at, last_activity_at, client_key, status, language)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, a.BrandID, nt.BoardID, a.UserID, nt.Title, Slugify(nt.Title), now, now, nt.ClientKey, status, nt.Language).Scan(&id)
		if err != nil {
			return err
		}
		var postID int64
		err = tx.QueryRow(ctx, `INSERT INTO posts (brand_id, thread_id, author_id, is_question, body_md, body_html, created_at, is_staff, status)
VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?) RETURNING id`, a.BrandID, id, a.UserID, nt.Body, html, now, staffFlag(a), status).Scan(&postID)
		if err != nil {
			return err
		}
		if status == StatusVisible { // held questions count once approved
			_, err = tx.Exec(ctx, `UPDATE boards SET thread_count = thread_count + 1, post_count = post_count + 1, last_activity_at = ?
WHERE id = ? AND brand_id = ?`, now, nt.BoardID, a.BrandID)
			if err != nil {
				return err
			}
		}
		return s.Emit(ctx, tx, Event{Kind: ThreadAsked, BrandID: a.BrandID, BoardID: nt.BoardID, ThreadID: id, PostID: postID,
			ActorID: a.UserID, ActorStaff: a.IsStaff(), AuthorID: a.UserID, ThreadAuthorID: a.UserID, At: sqldb.Time(now), Note: heldNote(status)})
	})
	if sqldb.IsUniqueViolation(err) && nt.ClientKey != "" {
		// The same form sent twice: answer with the thread the first one made.
		if t, lerr := s.threadByClientKey(ctx, a, nt.ClientKey); lerr == nil {
			return t, nil
		}
	}
	if err != nil {
		return Thread{}, fmt.Errorf("forum: ask: %w", err)
	}
	s.changed(Change{BrandID: a.BrandID, ThreadID: id, Lists: status == StatusVisible, Addition: true})
	return s.Thread(ctx, a.BrandID, id)
}

// staffFlag is 1 when the actor posts as staff: their posts are marked and
// never count as peer answers.
func staffFlag(a account.Actor) int {
	if a.IsStaff() {
		return 1
	}
	return 0
}

const threadCols = `t.id, t.brand_id, t.board_id, t.author_id, u.username, u.reputation, t.title, t.slug, t.created_at, t.last_activity_at,
t.reply_count, COALESCE(t.accepted_post_id, 0), COALESCE(t.first_reply_at, 0),
t.status, COALESCE(t.locked_at, 0), t.pinned, COALESCE(t.merged_into, 0), t.language`

func scanThread(row interface{ Scan(...any) error }) (Thread, error) {
	return scanThreadWith(row)
}

// ThreadColumns are the columns ScanThread reads, for packages that list
// threads in a query of their own (search joins its index to them): the
// query names threads "t" and joins the author as "u".
const ThreadColumns = threadCols

// ScanThread scans ThreadColumns followed by the query's extra columns into
// extra.
func ScanThread(row interface{ Scan(...any) error }, extra ...any) (Thread, error) {
	return scanThreadWith(row, extra...)
}

// scanThreadWith scans threadCols followed by the query's extra columns into
// extra, so queries that add columns never repeat threadCols' layout.
func scanThreadWith(row interface{ Scan(...any) error }, extra ...any) (Thread, error) {
	var t Thread
	var created, last, first, locked int64
	var pinned int
	dest := []any{&t.ID, &t.BrandID, &t.BoardID, &t.AuthorID, &t.AuthorName, &t.AuthorReputation, &t.Title, &t.Slug, &created, &last,
		&t.ReplyCount, &t.AcceptedPostID, &first, &t.Status, &locked, &pinned, &t.MergedInto, &t.Language}
	err := row.Scan(append(dest, extra...)...)
	t.CreatedAt, t.LastActivityAt, t.FirstReplyAt, t.LockedAt = sqldb.Time(created), sqldb.Time(last), sqldb.Time(first), sqldb.Time(locked)
	t.Pinned = pinned == 1
	return t, err
}

// The queries repeat the partial indexes' condition (client_key is not
// empty), so SQLite can prove the index applies and use it instead of
// scanning.
func (s *Service) threadByClientKey(ctx context.Context, a account.Actor, key string) (Thread, error) {
	t, err := scanThread(s.db.QueryRow(ctx, `SELECT `+threadCols+` FROM threads t JOIN users u ON u.id = t.author_id
WHERE t.brand_id = ? AND t.author_id = ? AND t.client_key = ? AND t.client_key <> ''`, a.BrandID, a.UserID, key))
	if errors.Is(err, sql.ErrNoRows) {
		return Thread{}, fault.ErrNotFound
	}
	return t, err
}

// Thread returns a thread of the brand or fault.ErrNotFound.
func (s *Service) Thread(ctx context.Context, brandID, id int64) (Thread, error) {
	return s.thread(ctx, s.db, brandID, id)
}

func (s *Service) thread(ctx context.Context, q sqldb.Querier, brandID, id int64) (Thread, error) {
	t, err := scanThread(q.QueryRow(ctx, `SELECT `+threadCols+` FROM threads t JOIN users u ON u.id = t.author_id
WHERE t.brand_id = ? AND t.id = ?`, brandID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Thread{}, fault.NotFound(i18n.T(ctx, "forum.thread_missing"))
	}
	if err != nil {
		return Thread{}, fmt.Errorf("forum: thread %d: %w", id, err)
	}
	return t, nil
}

// AcceptedOf returns the id of the thread's accepted answer, or 0: all an
// API answer about one post needs of its thread.
func (s *Service) AcceptedOf(ctx context.Context, brandID, threadID int64) (int64, error) {
	var id int64
	err := s.db.QueryRow(ctx, `SELECT COALESCE(accepted_post_id, 0) FROM threads WHERE brand_id = ? AND id = ?`, brandID, threadID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fault.NotFound(i18n.T(ctx, "forum.thread_missing"))
	}
	if err != nil {
		return 0, fmt.Errorf("forum: thread %d: %w", threadID, err)
	}
	return id, nil
}

// ListThreads returns a page of a board's threads, newest activity first, and
// the cursor for the next page (zero when there is none). A language ("" for
// all) keeps the threads asked in it.
func (s *Service) ListThreads(ctx context.Context, brandID, boardID int64, f Filter, language string, after Cursor, limit int) ([]Thread, Cursor, error) {
	if limit <= 0 || limit > 100 {
		limit = 30
	}
	top := after.ID == 0
	if top {
		after = endOfList
	}
	out, err := s.threadsBeyond(ctx, brandID, boardID, f, language, after, false, limit+1)
	if err != nil {
		return nil, Cursor{}, err
	}
	var next Cursor
	if len(out) > limit {
		out = out[:limit]
		next = Cursor{At: out[limit-1].LastActivityAt, ID: out[limit-1].ID}
	}
	if !top || f != FilterAll {
		return out, next, nil
	}
	return s.withPinned(ctx, brandID, boardID, language, out, next)
}

func collectThreads(rows *sql.Rows, limit int) ([]Thread, Cursor, error) {
	defer rows.Close()
	out := []Thread{}
	for rows.Next() {
		t, err := scanThread(rows)
		if err != nil {
			return nil, Cursor{}, err
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, Cursor{}, err
	}
	var next Cursor
	if len(out) > limit {
		out = out[:limit]
		last := out[limit-1]
		next = Cursor{At: last.LastActivityAt, ID: last.ID}
	}
	return out, next, nil
}

// RecentThreads lists the brand's most recently active threads.
func (s *Service) RecentThreads(ctx context.Context, brandID int64, limit int) ([]Thread, error) {
	rows, err := s.db.Query(ctx, `SELECT `+threadCols+` FROM threads t JOIN users u ON u.id = t.author_id
WHERE t.brand_id = ? AND t.status = 'visible' ORDER BY t.last_activity_at DESC, t.id DESC LIMIT ?`, brandID, limit)
	if err != nil {
		return nil, fmt.Errorf("forum: recent threads: %w", err)
	}
	out, _, err := collectThreads(rows, limit)
	return out, err
}

// ThreadsBy lists a member's questions, newest first.
func (s *Service) ThreadsBy(ctx context.Context, brandID, userID int64, limit int) ([]Thread, error) {
	rows, err := s.db.Query(ctx, `SELECT `+threadCols+` FROM threads t JOIN users u ON u.id = t.author_id
WHERE t.author_id = ? AND t.brand_id = ? AND t.status = 'visible' ORDER BY t.created_at DESC, t.id DESC LIMIT ?`, userID, brandID, limit)
	if err != nil {
		return nil, fmt.Errorf("forum: threads by user: %w", err)
	}
	out, _, err := collectThreads(rows, limit)
	return out, err
}

const postCols = `p.id, p.brand_id, p.thread_id, p.author_id, u.username, u.reputation, p.is_question, p.body_md, p.body_html,
p.created_at, COALESCE(p.edited_at, 0), p.revision_count, p.kudos_count, p.status, p.is_staff, COALESCE(p.merged_from, 0)`

func scanPost(row interface{ Scan(...any) error }) (Post, error) {
	var p Post
	var q, staff int
	var created, edited int64
	err := row.Scan(&p.ID, &p.BrandID, &p.ThreadID, &p.AuthorID, &p.AuthorName, &p.AuthorReputation, &q, &p.BodyMD, &p.BodyHTML,
		&created, &edited, &p.RevisionCount, &p.KudosCount, &p.Status, &staff, &p.MergedFrom)
	p.IsQuestion, p.IsStaff = q == 1, staff == 1
	p.CreatedAt, p.EditedAt = sqldb.Time(created), sqldb.Time(edited)
	return p, err
}

func collectPosts(rows *sql.Rows) ([]Post, error) {
	defer rows.Close()
	out := []Post{}
	for rows.Next() {
		p, err := scanPost(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Post returns a post of the brand or fault.ErrNotFound.
func (s *Service) Post(ctx context.Context, brandID, id int64) (Post, error) {
	return s.post(ctx, s.db, brandID, id)
}

func (s *Service) post(ctx context.Context, q sqldb.Querier, brandID, id int64) (Post, error) {
	p, err := scanPost(q.QueryRow(ctx, `SELECT `+postCols+` FROM posts p JOIN users u ON u.id = p.author_id
WHERE p.brand_id = ? AND p.id = ?`, brandID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Post{}, fault.NotFound(i18n.T(ctx, "forum.post_missing"))
	}
	if err != nil {
		return Post{}, fmt.Errorf("forum: post %d: %w", id, err)
	}
	return p, nil
}

// ThreadPage is what a thread page shows.
type ThreadPage struct {
	Thread   Thread
	Question Post
	Accepted *Post // nil when unsolved
	Replies  []Post
	Next     Cursor // next page of replies; zero on the last page
	Kudoed   map[int64]bool
}

// Page loads a thread with its question, accepted answer and a page of
// replies in creation order, in a fixed number of queries.
// It shows what a member may see (see PageAs for moderators).
func (s *Service) Page(ctx context.Context, brandID, threadID int64, viewer int64, after Cursor) (ThreadPage, error) {
	return s.page(ctx, brandID, threadID, viewer, false, after)
}

func (s *Service) page(ctx context.Context, brandID, threadID int64, viewer int64, mod bool, after Cursor) (ThreadPage, error) {
	t, err := s.Thread(ctx, brandID, threadID)
	if err != nil {
		return ThreadPage{}, err
	}
	pg := ThreadPage{Thread: t, Kudoed: map[int64]bool{}}
	if t.MergedInto != 0 {
		return pg, nil // the caller redirects to the thread it was merged into
	}
	if !threadShown(t, viewer, mod) {
		return ThreadPage{}, fault.NotFound(i18n.T(ctx, "forum.thread_missing"))
	}
	shown, shownArgs := postShown(viewer, mod)
	// Two look-ups by index, not "is_question = 1 OR id = ?", which SQLite
	// answers by reading every post of the thread: a page of a thread with
	// 700 replies took a millisecond more to render.
	headArgs := append(append([]any{threadID, brandID}, shownArgs...), t.AcceptedPostID, threadID, brandID)
	rows, err := s.db.Query(ctx, `SELECT `+postCols+` FROM posts p JOIN users u ON u.id = p.author_id
WHERE p.thread_id = ? AND p.brand_id = ? AND p.is_question = 1`+shown+`
UNION ALL SELECT `+postCols+` FROM posts p JOIN users u ON u.id = p.author_id
WHERE p.id = ? AND p.thread_id = ? AND p.brand_id = ? AND p.is_question = 0`+shown, append(headArgs, shownArgs...)...)
	if err != nil {
		return ThreadPage{}, fmt.Errorf("forum: thread page: %w", err)
	}
	heads, err := collectPosts(rows)
	if err != nil {
		return ThreadPage{}, err
	}
	for i := range heads {
		if heads[i].IsQuestion {
			pg.Question = heads[i]
		} else {
			pg.Accepted = &heads[i]
		}
	}
	args := append([]any{threadID, brandID}, shownArgs...)
	keyset := shown
	if after.ID != 0 {
		keyset += " AND (p.created_at > ? OR (p.created_at = ? AND p.id > ?))"
		args = append(args, sqldb.Millis(after.At), sqldb.Millis(after.At), after.ID)
	}
	args = append(args, RepliesPerPage+1)
	rows, err = s.db.Query(ctx, `SELECT `+postCols+` FROM posts p JOIN users u ON u.id = p.author_id
WHERE p.thread_id = ? AND p.brand_id = ? AND p.is_question = 0`+keyset+`
ORDER BY p.created_at, p.id LIMIT ?`, args...)
	if err != nil {
		return ThreadPage{}, fmt.Errorf("forum: thread replies: %w", err)
	}
	if pg.Replies, err = collectPosts(rows); err != nil {
		return ThreadPage{}, err
	}
	if len(pg.Replies) > RepliesPerPage {
		pg.Replies = pg.Replies[:RepliesPerPage]
		last := pg.Replies[RepliesPerPage-1]
		pg.Next = Cursor{At: last.CreatedAt, ID: last.ID}
	}
	if err := s.labelStaff(ctx, brandID, &pg); err != nil {
		return ThreadPage{}, err
	}
	if err := s.markMerged(ctx, brandID, &pg); err != nil {
		return ThreadPage{}, err
	}
	if viewer != 0 {
		kudoed, err := sqldb.Int64s(s.db.Query(ctx, `SELECT k.post_id FROM kudos k JOIN posts p ON p.id = k.post_id
WHERE k.user_id = ? AND p.thread_id = ?`, viewer, threadID))
		if err != nil {
			return ThreadPage{}, fmt.Errorf("forum: viewer kudos: %w", err)
		}
		for _, id := range kudoed {
			pg.Kudoed[id] = true
		}
	}
	return pg, nil
}

// AnswerRef is a reply shown on a profile, with its thread's title.
type AnswerRef struct {
	Post        Post
	ThreadTitle string
	ThreadSlug  string
	Accepted    bool
}

// RepliesBy lists a member's replies, newest first.
func (s *Service) RepliesBy(ctx context.Context, brandID, userID int64, limit int) ([]AnswerRef, error) {
	rows, err := s.db.Query(ctx, `SELECT `+postCols+`, t.title, t.slug, COALESCE(t.accepted_post_id, 0) = p.id
FROM posts p JOIN users u ON u.id = p.author_id JOIN threads t ON t.id = p.thread_id
WHERE p.author_id = ? AND p.brand_id = ? AND p.is_question = 0 AND p.status = 'visible' AND t.status = 'visible'
ORDER BY p.created_at DESC, p.id DESC LIMIT ?`, userID, brandID, limit)
	if err != nil {
		return nil, fmt.Errorf("forum: replies by user: %w", err)
	}
	defer rows.Close()
	out := []AnswerRef{}
	for rows.Next() {
		var r AnswerRef
		var q, staff int
		var created, edited int64
		p := &r.Post
		if err := rows.Scan(&p.ID, &p.BrandID, &p.ThreadID, &p.AuthorID, &p.AuthorName, &p.AuthorReputation, &q, &p.BodyMD, &p.BodyHTML,
			&created, &edited, &p.RevisionCount, &p.KudosCount, &p.Status, &staff, &p.MergedFrom, &r.ThreadTitle, &r.ThreadSlug, &r.Accepted); err != nil {
			return nil, err
		}
		p.IsQuestion, p.IsStaff = q == 1, staff == 1
		p.CreatedAt, p.EditedAt = sqldb.Time(created), sqldb.Time(edited)
		out = append(out, r)
	}
	return out, rows.Err()
}

// NewReply is a reply to a thread.
type NewReply struct {
	Body      string
	ClientKey string
}

// Reply adds a reply. Posting the same ClientKey again returns the reply
// already made.
//
// It stays long: the posting transaction (admit, insert, counters, event) and
// the ClientKey retry that answers with the first reply need the whole of it.
func (s *Service) Reply(ctx context.Context, a account.Actor, threadID int64, nr NewReply) (Post, error) {
	if err := requireMember(a); err != nil {
		return Post{}, err
	}
	v := fault.Validation{}
	nr.Body = checkText(ctx, v, "body", "forum.label_reply", nr.Body, MinReplyLen, MaxBodyLen)
	if len(nr.ClientKey) > MaxClientKey {
		v.Add("client_key", i18n.T(ctx, "forum.client_key_long"))
	}
	if err := v.Err(); err != nil {
		return Post{}, err
	}
	// A repeated ClientKey is caught by the unique index at insert time, so
	// the common case (a first send) costs no extra look-up.
	html, err := s.md.Render(ctx, nr.Body)
	if err != nil {
		return Post{}, err
	}
	// The reply is answered from what the transaction wrote and read,
	// not read back after it: a read after a commit finds the readers'
	// page caches emptied by that commit.
	p := Post{BrandID: a.BrandID, ThreadID: threadID, AuthorID: a.UserID, BodyMD: nr.Body, BodyHTML: html, RevisionCount: 1, IsStaff: a.IsStaff()}
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var t Thread
		var firsts firstReplies
		err := tx.QueryRow(ctx, `SELECT author_id, board_id, first_reply_at IS NULL, first_peer_reply_at IS NULL, first_staff_reply_at IS NULL
FROM threads WHERE id = ? AND brand_id = ?`, threadID, a.BrandID).
			Scan(&t.AuthorID, &t.BoardID, &firsts.reply, &firsts.peer, &firsts.staff)
		if errors.Is(err, sql.ErrNoRows) {
			return fault.NotFound(i18n.T(ctx, "forum.thread_missing"))
		}
		if err != nil {
			return err
		}
		// Standing, locked threads, rate limits, link limits and
		// pre-moderation (post_limits.go).
		st, err := s.readStanding(ctx, tx, a)
		if err != nil {
			return err
		}
		status, err := s.admit(ctx, tx, a, st, threadID, nr.Body, html)
		if err != nil {
			return err
		}
		now := sqldb.Millis(s.now())
		if err := tx.QueryRow(ctx, `INSERT INTO posts (brand_id, thread_id, author_id, body_md, body_html, created_at, client_key, is_staff, status)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, a.BrandID, threadID, a.UserID, nr.Body, html, now, nr.ClientKey, staffFlag(a), status).Scan(&p.ID); err != nil {
			return err
		}
		p.AuthorName, p.AuthorReputation, p.CreatedAt, p.Status = st.username, st.reputation, sqldb.Time(now), status
		id := p.ID
		if status != StatusVisible {
			// Held for review: counted, and answering the thread, once approved.
			return s.Emit(ctx, tx, Event{Kind: PostReplied, BrandID: a.BrandID, BoardID: t.BoardID, ThreadID: threadID, PostID: id,
				ActorID: a.UserID, ActorStaff: a.IsStaff(), AuthorID: a.UserID, ThreadAuthorID: t.AuthorID, At: sqldb.Time(now), Note: heldNote(status)})
		}
		set, args := firsts.set(a, t.AuthorID, now)
		if _, err := tx.Exec(ctx, `UPDATE threads SET reply_count = reply_count + 1`+set+` WHERE id = ?`, append(args, threadID)...); err != nil {
			return err
		}
		if _, err = tx.Exec(ctx, `UPDATE boards SET post_count = post_count + 1, last_activity_at = ? WHERE id = ?`, now, t.BoardID); err != nil {
			return err
		}
		return s.Emit(ctx, tx, Event{Kind: PostReplied, BrandID: a.BrandID, BoardID: t.BoardID, ThreadID: threadID, PostID: id,
			ActorID: a.UserID, ActorStaff: a.IsStaff(), AuthorID: a.UserID, ThreadAuthorID: t.AuthorID, At: sqldb.Time(now)})
	})
	if sqldb.IsUniqueViolation(err) && nr.ClientKey != "" {
		// The same reply sent twice: answer with the post the first one made.
		if p, lerr := s.postByClientKey(ctx, a, nr.ClientKey); lerr == nil {
			p.Repeated = true
			return p, nil
		}
	}
	if err != nil {
		return Post{}, fmt.Errorf("forum: reply: %w", err)
	}
	s.changed(Change{BrandID: a.BrandID, ThreadID: threadID, Lists: true, Addition: true})
	return p, nil
}

func (s *Service) postByClientKey(ctx context.Context, a account.Actor, key string) (Post, error) {
	p, err := scanPost(s.db.QueryRow(ctx, `SELECT `+postCols+` FROM posts p JOIN users u ON u.id = p.author_id
WHERE p.brand_id = ? AND p.author_id = ? AND p.client_key = ? AND p.client_key <> ''`, a.BrandID, a.UserID, key))
	if errors.Is(err, sql.ErrNoRows) {
		return Post{}, fault.ErrNotFound
	}
	return p, err
}

// Changed tells the change hook (page caches) what a write in another
// package touched, after its transaction committed.
func (s *Service) Changed(c Change) { s.changed(c) }

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now() }

// firstReplies says which of a thread's first-reply times are still unset.
type firstReplies struct{ reply, peer, staff bool }

// set is the assignments a reply by a at now makes to its thread, with their
// arguments: the last activity; and a reply by anyone but the asker answers
// the thread, with staff and peer responses kept apart, for escalation and
// the reports. A time already set is left out rather than assigned again:
// SQLite rewrites the entries of every index naming an assigned column, so
// "x = COALESCE(x, ?)" cost each later reply pages of threads_notify_unsolved.
func (f firstReplies) set(a account.Actor, askerID, now int64) (string, []any) {
	s, args := ", last_activity_at = ?", []any{now}
	if a.UserID == askerID {
		return s, args
	}
	if f.reply {
		s, args = s+", first_reply_at = ?", append(args, now)
	}
	if a.IsStaff() && f.staff {
		s, args = s+", first_staff_reply_at = ?", append(args, now)
	}
	if !a.IsStaff() && f.peer {
		s, args = s+", first_peer_reply_at = ?", append(args, now)
	}
	return s, args
}
