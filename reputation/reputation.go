// Package reputation keeps the ledger of reputation events: the rules that say
// how many points an act is worth (per brand), the daily cap, withdrawals and
// reversals, the roll-ups leaderboards read, ranks and privilege thresholds,
// and the defences against gaming (serial kudos, kudos rings).
//
// The ledger is the truth; users.reputation and reputation_rollups are
// caches of its sums, kept in the same transaction as every event, which
// Rebuild can recompute at any time.
package reputation

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"mutual/sqldb"
)

// Reason names why points moved. An award's reason is also its origin: the
// act its points belong to. Withdrawals, removals and reversals carry the
// origin of what they undo, so every act's standing is one sum.
type Reason string

// The acts that earn reputation.
const (
	KudosReceived  Reason = "kudos_received"
	AnswerAccepted Reason = "answer_accepted"
	AcceptedOther  Reason = "accepted_answer" // the asker, for closing the loop
	// PeerRescue is awarded (by the escalation workflow) to a peer who
	// answers an escalated thread before an agent claims it.
	PeerRescue Reason = "peer_rescue"
	// ArticleCredit is awarded (by the knowledge base) to each member whose
	// post an article was drafted from, when it is first published.
	ArticleCredit Reason = "article_credit"
)

// The events that take points back.
const (
	KudosWithdrawn      Reason = "kudos_withdrawn"
	AcceptWithdrawn     Reason = "accept_withdrawn"
	SerialKudosReversed Reason = "serial_kudos_reversed"
	ThreadMerged        Reason = "thread_merged" // an accept ended by merging its thread into another
	Reversal            Reason = "reversal"      // any other act undone
	PostRemoved         Reason = "post_removed"
	PostRestored        Reason = "post_restored"
)

// withdrawals are the reasons that end an act for good (a removal does not:
// restoring the post gives its points back).
var withdrawals = []Reason{KudosWithdrawn, AcceptWithdrawn, SerialKudosReversed, ThreadMerged, Reversal}

// withdrawalFor is the reason recorded when an act's giver undoes it.
func withdrawalFor(origin Reason) Reason {
	switch origin {
	case KudosReceived:
		return KudosWithdrawn
	case AnswerAccepted, AcceptedOther:
		return AcceptWithdrawn
	}
	return Reversal
}

// Points is the default rules table: what each act is worth in a brand that
// has not configured its own (see Rules).
var Points = map[Reason]int64{
	KudosReceived:  10,
	AnswerAccepted: 15,
	AcceptedOther:  2,
	PeerRescue:     5,
	ArticleCredit:  10,
}

// DailyCap is the default limit on what kudos can earn one member in a UTC
// day, so a burst of votes cannot make anyone trusted overnight. Accepted
// answers and rescues are not capped.
const DailyCap = 200

// Event is one ledger entry to record.
type Event struct {
	BrandID int64
	UserID  int64 // who gains or loses
	Reason  Reason
	PostID  int64
	ActorID int64 // who caused it
	BoardID int64 // optional: found from PostID when zero
	At      time.Time
}

// Tx is the caller's transaction as the ledger needs it. The ledger's tables
// are reputation's; members' cached totals (users.reputation), privilege
// levels (columns of brands) and posts' kudos counts are the forum's, which
// imports this package, so the forum supplies them (forum.LedgerTx) and they
// move in the same transaction as the ledger.
type Tx interface {
	sqldb.Querier
	// LockMembers takes the members' rows for the rest of the transaction
	// on PostgreSQL, in id order, so two transactions moving one member's
	// points (a kudos withdrawn while the post is removed, say) read each
	// other's results instead of both undoing the same act.
	LockMembers(ctx context.Context, ids ...int64) error
	// AddReputation moves a member's cached total by delta.
	AddReputation(ctx context.Context, userID, delta int64) error
	// SetReputation sets a member's cached total (a rebuild).
	SetReputation(ctx context.Context, userID, total int64) error
	// SetPrivileges stores the brand's privilege levels.
	SetPrivileges(ctx context.Context, brandID int64, p Privileges) error
	// RebuildKudosCounts recounts the brand's posts' kudos from the standing
	// kudos and returns the counts that differed.
	RebuildKudosCounts(ctx context.Context, brandID int64) ([]Difference, error)
}

// StaffRoles are the roles whose holders earn nothing: their answers are the
// service, not the community. It is SQL, for "role IN (" + StaffRoles + ")".
const StaffRoles = `'agent', 'moderator', 'admin'`

const staffQuery = `SELECT COUNT(*) FROM role_assignments
WHERE brand_id = ? AND user_id = ? AND role IN (` + StaffRoles + `)`

// Award records ev inside the caller's transaction with the brand's rules
// and returns the points actually granted (0 for staff, or what remains of
// the daily cap). Unknown reasons are an error.
func Award(ctx context.Context, q Tx, ev Event) (int64, error) {
	r, err := LoadRules(ctx, q, ev.BrandID)
	if err != nil {
		return 0, err
	}
	return AwardWith(ctx, q, r, ev)
}

// Receiver is what an award needs to know about the member it credits.
type Receiver struct {
	Staff      bool  // staff earn nothing
	KudosToday int64 // the day's net from kudos so far, which the cap limits
}

// AwardWith is Award with the brand's rules already loaded.
func AwardWith(ctx context.Context, q Tx, r Rules, ev Event) (int64, error) {
	if _, ok := r.PointsFor(ev.Reason); !ok {
		return 0, fmt.Errorf("reputation: unknown reason %q", ev.Reason)
	}
	if ev.UserID == 0 || ev.UserID == ev.ActorID {
		return 0, nil
	}
	var rc Receiver
	var staff int
	if err := q.QueryRow(ctx, staffQuery, ev.BrandID, ev.UserID).Scan(&staff); err != nil {
		return 0, fmt.Errorf("reputation: staff check: %w", err)
	}
	rc.Staff = staff > 0
	if ev.Reason == KudosReceived && !rc.Staff {
		err := q.QueryRow(ctx, `SELECT kudos FROM reputation_rollups
WHERE brand_id = ? AND board_id = 0 AND period = 'd' AND start = ? AND user_id = ?`,
			ev.BrandID, DayStart(ev.At), ev.UserID).Scan(&rc.KudosToday)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return 0, fmt.Errorf("reputation: daily total: %w", err)
		}
	}
	return AwardTo(ctx, q, r, ev, rc)
}

// AwardTo is AwardWith for a caller that has read the receiver's standing
// in this transaction itself (kudos read it in one statement with their own
// checks, since every statement counts on SQLite's single writer). The
// roll-up of the day for the cap is the kudos column of the brand-wide 'd'
// row starting at DayStart.
func AwardTo(ctx context.Context, q Tx, r Rules, ev Event, rc Receiver) (int64, error) {
	pts, ok := r.PointsFor(ev.Reason)
	if !ok {
		return 0, fmt.Errorf("reputation: unknown reason %q", ev.Reason)
	}
	if ev.UserID == 0 || ev.UserID == ev.ActorID || rc.Staff {
		return 0, nil
	}
	if err := q.LockMembers(ctx, ev.UserID); err != nil {
		return 0, err
	}
	if ev.Reason == KudosReceived {
		pts = max(0, min(pts, r.DailyCap-rc.KudosToday))
	}
	if err := insert(ctx, q, ev, ev.Reason, ev.Reason, pts); err != nil {
		return 0, err
	}
	return pts, nil
}

// DayStart is the UTC midnight starting t's day: the start of its 'd'
// roll-up row.
func DayStart(t time.Time) int64 { return dayStart(t.UnixMilli()) }

// act is one act's state on the ledger: (user, post, actor, origin).
type act struct {
	user, actor int64
	origin      Reason
	standing    int64 // what it holds now
	removed     int64 // net of removals and restorations since its latest withdrawal (<= 0)
	lastAward   int64 // id of its latest award event
	lastEnd     int64 // id of its latest withdrawal or reversal
}

func (a act) withdrawn() bool { return a.lastEnd > a.lastAward }

// actLines are the columns foldActs reads, one ledger line a row, oldest
// first ("ORDER BY id").
const actLines = `user_id, COALESCE(actor_id, 0), origin, reason, delta, id`

// foldActs sums ledger lines (actLines, oldest first) into acts, in the
// order each act first appears. A withdrawal settles the act: what removals
// took before it is not given back should the act be given again later (a
// kudos taken back and given anew), so removed counts only what came after.
func foldActs(rows *sql.Rows) ([]act, error) {
	defer rows.Close()
	type key struct {
		user, actor int64
		origin      Reason
	}
	var out []act
	at := map[key]int{} // index in out
	for rows.Next() {
		var k key
		var origin, reason string
		var delta, id int64
		if err := rows.Scan(&k.user, &k.actor, &origin, &reason, &delta, &id); err != nil {
			return nil, err
		}
		k.origin = Reason(origin)
		i, ok := at[k]
		if !ok {
			i = len(out)
			at[k] = i
			out = append(out, act{user: k.user, actor: k.actor, origin: k.origin})
		}
		a := &out[i]
		a.standing += delta
		switch why := Reason(reason); {
		case why == a.origin:
			a.lastAward = id
		case why == PostRemoved || why == PostRestored:
			a.removed += delta
		case slices.Contains(withdrawals, why):
			a.lastEnd, a.removed = id, 0
		}
	}
	return out, rows.Err()
}

// Reverse undoes, inside the caller's transaction, the act named by ev
// (user, reason as the act's origin, post and, when ActorID is set, that
// actor; without it, every actor's): a withdrawal event with the opposite of
// what still stands. An act already withdrawn is not undone twice; one that
// holds nothing (its post was removed, its kudos capped) still gets a zero
// event, so restoring the post later does not give it back. It returns the
// total delta recorded.
func Reverse(ctx context.Context, q Tx, ev Event) (int64, error) {
	return ReverseAs(ctx, q, ev, withdrawalFor(ev.Reason))
}

// ReverseAs is Reverse recording why with the given reason (for example
// SerialKudosReversed or ThreadMerged).
func ReverseAs(ctx context.Context, q Tx, ev Event, why Reason) (int64, error) {
	if !slices.Contains(withdrawals, why) {
		return 0, fmt.Errorf("reputation: %q is not a withdrawal reason", why)
	}
	if err := q.LockMembers(ctx, ev.UserID); err != nil {
		return 0, err
	}
	rows, err := q.Query(ctx, `SELECT `+actLines+` FROM reputation_events
WHERE post_id = ? AND user_id = ? AND origin = ? AND (? = 0 OR actor_id = ?) ORDER BY id`,
		ev.PostID, ev.UserID, string(ev.Reason), ev.ActorID, ev.ActorID)
	if err != nil {
		return 0, fmt.Errorf("reputation: find award: %w", err)
	}
	acts, err := foldActs(rows)
	if err != nil {
		return 0, fmt.Errorf("reputation: find award: %w", err)
	}
	var total int64
	for _, a := range acts {
		if a.lastAward == 0 || a.withdrawn() {
			continue
		}
		e := ev
		e.ActorID = a.actor
		if err := insert(ctx, q, e, why, a.origin, -a.standing); err != nil {
			return 0, err
		}
		total -= a.standing
	}
	return total, nil
}

// insert writes one ledger event and moves the caches with it: the member's
// total and the roll-ups of the day, week and month (brand-wide and for the
// post's board).
func insert(ctx context.Context, q Tx, ev Event, reason, origin Reason, delta int64) error {
	var post, actor, board any
	if ev.PostID != 0 {
		post = ev.PostID
	}
	if ev.ActorID != 0 {
		actor = ev.ActorID
	}
	boardID := ev.BoardID
	if boardID == 0 && ev.PostID != 0 {
		err := q.QueryRow(ctx, `SELECT t.board_id FROM posts p JOIN threads t ON t.id = p.thread_id WHERE p.id = ?`, ev.PostID).Scan(&boardID)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("reputation: board of post %d: %w", ev.PostID, err)
		}
	}
	if boardID != 0 {
		board = boardID
	}
	at := ev.At.UnixMilli()
	if _, err := q.Exec(ctx, `INSERT INTO reputation_events (brand_id, user_id, delta, reason, origin, post_id, actor_id, board_id, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, ev.BrandID, ev.UserID, delta, string(reason), string(origin), post, actor, board, at); err != nil {
		return fmt.Errorf("reputation: record: %w", err)
	}
	if delta == 0 {
		return nil
	}
	if err := q.AddReputation(ctx, ev.UserID, delta); err != nil {
		return fmt.Errorf("reputation: update total: %w", err)
	}
	return addRollups(ctx, q, ev.BrandID, boardID, ev.UserID, at, delta, kudosPart(reason, origin, delta))
}

// kudosPart is what an event adds to the day's kudos sum the cap reads: the
// kudos awards and their withdrawals and reversals, not removals (a post a
// moderator hides must not free room under the cap).
func kudosPart(reason, origin Reason, delta int64) int64 {
	if origin == KudosReceived && reason != PostRemoved && reason != PostRestored {
		return delta
	}
	return 0
}

// addRollups adds delta to the roll-up rows an event touches (three, or
// five with a board), in one statement.
func addRollups(ctx context.Context, q sqldb.Querier, brandID, boardID, userID, at, delta, kudos int64) error {
	keys := rollupKeys(boardID, at)
	args := make([]any, 0, len(keys)*7)
	for _, k := range keys {
		k0 := int64(0)
		if k.period == "d" {
			k0 = kudos // only the brand-wide day's kudos sum is kept: the cap reads it
		}
		args = append(args, brandID, k.board, k.period, k.start, userID, delta, k0)
	}
	query, ok := rollupUpserts[len(keys)]
	if !ok {
		query = rollupUpsert(len(keys))
	}
	if _, err := q.Exec(ctx, query, args...); err != nil {
		return fmt.Errorf("reputation: roll-ups: %w", err)
	}
	return nil
}

// rollupUpsert is the statement adding n roll-up rows. The usual sizes are
// built once (rollupUpserts), not on every event.
func rollupUpsert(n int) string {
	rows := strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?), ", n), ", ")
	return `INSERT INTO reputation_rollups (brand_id, board_id, period, start, user_id, points, kudos) VALUES ` + rows + `
ON CONFLICT (brand_id, board_id, period, start, user_id) DO UPDATE
SET points = reputation_rollups.points + excluded.points, kudos = reputation_rollups.kudos + excluded.kudos`
}

var rollupUpserts = map[int]string{3: rollupUpsert(3), 5: rollupUpsert(5)}

// Total reads the ledger sum for a user (the truth, not the cache).
func Total(ctx context.Context, q sqldb.Querier, userID int64) (int64, error) {
	var n sql.NullInt64
	err := q.QueryRow(ctx, `SELECT SUM(delta) FROM reputation_events WHERE user_id = ?`, userID).Scan(&n)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("reputation: total: %w", err)
	}
	return n.Int64, nil
}

// RemovePost takes back, inside the caller's transaction, every point the
// post still holds — kudos received, its accepted answer, the asker's bonus
// for accepting it, a rescue bonus — one event per member, giver and act, so
// the ledger says exactly what was reversed. Removing twice reverses nothing
// more.
func RemovePost(ctx context.Context, q Tx, brandID, postID int64, at time.Time) error {
	return moveStanding(ctx, q, brandID, postID, at, PostRemoved)
}

// RestorePost gives back what RemovePost took, when a moderator restores the
// post: only for acts still standing (a kudos withdrawn or found serial while
// the post was hidden stays withdrawn), and never twice.
func RestorePost(ctx context.Context, q Tx, brandID, postID int64, at time.Time) error {
	return moveStanding(ctx, q, brandID, postID, at, PostRestored)
}

func moveStanding(ctx context.Context, q Tx, brandID, postID int64, at time.Time, why Reason) error {
	rows, err := q.Query(ctx, `SELECT `+actLines+` FROM reputation_events WHERE brand_id = ? AND post_id = ? ORDER BY id`, brandID, postID)
	if err != nil {
		return fmt.Errorf("reputation: standing points of post %d: %w", postID, err)
	}
	acts, err := foldActs(rows)
	if err != nil {
		return fmt.Errorf("reputation: standing points of post %d: %w", postID, err)
	}
	users := make([]int64, 0, len(acts))
	for _, a := range acts {
		users = append(users, a.user)
	}
	if err := q.LockMembers(ctx, users...); err != nil {
		return err
	}
	if q.Dialect() == sqldb.Postgres && len(acts) > 0 {
		// Re-read now that the members are locked: a withdrawal may have
		// committed while this transaction waited.
		rows, err := q.Query(ctx, `SELECT `+actLines+` FROM reputation_events WHERE brand_id = ? AND post_id = ? ORDER BY id`, brandID, postID)
		if err != nil {
			return fmt.Errorf("reputation: standing points of post %d: %w", postID, err)
		}
		if acts, err = foldActs(rows); err != nil {
			return err
		}
	}
	for _, a := range acts {
		delta := -a.standing
		if why == PostRestored {
			if a.withdrawn() || a.removed >= 0 {
				continue
			}
			delta = -a.removed
		}
		if delta == 0 {
			continue
		}
		ev := Event{BrandID: brandID, UserID: a.user, PostID: postID, ActorID: a.actor, At: at}
		if err := insert(ctx, q, ev, why, a.origin, delta); err != nil {
			return err
		}
	}
	return nil
}
