package forum

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"mutual/account"
	"mutual/fault"
	"mutual/i18n"
	"mutual/reputation"
	"mutual/sqldb"
)

// checkGiver refuses kudos from an account too new or too quiet to be
// trusted with them, or one that has given its day's allowance. Staff are
// vetted by the brand and exempt from the age and activity rules.
func checkGiver(ctx context.Context, q sqldb.Querier, a account.Actor, r reputation.Rules, now time.Time) error {
	var created, posts, today int64
	err := q.QueryRow(ctx, `SELECT u.created_at,
(SELECT COUNT(*) FROM (SELECT 1 FROM posts p WHERE p.author_id = u.id AND p.status = 'visible' LIMIT ?) x),
(SELECT COUNT(*) FROM kudos k WHERE k.user_id = u.id AND k.created_at >= ?)
FROM users u WHERE u.id = ? AND u.brand_id = ?`, max(r.GiverMinPosts, 1), dayStartMS(now), a.UserID, a.BrandID).Scan(&created, &posts, &today)
	if errors.Is(err, sql.ErrNoRows) {
		return fault.ErrUnauthenticated
	}
	if err != nil {
		return fmt.Errorf("forum: kudos giver: %w", err)
	}
	if today >= r.KudosPerDay {
		return fault.Denied(i18n.T(ctx, "forum.kudos_day_cap", "N", today))
	}
	if a.IsStaff() {
		return nil
	}
	if age := now.Sub(sqldb.Time(created)); age < r.GiverMinAge() {
		return fault.Denied(i18n.T(ctx, "forum.kudos_new_account", "Age", humanDuration(ctx, r.GiverMinAge()), "Left", humanDuration(ctx, r.GiverMinAge()-age)))
	}
	if posts < r.GiverMinPosts {
		if r.GiverMinPosts == 1 {
			return fault.Denied(i18n.T(ctx, "forum.kudos_take_part"))
		}
		return fault.Denied(i18n.T(ctx, "forum.kudos_min_posts", "N", r.GiverMinPosts, "Have", posts))
	}
	return nil
}

func dayStartMS(t time.Time) int64 {
	ms := t.UnixMilli()
	const day = int64(24 * time.Hour / time.Millisecond)
	return ms - ((ms%day)+day)%day
}

// humanDuration says a duration the way people do, rounded up.
func humanDuration(ctx context.Context, d time.Duration) string {
	switch {
	case d <= time.Minute:
		return i18n.N(ctx, "forum.span_minutes", 1)
	case d < time.Hour:
		return i18n.N(ctx, "forum.span_minutes", int64((d+time.Minute-1)/time.Minute))
	case d < 48*time.Hour:
		return i18n.N(ctx, "forum.span_hours", int64((d+time.Hour-1)/time.Hour))
	}
	return i18n.N(ctx, "forum.span_days", int64((d+24*time.Hour-1)/(24*time.Hour)))
}

// reverseSerial checks whether giver has now given receiver serial kudos
// (SerialThreshold or more within SerialWindow) and, if so, reverses every
// one still standing in the window: the points go back on the ledger as
// serial_kudos_reversed, the kudos stay recorded (so they cannot be given
// again) but no longer count on the posts. It returns how many it reversed.
//
// awards is the number of the ledger's award lines from giver to receiver in
// the window, this kudos's included (giveKudos counts them in the statement
// that reads its other checks): a cheap bound on the kudos there, so the
// kudos themselves are read only when it is reached.
func reverseSerial(ctx context.Context, tx *sqldb.Tx, r reputation.Rules, brandID, giver, receiver int64, now time.Time, awards int64) (int, error) {
	if awards < r.SerialThreshold {
		return 0, nil
	}
	since := now.Add(-r.SerialWindow()).UnixMilli()
	rows, err := tx.Query(ctx, `SELECT k.post_id, k.reversed_at IS NULL FROM kudos k JOIN posts p ON p.id = k.post_id
WHERE k.user_id = ? AND k.created_at >= ? AND +p.author_id = ? ORDER BY k.created_at, k.post_id`,
		giver, since, receiver)
	if err != nil {
		return 0, fmt.Errorf("forum: serial kudos: %w", err)
	}
	var standing []int64
	n := int64(0)
	for rows.Next() {
		var post int64
		var live bool
		if err := rows.Scan(&post, &live); err != nil {
			rows.Close()
			return 0, err
		}
		n++
		if live {
			standing = append(standing, post)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if n < r.SerialThreshold {
		return 0, nil
	}
	for _, post := range standing {
		if _, err := tx.Exec(ctx, `UPDATE kudos SET reversed_at = ? WHERE post_id = ? AND user_id = ?`, sqldb.Millis(now), post, giver); err != nil {
			return 0, err
		}
		if _, err := tx.Exec(ctx, `UPDATE posts SET kudos_count = kudos_count - 1 WHERE id = ?`, post); err != nil {
			return 0, err
		}
		if _, err := reputation.ReverseAs(ctx, LedgerTx(tx), reputation.Event{BrandID: brandID, UserID: receiver, Reason: reputation.KudosReceived,
			PostID: post, ActorID: giver, At: now}, reputation.SerialKudosReversed); err != nil {
			return 0, err
		}
	}
	return len(standing), nil
}

// Thousands writes n with comma separators (1,000).
func Thousands(n int64) string {
	s := fmt.Sprint(n)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	out := ""
	for len(s) > 3 {
		out = "," + s[len(s)-3:] + out
		s = s[:len(s)-3]
	}
	out = s + out
	if neg {
		return "-" + out
	}
	return out
}

// KudosCursor is a position in replies sorted by kudos.
type KudosCursor struct {
	Kudos int64
	ID    int64
}

// String encodes the cursor for a URL.
func (c KudosCursor) String() string {
	if c.ID == 0 {
		return ""
	}
	return fmt.Sprintf("k%d.%d", c.Kudos, c.ID)
}

// ParseKudosCursor decodes a cursor; "" is the first page.
func ParseKudosCursor(ctx context.Context, s string) (KudosCursor, error) {
	if s == "" {
		return KudosCursor{}, nil
	}
	var c KudosCursor
	if _, err := fmt.Sscanf(s, "k%d.%d", &c.Kudos, &c.ID); err != nil || c.ID <= 0 || c.Kudos < 0 {
		return KudosCursor{}, &fault.ValidationError{Fields: map[string]string{"cursor": i18n.T(ctx, "forum.bad_cursor")}}
	}
	return c, nil
}

// PageByKudos is Page with the replies sorted by kudos, most first (ties
// oldest first), after the accepted answer which the page shows apart.
// It returns the cursor of the next page of replies.
func (s *Service) PageByKudos(ctx context.Context, brandID, threadID, viewer int64, after KudosCursor) (ThreadPage, KudosCursor, error) {
	pg, err := s.Page(ctx, brandID, threadID, viewer, Cursor{At: time.UnixMilli(1<<62 - 1), ID: 1<<62 - 1})
	if err != nil {
		return ThreadPage{}, KudosCursor{}, err
	}
	args := []any{threadID, brandID}
	keyset := ""
	if after.ID != 0 {
		keyset = " AND (p.kudos_count < ? OR (p.kudos_count = ? AND p.id > ?))"
		args = append(args, after.Kudos, after.Kudos, after.ID)
	}
	args = append(args, RepliesPerPage+1)
	rows, err := s.db.Query(ctx, `SELECT `+postCols+` FROM posts p JOIN users u ON u.id = p.author_id
WHERE p.thread_id = ? AND p.brand_id = ? AND p.is_question = 0 AND p.status = 'visible'`+keyset+`
ORDER BY p.kudos_count DESC, p.id LIMIT ?`, args...)
	if err != nil {
		return ThreadPage{}, KudosCursor{}, fmt.Errorf("forum: replies by kudos: %w", err)
	}
	if pg.Replies, err = collectPosts(rows); err != nil {
		return ThreadPage{}, KudosCursor{}, err
	}
	// Page labelled the posts it loaded; these replies replace its own.
	if err := s.labelStaff(ctx, brandID, &pg); err != nil {
		return ThreadPage{}, KudosCursor{}, err
	}
	if err := s.markMerged(ctx, brandID, &pg); err != nil {
		return ThreadPage{}, KudosCursor{}, err
	}
	pg.Next = Cursor{}
	var next KudosCursor
	if len(pg.Replies) > RepliesPerPage {
		pg.Replies = pg.Replies[:RepliesPerPage]
		last := pg.Replies[RepliesPerPage-1]
		next = KudosCursor{Kudos: last.KudosCount, ID: last.ID}
	}
	return pg, next, nil
}

// KudosBlocked returns, for a signed-in member, why they cannot give kudos
// right now (a message to show beside the kudos buttons), or "".
func (s *Service) KudosBlocked(ctx context.Context, a account.Actor) (string, error) {
	if !a.SignedIn() {
		return "", nil
	}
	r, err := reputation.LoadRules(ctx, s.db, a.BrandID)
	if err != nil {
		return "", err
	}
	err = checkGiver(ctx, s.db, a, r, s.now())
	var fe *fault.Error
	if errors.As(err, &fe) {
		return fe.Msg, nil
	}
	return "", err
}

// giveKudos records a kudos inside tx. On SQLite every kudos runs on the
// single writer, so each statement counts: what the checks need about the
// author (staff role, the day's kudos toward the cap, the giver's earlier
// awards to them in the serial window) is read in one statement.
func (s *Service) giveKudos(ctx context.Context, tx *sqldb.Tx, a account.Actor, postID int64) error {
	now := s.now()
	rules, err := reputation.LoadRules(ctx, tx, a.BrandID)
	if err != nil {
		return err
	}
	author, threadID, boardID, visible, err := kudosTarget(ctx, tx, a, postID)
	if err != nil {
		return err
	}
	if !visible {
		return fault.NotFound(i18n.T(ctx, "forum.kudos_gone"))
	}
	if err := checkGiver(ctx, tx, a, rules, now); err != nil {
		return err
	}
	var rc reputation.Receiver
	var serial int64
	var given bool
	err = tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM role_assignments WHERE brand_id = ? AND user_id = ? AND role IN (`+reputation.StaffRoles+`)),
COALESCE((SELECT kudos FROM reputation_rollups WHERE brand_id = ? AND board_id = 0 AND period = 'd' AND start = ? AND user_id = ?), 0),
(SELECT COUNT(*) FROM reputation_events WHERE actor_id = ? AND user_id = ? AND created_at >= ? AND reason = 'kudos_received'),
EXISTS (SELECT 1 FROM kudos WHERE post_id = ? AND user_id = ?)`,
		a.BrandID, author, a.BrandID, reputation.DayStart(now), author, a.UserID, author, now.Add(-rules.SerialWindow()).UnixMilli(),
		postID, a.UserID).Scan(&rc.Staff, &rc.KudosToday, &serial, &given)
	if err != nil {
		return fmt.Errorf("forum: kudos receiver: %w", err)
	}
	// Refusals come before any write, so a refused kudos writes nothing
	// (and, on SQLite, takes no savepoint in its commit group, see sqldb.Tx).
	if given {
		return &fault.Error{Kind: fault.ErrConflict, Msg: i18n.T(ctx, "forum.kudos_already")}
	}
	if !rc.Staff && rules.DailyCap > 0 && rc.KudosToday >= rules.DailyCap {
		return fault.Denied(i18n.T(ctx, "forum.kudos_receiver_cap", "Name", authorName(ctx, tx, author), "Cap", i18n.From(ctx).Int(rules.DailyCap)))
	}
	res, err := tx.Exec(ctx, `INSERT INTO kudos (brand_id, post_id, user_id, created_at) VALUES (?, ?, ?, ?)
ON CONFLICT (post_id, user_id) DO NOTHING`, a.BrandID, postID, a.UserID, sqldb.Millis(now))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return &fault.Error{Kind: fault.ErrConflict, Msg: i18n.T(ctx, "forum.kudos_already")}
	}
	if _, err := tx.Exec(ctx, `UPDATE posts SET kudos_count = kudos_count + 1 WHERE id = ?`, postID); err != nil {
		return err
	}
	ev := reputation.Event{BrandID: a.BrandID, UserID: author, Reason: reputation.KudosReceived, PostID: postID, ActorID: a.UserID, BoardID: boardID, At: now}
	if _, err = reputation.AwardTo(ctx, LedgerTx(tx), rules, ev, rc); err != nil {
		return err
	}
	if !rc.Staff { // the award line just written counts toward serial kudos
		serial++
	}
	if _, err := reverseSerial(ctx, tx, rules, a.BrandID, a.UserID, author, now, serial); err != nil {
		return err
	}
	return s.Emit(ctx, tx, Event{Kind: KudosGiven, BrandID: a.BrandID, BoardID: boardID, ThreadID: threadID, PostID: postID,
		ActorID: a.UserID, ActorStaff: a.IsStaff(), AuthorID: author, At: now})
}

// authorName is a member's name for a message, or "This member" should the
// read fail (the refusal matters more than the name in it).
func authorName(ctx context.Context, q sqldb.Querier, id int64) string {
	var name string
	if err := q.QueryRow(ctx, `SELECT username FROM users WHERE id = ?`, id).Scan(&name); err != nil {
		return "This member"
	}
	return name
}

// kudosTarget reads the post a kudos is given to or taken from, refusing
// the actor's own post, and locks its author. visible is false when the post
// or its thread is hidden or deleted (moderation acts on whole threads too).
func kudosTarget(ctx context.Context, tx *sqldb.Tx, a account.Actor, postID int64) (author, threadID, boardID int64, visible bool, err error) {
	var status, threadStatus string
	err = tx.QueryRow(ctx, `SELECT p.author_id, p.thread_id, p.status, t.board_id, t.status FROM posts p JOIN threads t ON t.id = p.thread_id
WHERE p.id = ? AND p.brand_id = ?`, postID, a.BrandID).Scan(&author, &threadID, &status, &boardID, &threadStatus)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, 0, false, fault.NotFound(i18n.T(ctx, "forum.post_missing"))
	}
	if err != nil {
		return 0, 0, 0, false, err
	}
	if author == a.UserID {
		return 0, 0, 0, false, fault.Denied(i18n.T(ctx, "forum.kudos_own"))
	}
	// The author first, then their posts: every kudos transaction takes
	// locks in that order (PostgreSQL), a serial reversal included.
	if err := account.LockMembers(ctx, tx, author); err != nil {
		return 0, 0, 0, false, err
	}
	if tx.Dialect() == sqldb.Postgres {
		// Hiding a post or its thread locks the authors before it changes
		// the status and takes the points back: read it again under the
		// lock, or a kudos could land on a post hidden meanwhile.
		err = tx.QueryRow(ctx, `SELECT p.status, t.status FROM posts p JOIN threads t ON t.id = p.thread_id WHERE p.id = ?`, postID).
			Scan(&status, &threadStatus)
		if err != nil {
			return 0, 0, 0, false, err
		}
	}
	return author, threadID, boardID, status == StatusVisible && threadStatus == StatusVisible, nil
}

// GiveKudos records the actor's kudos on a post (idempotent) and credits the
// author. Nobody gives kudos to their own post.
func (s *Service) GiveKudos(ctx context.Context, a account.Actor, postID int64) (Post, error) {
	return s.kudos(ctx, a, postID, true)
}

// TakeKudos withdraws the actor's kudos and the reputation it earned.
// Taking back kudos never given, or reversed as serial (which stay recorded
// so they cannot be given again), changes nothing.
func (s *Service) TakeKudos(ctx context.Context, a account.Actor, postID int64) (Post, error) {
	return s.kudos(ctx, a, postID, false)
}

func (s *Service) kudos(ctx context.Context, a account.Actor, postID int64, give bool) (Post, error) {
	if err := requireMember(a); err != nil {
		return Post{}, err
	}
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if give {
			return s.giveKudos(ctx, tx, a, postID)
		}
		author, threadID, boardID, _, err := kudosTarget(ctx, tx, a, postID)
		if err != nil {
			return err
		}
		now := s.now()
		ev := reputation.Event{BrandID: a.BrandID, UserID: author, Reason: reputation.KudosReceived, PostID: postID, ActorID: a.UserID, BoardID: boardID, At: now}
		// A kudos reversed as serial stays recorded, so it can never be
		// given again: taking it back, like taking back one never given,
		// changes nothing.
		res, err := tx.Exec(ctx, `DELETE FROM kudos WHERE post_id = ? AND user_id = ? AND reversed_at IS NULL`, postID, a.UserID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE posts SET kudos_count = kudos_count - 1 WHERE id = ?`, postID); err != nil {
			return err
		}
		if _, err = reputation.Reverse(ctx, LedgerTx(tx), ev); err != nil {
			return err
		}
		return s.Emit(ctx, tx, Event{Kind: KudosTaken, BrandID: a.BrandID, BoardID: boardID, ThreadID: threadID, PostID: postID,
			ActorID: a.UserID, ActorStaff: a.IsStaff(), AuthorID: author, At: now})
	})
	if err != nil {
		return Post{}, fmt.Errorf("forum: kudos on post %d: %w", postID, err)
	}
	p, err := s.Post(ctx, a.BrandID, postID)
	if err == nil {
		s.changed(Change{BrandID: a.BrandID, ThreadID: p.ThreadID, Addition: true})
	}
	return p, err
}
