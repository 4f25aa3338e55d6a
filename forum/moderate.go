package forum

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"mutual/fault"
	"mutual/reputation"
	"mutual/sqldb"
)

// PostLimits are the new-member safeguards (Discourse's defaults): new
// accounts wait between posts and have a first-day allowance; everyone's
// repeated text is refused and the same text from several accounts at once
// is held for review. Staff and trusted members are exempt.
type PostLimits struct {
	NewAccount      time.Duration // an account younger than this is new
	NewInterval     time.Duration // a new member's minimum time between posts
	FirstDayThreads int
	FirstDayReplies int
	DuplicateWindow time.Duration // how far back repeated text is looked for
	BurstAccounts   int           // other accounts posting the same text that make a burst
}

// DefaultPostLimits are Discourse's defaults.
func DefaultPostLimits() *PostLimits {
	return &PostLimits{NewAccount: 24 * time.Hour, NewInterval: 30 * time.Second, FirstDayThreads: 3, FirstDayReplies: 10,
		DuplicateWindow: 10 * time.Minute, BurstAccounts: 2}
}

// Below the brand's reputation thresholds a member may post this many links
// and images (Discourse's new-user defaults).
const (
	NewMemberLinks  = 2
	NewMemberImages = 1
)

// Changed tells the change hook (page caches) what a write in another
// package touched, after its transaction committed.
func (s *Service) Changed(c Change) { s.changed(c) }

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now() }

// standing is what admission reads about the author and the brand.
type standing struct {
	reputation, created, suspendedUntil, bannedAt int64
	reason                                        string
	repLinks, repImages, premod                   int64
}

// admit decides, inside the posting transaction, whether a may post (a reply
// when threadID is not 0) and in which state: refused for a banned or
// suspended member or a locked thread, rate limited for new members, held
// for review for a new member's first posts or a spam burst.
func (s *Service) admit(ctx context.Context, tx *sqldb.Tx, a Actor, threadID int64, body, html string) (string, error) {
	now := s.now()
	if s.Limits != nil && tx.Dialect() == sqldb.Postgres {
		// One author's parallel posts queue here, so the counts below hold.
		if _, err := tx.Exec(ctx, `SELECT id FROM users WHERE id = ? FOR UPDATE`, a.UserID); err != nil {
			return "", err
		}
	}
	var st standing
	err := tx.QueryRow(ctx, `SELECT u.reputation, u.created_at, COALESCE(u.suspended_until, 0), COALESCE(u.banned_at, 0), u.suspend_reason,
b.rep_links, b.rep_images, b.premod_posts FROM users u JOIN brands b ON b.id = ? WHERE u.id = ?`, a.BrandID, a.UserID).
		Scan(&st.reputation, &st.created, &st.suspendedUntil, &st.bannedAt, &st.reason, &st.repLinks, &st.repImages, &st.premod)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fault.ErrUnauthenticated
	}
	if err != nil {
		return "", fmt.Errorf("forum: standing: %w", err)
	}
	if st.bannedAt != 0 {
		return "", fault.Denied("Your account is banned from posting in this community" + because(st.reason) + ".")
	}
	if st.suspendedUntil > ms(now) {
		return "", fault.Denied(fmt.Sprintf("Your account is suspended until %s%s. You can still read the community.",
			fromMS(st.suspendedUntil).Format("2 Jan 2006 15:04 MST"), because(st.reason)))
	}
	if threadID != 0 {
		var tstatus string
		var author, locked int64
		err := tx.QueryRow(ctx, `SELECT status, author_id, COALESCE(locked_at, 0) FROM threads WHERE id = ? AND brand_id = ?`, threadID, a.BrandID).
			Scan(&tstatus, &author, &locked)
		if err != nil {
			return "", err
		}
		if !a.CanModerate() {
			if tstatus != StatusVisible && !(tstatus == StatusPending && author == a.UserID) {
				return "", fault.NotFound("That thread does not exist.")
			}
			if locked != 0 {
				return "", fault.Denied("This thread is locked: it takes no new replies.")
			}
		}
	}
	if a.IsStaff() {
		return StatusVisible, nil
	}
	if err := checkNewMemberLinks(a, html, st.reputation, st.repLinks, st.repImages); err != nil {
		return "", err
	}
	trusted := a.Has("trusted")
	status := StatusVisible
	if l := s.Limits; l != nil {
		if !trusted {
			if err := s.newMemberLimits(ctx, tx, a, l, st, threadID == 0, now); err != nil {
				return "", err
			}
		}
		since := ms(now.Add(-l.DuplicateWindow))
		text := strings.TrimSpace(body)
		var dup int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM posts WHERE author_id = ? AND brand_id = ? AND created_at > ? AND body_md = ?`,
			a.UserID, a.BrandID, since, text).Scan(&dup); err != nil {
			return "", err
		}
		if dup > 0 {
			return "", &fault.ValidationError{Fields: map[string]string{"body": "You posted this same text a few minutes ago. Edit that post instead of posting it again."}}
		}
		var others int
		// The newest posts of the window, by time (posts_recent): bounded
		// however busy the site is.
		if err := tx.QueryRow(ctx, `SELECT COUNT(DISTINCT author_id) FROM (
  SELECT author_id, brand_id, body_md FROM posts WHERE created_at > ? ORDER BY created_at DESC LIMIT 1000) r
WHERE brand_id = ? AND body_md = ? AND author_id <> ?`,
			since, a.BrandID, text, a.UserID).Scan(&others); err != nil {
			return "", err
		}
		if others >= l.BurstAccounts {
			status = StatusPending // the same text from several accounts at once: a spam run
		}
	}
	if st.premod > 0 && !trusted && status == StatusVisible {
		var shown int64
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM posts WHERE author_id = ? AND brand_id = ? AND status = 'visible' LIMIT ?) x`,
			a.UserID, a.BrandID, st.premod).Scan(&shown); err != nil {
			return "", err
		}
		if shown < st.premod {
			status = StatusPending
		}
	}
	return status, nil
}

// checkNewMemberLinks refuses, with a fault.ValidationError on body, rendered
// html with more links or images than a member below the brand's thresholds
// (rep_links, rep_images) may post: NewMemberLinks, NewMemberImages. It is
// the one rule for asking, replying and editing, and judges the writer (the
// editor, for an edit of someone else's post) by their reputation; staff
// are exempt.
func checkNewMemberLinks(a Actor, html string, reputation, repLinks, repImages int64) error {
	if a.IsStaff() {
		return nil
	}
	v := fault.Validation{}
	// Mentions of members are links the renderer makes, not links the
	// writer posts, so they do not count.
	if n := strings.Count(html, "<a ") - len(mentionHrefRe.FindAllStringIndex(html, -1)); reputation < repLinks && n > NewMemberLinks {
		v.Add("body", fmt.Sprintf("New members may post at most %d links (this has %d); you can post more once you reach %d reputation.", NewMemberLinks, n, repLinks))
	}
	if n := strings.Count(html, "<img "); reputation < repImages && n > NewMemberImages {
		v.Add("body", fmt.Sprintf("New members may post at most %d image (this has %d); you can post more once you reach %d reputation.", NewMemberImages, n, repImages))
	}
	return v.Err()
}

// editorLinks applies checkNewMemberLinks to an edit inside q, reading the
// editor's reputation and the brand's thresholds.
func editorLinks(ctx context.Context, q sqldb.Querier, a Actor, html string) error {
	if a.IsStaff() {
		return nil
	}
	var rep, repLinks, repImages int64
	err := q.QueryRow(ctx, `SELECT u.reputation, b.rep_links, b.rep_images FROM users u JOIN brands b ON b.id = ? WHERE u.id = ?`, a.BrandID, a.UserID).
		Scan(&rep, &repLinks, &repImages)
	if errors.Is(err, sql.ErrNoRows) {
		return fault.ErrUnauthenticated
	}
	if err != nil {
		return fmt.Errorf("forum: editor standing: %w", err)
	}
	return checkNewMemberLinks(a, html, rep, repLinks, repImages)
}

func (s *Service) newMemberLimits(ctx context.Context, tx *sqldb.Tx, a Actor, l *PostLimits, st standing, thread bool, now time.Time) error {
	age := now.Sub(fromMS(st.created))
	if age >= l.NewAccount {
		return nil
	}
	var last int64
	if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(created_at), 0) FROM posts WHERE author_id = ? AND brand_id = ?`, a.UserID, a.BrandID).Scan(&last); err != nil {
		return err
	}
	if wait := fromMS(last).Add(l.NewInterval).Sub(now); last != 0 && wait > 0 {
		return &fault.RateLimitError{RetryAfter: wait, Msg: fmt.Sprintf("New members wait %d seconds between posts. Please try again in %d seconds.",
			int(l.NewInterval.Seconds()), int(wait.Seconds())+1)}
	}
	var n int
	q, limit, what := `SELECT COUNT(*) FROM posts WHERE author_id = ? AND brand_id = ? AND is_question = 0`, l.FirstDayReplies, "replies"
	if thread {
		q, limit, what = `SELECT COUNT(*) FROM threads WHERE author_id = ? AND brand_id = ?`, l.FirstDayThreads, "questions"
	}
	if err := tx.QueryRow(ctx, q, a.UserID, a.BrandID).Scan(&n); err != nil {
		return err
	}
	if n >= limit {
		wait := l.NewAccount - age
		return &fault.RateLimitError{RetryAfter: wait, Msg: fmt.Sprintf("New members may post %d %s on their first day. You can post again in %s.",
			limit, what, wait.Round(time.Minute))}
	}
	return nil
}

func because(reason string) string {
	if reason == "" {
		return ""
	}
	return ": " + reason
}

// SetPostStatus moves a post to status inside tx and keeps the thread's and
// board's counters equal to what members see. A question carries its thread
// with it. Reputation follows what members see too (points.go): a post, or
// for a question every post of the thread, that members stop seeing has its
// points taken back, and one they see again gets back what still stands.
// It returns the post and its thread as they were before.
func (s *Service) SetPostStatus(ctx context.Context, tx *sqldb.Tx, brandID, postID int64, status string) (Post, Thread, error) {
	if !ValidStatus(status) {
		return Post{}, Thread{}, fmt.Errorf("forum: unknown status %q", status)
	}
	p, err := s.post(ctx, tx, brandID, postID)
	if err != nil {
		return Post{}, Thread{}, err
	}
	// On PostgreSQL: the thread, then the members whose points may move,
	// then posts, the order accepts and kudos take.
	t, err := s.lockedThread(ctx, tx, brandID, p.ThreadID)
	if err != nil {
		return Post{}, Thread{}, err
	}
	only := p.ID
	if p.IsQuestion {
		only = 0
	}
	if err := lockPointHolders(ctx, tx, t, only); err != nil {
		return Post{}, Thread{}, err
	}
	if tx.Dialect() == sqldb.Postgres {
		// Another act on the post may have committed while this waited.
		if p, err = s.post(ctx, tx, brandID, postID); err != nil {
			return Post{}, Thread{}, err
		}
	}
	if p.Status == status {
		return p, t, nil
	}
	gone, back, err := statusPoints(ctx, tx, p, t, status)
	if err != nil {
		return Post{}, Thread{}, err
	}
	if err := s.setStatus(ctx, tx, p, t, status); err != nil {
		return Post{}, Thread{}, err
	}
	if err := movePoints(ctx, tx, brandID, gone, back, s.now()); err != nil {
		return Post{}, Thread{}, err
	}
	return p, t, nil
}

// setStatus writes the post's new status and moves the counters with it.
func (s *Service) setStatus(ctx context.Context, tx *sqldb.Tx, p Post, t Thread, status string) error {
	was, will := p.Status == StatusVisible, status == StatusVisible
	if _, err := tx.Exec(ctx, `UPDATE posts SET status = ? WHERE id = ?`, status, p.ID); err != nil {
		return err
	}
	d := int64(0)
	switch {
	case will && !was:
		d = 1
	case was && !will:
		d = -1
	}
	if p.IsQuestion {
		if _, err := tx.Exec(ctx, `UPDATE threads SET status = ? WHERE id = ?`, status, t.ID); err != nil {
			return err
		}
		if d != 0 {
			_, err := tx.Exec(ctx, `UPDATE boards SET thread_count = thread_count + ?, post_count = post_count + ? WHERE id = ?`,
				d, d*(1+t.ReplyCount), t.BoardID)
			return err
		}
		return nil
	}
	if d == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, `UPDATE threads SET reply_count = reply_count + ? WHERE id = ?`, d, t.ID); err != nil {
		return err
	}
	if t.Shown() {
		if _, err := tx.Exec(ctx, `UPDATE boards SET post_count = post_count + ? WHERE id = ?`, d, t.BoardID); err != nil {
			return err
		}
	}
	if p.Status == StatusPending && will {
		// An approved reply answers the thread as of when it was written.
		at := ms(p.CreatedAt)
		var first, peer, staff any
		if p.AuthorID != t.AuthorID {
			first = at
			if p.IsStaff {
				staff = at
			} else {
				peer = at
			}
		}
		_, err := tx.Exec(ctx, `UPDATE threads SET last_activity_at = CASE WHEN last_activity_at < ? THEN ? ELSE last_activity_at END,
first_reply_at = COALESCE(first_reply_at, ?), first_peer_reply_at = COALESCE(first_peer_reply_at, ?),
first_staff_reply_at = COALESCE(first_staff_reply_at, ?) WHERE id = ?`, at, at, first, peer, staff, t.ID)
		return err
	}
	return nil
}

// SetLocked locks (at non-zero) or unlocks a thread inside tx.
func (s *Service) SetLocked(ctx context.Context, tx *sqldb.Tx, brandID, threadID int64, at time.Time) (Thread, error) {
	t, err := s.thread(ctx, tx, brandID, threadID)
	if err != nil {
		return Thread{}, err
	}
	var v any
	if !at.IsZero() {
		v = ms(at)
	}
	_, err = tx.Exec(ctx, `UPDATE threads SET locked_at = ? WHERE id = ?`, v, threadID)
	return t, err
}

// SetPinned pins or unpins a thread inside tx.
func (s *Service) SetPinned(ctx context.Context, tx *sqldb.Tx, brandID, threadID int64, pinned bool) (Thread, error) {
	t, err := s.thread(ctx, tx, brandID, threadID)
	if err != nil {
		return Thread{}, err
	}
	v := 0
	if pinned {
		v = 1
	}
	_, err = tx.Exec(ctx, `UPDATE threads SET pinned = ? WHERE id = ?`, v, threadID)
	return t, err
}

// MoveThread puts a thread in another board of the brand inside tx, moving
// its counts with it.
func (s *Service) MoveThread(ctx context.Context, tx *sqldb.Tx, brandID, threadID, boardID int64) (Thread, error) {
	t, err := s.thread(ctx, tx, brandID, threadID)
	if err != nil {
		return Thread{}, err
	}
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM boards WHERE id = ? AND brand_id = ?`, boardID, brandID).Scan(&n); err != nil {
		return Thread{}, err
	}
	if n == 0 {
		return Thread{}, &fault.ValidationError{Fields: map[string]string{"board_id": "That board does not exist; choose another."}}
	}
	if boardID == t.BoardID {
		return t, nil
	}
	if _, err := tx.Exec(ctx, `UPDATE threads SET board_id = ? WHERE id = ?`, boardID, threadID); err != nil {
		return Thread{}, err
	}
	if t.Shown() {
		for _, m := range []struct{ board, d int64 }{{t.BoardID, -1}, {boardID, 1}} {
			if _, err := tx.Exec(ctx, `UPDATE boards SET thread_count = thread_count + ?, post_count = post_count + ? WHERE id = ?`,
				m.d, m.d*(1+t.ReplyCount), m.board); err != nil {
				return Thread{}, err
			}
		}
	}
	return t, nil
}

// MergeThread moves every post of thread from into thread into (its question
// becomes a reply), and leaves from as a redirect to into. An answer from
// had accepted stops counting: its points and the asker's are taken back
// (ThreadMerged), and into's asker may accept it anew. Posts members stop
// seeing (into is hidden) or start seeing (from was) lose or get back their
// points, as in SetPostStatus.
func (s *Service) MergeThread(ctx context.Context, tx *sqldb.Tx, brandID, fromID, intoID int64) (from, into Thread, err error) {
	if fromID == intoID {
		return Thread{}, Thread{}, &fault.ValidationError{Fields: map[string]string{"into": "A thread cannot be merged into itself."}}
	}
	// Both threads first, in id order, as accepts take them (PostgreSQL).
	if err = s.lockThreads(ctx, tx, brandID, fromID, intoID); err != nil {
		return
	}
	if from, err = s.thread(ctx, tx, brandID, fromID); err != nil {
		return
	}
	if into, err = s.thread(ctx, tx, brandID, intoID); err != nil {
		if errors.Is(err, fault.ErrNotFound) {
			err = &fault.ValidationError{Fields: map[string]string{"into": "The thread to merge into does not exist."}}
		}
		return
	}
	if from.MergedInto != 0 || into.MergedInto != 0 {
		return Thread{}, Thread{}, &fault.Error{Kind: fault.ErrConflict, Msg: "One of these threads was already merged into another."}
	}
	// Then every member whose points the merge moves: the accept's, and those
	// of posts members stop or start seeing as they change threads.
	if err = lockPointHolders(ctx, tx, from, 0); err != nil {
		return
	}
	now := s.now()
	if from.AcceptedPostID != 0 {
		if err = s.reverseAccept(ctx, tx, from, now, reputation.ThreadMerged); err != nil {
			return
		}
	}
	var points []pointPost
	if points, err = postsWithPoints(ctx, tx, fromID, 0); err != nil {
		return
	}
	var gone, back []int64
	for _, p := range points {
		// Each keeps its status (a question becomes a reply with its
		// thread's), and is seen if into is.
		switch was, is := seen(p.status, from.Status), seen(p.status, into.Status); {
		case was && !is:
			gone = append(gone, p.id)
		case is && !was:
			back = append(back, p.id)
		}
	}
	var moved int64
	if err = tx.QueryRow(ctx, `SELECT COUNT(*) FROM posts WHERE thread_id = ? AND status = 'visible'`, fromID).Scan(&moved); err != nil {
		return
	}
	if !from.Shown() {
		// Its question was not counted anywhere; its replies are counted in
		// the merged thread only if they and it are visible from now on.
		moved = 0
		if err = tx.QueryRow(ctx, `SELECT COUNT(*) FROM posts WHERE thread_id = ? AND status = 'visible' AND is_question = 0`, fromID).Scan(&moved); err != nil {
			return
		}
		if _, err = tx.Exec(ctx, `UPDATE posts SET status = ? WHERE thread_id = ? AND is_question = 1`, from.Status, fromID); err != nil {
			return
		}
	}
	if _, err = tx.Exec(ctx, `UPDATE posts SET thread_id = ?, is_question = 0 WHERE thread_id = ?`, intoID, fromID); err != nil {
		return
	}
	if _, err = tx.Exec(ctx, `UPDATE threads SET merged_into = ?, status = 'deleted', reply_count = 0, accepted_post_id = NULL WHERE id = ?`, intoID, fromID); err != nil {
		return
	}
	if _, err = tx.Exec(ctx, `UPDATE threads SET reply_count = reply_count + ?,
last_activity_at = CASE WHEN last_activity_at < ? THEN ? ELSE last_activity_at END WHERE id = ?`,
		moved, ms(from.LastActivityAt), ms(from.LastActivityAt), intoID); err != nil {
		return
	}
	if from.Shown() {
		if _, err = tx.Exec(ctx, `UPDATE boards SET thread_count = thread_count - 1, post_count = post_count - ? WHERE id = ?`, 1+from.ReplyCount, from.BoardID); err != nil {
			return
		}
	}
	if into.Shown() {
		if _, err = tx.Exec(ctx, `UPDATE boards SET post_count = post_count + ? WHERE id = ?`, moved, into.BoardID); err != nil {
			return
		}
	}
	err = movePoints(ctx, tx, brandID, gone, back, now)
	return
}

// Revise replaces a post's text (and a question's title) inside tx as a
// moderator, keeping the old version as a revision. It returns the post as
// it was.
func (s *Service) Revise(ctx context.Context, tx *sqldb.Tx, a Actor, postID int64, title, body string) (Post, error) {
	p, err := s.post(ctx, tx, a.BrandID, postID)
	if err != nil {
		return Post{}, err
	}
	v := fault.Validation{}
	lo := MinReplyLen
	if p.IsQuestion {
		lo = MinQuestionLen
	}
	body = checkText(v, "body", "Body", body, lo, MaxBodyLen)
	if p.IsQuestion && title != "" {
		title = checkText(v, "title", "Title", title, MinTitleLen, MaxTitleLen)
	} else {
		title = ""
	}
	if err := v.Err(); err != nil {
		return Post{}, err
	}
	html, err := s.md.Render(body)
	if err != nil {
		return Post{}, err
	}
	t, err := s.thread(ctx, tx, a.BrandID, p.ThreadID)
	if err != nil {
		return Post{}, err
	}
	if title == "" && p.IsQuestion {
		title = t.Title
	}
	now := ms(s.now())
	if err := insertRevision(ctx, tx, a.BrandID, postID, p.RevisionCount+1, a.UserID, title, body, html, now); err != nil {
		return Post{}, err
	}
	if _, err := tx.Exec(ctx, `UPDATE posts SET body_md = ?, body_html = ?, edited_at = ?, revision_count = ? WHERE id = ?`,
		body, html, now, p.RevisionCount+1, postID); err != nil {
		return Post{}, err
	}
	if p.IsQuestion && title != t.Title {
		if _, err := tx.Exec(ctx, `UPDATE threads SET title = ?, slug = ? WHERE id = ?`, title, Slugify(title), t.ID); err != nil {
			return Post{}, err
		}
	}
	return p, nil
}

// PostIn reads a post inside tx.
func (s *Service) PostIn(ctx context.Context, q sqldb.Querier, brandID, id int64) (Post, error) {
	return s.post(ctx, q, brandID, id)
}

// ThreadIn reads a thread inside tx.
func (s *Service) ThreadIn(ctx context.Context, q sqldb.Querier, brandID, id int64) (Thread, error) {
	return s.thread(ctx, q, brandID, id)
}

// PinnedThreads lists a board's visible pinned threads, shown above the rest.
func (s *Service) PinnedThreads(ctx context.Context, brandID, boardID int64) ([]Thread, error) {
	rows, err := s.db.Query(ctx, `SELECT `+threadCols+` FROM threads t JOIN users u ON u.id = t.author_id
WHERE t.board_id = ? AND t.brand_id = ? AND t.pinned = 1 AND t.status = 'visible' ORDER BY t.last_activity_at DESC, t.id DESC LIMIT 10`, boardID, brandID)
	if err != nil {
		return nil, fmt.Errorf("forum: pinned threads: %w", err)
	}
	out, _, err := collectThreads(rows, 10)
	return out, err
}

// withPinned puts a board's pinned threads on top of its first page.
func (s *Service) withPinned(ctx context.Context, brandID, boardID int64, page []Thread, next Cursor) ([]Thread, Cursor, error) {
	pinned, err := s.PinnedThreads(ctx, brandID, boardID)
	if err != nil || len(pinned) == 0 {
		return page, next, err
	}
	seen := map[int64]bool{}
	for _, t := range pinned {
		seen[t.ID] = true
	}
	for _, t := range page {
		if !seen[t.ID] {
			pinned = append(pinned, t)
		}
	}
	return pinned, next, nil
}
