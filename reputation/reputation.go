// Package reputation keeps the ledger of reputation events: the rules that say
// how many points an act is worth, the daily cap, reversals, and the ranks
// members reach. The ledger is the truth; users.reputation is a cache of its
// sum that Rebuild can recompute at any time.
package reputation

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"mutual/sqldb"
)

// Reason names why points moved.
type Reason string

// The acts that earn or cost reputation.
const (
	KudosReceived  Reason = "kudos_received"
	AnswerAccepted Reason = "answer_accepted"
	AcceptedOther  Reason = "accepted_answer" // the asker, for closing the loop
)

// Points is the rules table: what each act is worth.
var Points = map[Reason]int64{
	KudosReceived:  10,
	AnswerAccepted: 15,
	AcceptedOther:  2,
}

// DailyCap limits what kudos can earn one member in a UTC day, so a burst of
// votes cannot make anyone trusted overnight. Accepted answers are not capped.
const DailyCap = 200

// Rank is a named step on the reputation ladder.
type Rank struct {
	Name string
	Min  int64
}

// Ranks are the default ladder, lowest first.
var Ranks = []Rank{
	{"Newcomer", 0},
	{"Contributor", 50},
	{"Helper", 200},
	{"Expert", 1000},
	{"Guru", 5000},
}

// RankFor returns the rank for a reputation total.
func RankFor(rep int64) Rank {
	r := Ranks[0]
	for _, x := range Ranks {
		if rep >= x.Min {
			r = x
		}
	}
	return r
}

// Event is one ledger entry.
type Event struct {
	BrandID int64
	UserID  int64 // who gains or loses
	Reason  Reason
	PostID  int64
	ActorID int64 // who caused it
	At      time.Time
}

// staff roles earn nothing: their answers are the service, not the community.
const staffQuery = `SELECT COUNT(*) FROM role_assignments
WHERE brand_id = ? AND user_id = ? AND role IN ('agent', 'moderator', 'admin')`

// Award records ev inside the caller's transaction and returns the points
// actually granted (0 for staff, or what remains of the daily cap).
func Award(ctx context.Context, q sqldb.Querier, ev Event) (int64, error) {
	pts, ok := Points[ev.Reason]
	if !ok {
		return 0, fmt.Errorf("reputation: unknown reason %q", ev.Reason)
	}
	if ev.UserID == 0 || ev.UserID == ev.ActorID {
		return 0, nil
	}
	var staff int
	if err := q.QueryRow(ctx, staffQuery, ev.BrandID, ev.UserID).Scan(&staff); err != nil {
		return 0, fmt.Errorf("reputation: staff check: %w", err)
	}
	if staff > 0 {
		return 0, nil
	}
	if ev.Reason == KudosReceived {
		day := ev.At.UTC().Truncate(24 * time.Hour)
		var today int64
		err := q.QueryRow(ctx, `SELECT COALESCE(SUM(delta), 0) FROM reputation_events
WHERE user_id = ? AND reason = ? AND created_at >= ? AND created_at < ?`,
			ev.UserID, string(KudosReceived), day.UnixMilli(), day.Add(24*time.Hour).UnixMilli()).Scan(&today)
		if err != nil {
			return 0, fmt.Errorf("reputation: daily total: %w", err)
		}
		pts = max(0, min(pts, DailyCap-today))
	}
	if err := insert(ctx, q, ev, pts); err != nil {
		return 0, err
	}
	return pts, nil
}

// Reverse undoes what is still standing of the awards for (user, reason, post)
// and, when ActorID is set, that actor: a new event with the opposite of what
// was actually granted. With nothing to undo it returns 0 and no error.
func Reverse(ctx context.Context, q sqldb.Querier, ev Event) (int64, error) {
	var granted int64
	err := q.QueryRow(ctx, `SELECT COALESCE(SUM(delta), 0) FROM reputation_events
WHERE user_id = ? AND reason = ? AND post_id = ? AND (? = 0 OR actor_id = ?)`,
		ev.UserID, string(ev.Reason), ev.PostID, ev.ActorID, ev.ActorID).Scan(&granted)
	if err != nil {
		return 0, fmt.Errorf("reputation: find award: %w", err)
	}
	if granted == 0 {
		return 0, nil
	}
	if err := insert(ctx, q, ev, -granted); err != nil {
		return 0, err
	}
	return -granted, nil
}

func insert(ctx context.Context, q sqldb.Querier, ev Event, delta int64) error {
	var post, actor any
	if ev.PostID != 0 {
		post = ev.PostID
	}
	if ev.ActorID != 0 {
		actor = ev.ActorID
	}
	if _, err := q.Exec(ctx, `INSERT INTO reputation_events (brand_id, user_id, delta, reason, post_id, actor_id, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?)`, ev.BrandID, ev.UserID, delta, string(ev.Reason), post, actor, ev.At.UnixMilli()); err != nil {
		return fmt.Errorf("reputation: record: %w", err)
	}
	if delta == 0 {
		return nil
	}
	if _, err := q.Exec(ctx, `UPDATE users SET reputation = reputation + ? WHERE id = ?`, delta, ev.UserID); err != nil {
		return fmt.Errorf("reputation: update total: %w", err)
	}
	return nil
}

// Rebuild recomputes every cached total in a brand from the ledger.
func Rebuild(ctx context.Context, q sqldb.Querier, brandID int64) error {
	_, err := q.Exec(ctx, `UPDATE users SET reputation = COALESCE(
  (SELECT SUM(delta) FROM reputation_events e WHERE e.user_id = users.id), 0)
WHERE brand_id = ?`, brandID)
	if err != nil {
		return fmt.Errorf("reputation: rebuild: %w", err)
	}
	return nil
}

// Total reads the ledger sum for a user (the truth, not the cache).
func Total(ctx context.Context, q sqldb.Querier, userID int64) (int64, error) {
	var n sql.NullInt64
	err := q.QueryRow(ctx, `SELECT SUM(delta) FROM reputation_events WHERE user_id = ?`, userID).Scan(&n)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("reputation: total: %w", err)
	}
	return n.Int64, nil
}

// PostRemoved is the reason on the events that take back what a removed
// (hidden or deleted) post earned; PostRestored gives it back.
const (
	PostRemoved  Reason = "post_removed"
	PostRestored Reason = "post_restored"
)

// RemovePost takes back, inside the caller's transaction, every point the
// post still holds — kudos received, its accepted answer, the asker's bonus
// for accepting it — one event per member and reason-giver, so the ledger
// says exactly what was reversed. Removing twice reverses nothing more.
func RemovePost(ctx context.Context, q sqldb.Querier, brandID, postID int64, at time.Time) error {
	return moveStanding(ctx, q, brandID, postID, at, PostRemoved)
}

// RestorePost gives back what RemovePost took, when a moderator restores the
// post. Points that had not been removed are not granted twice.
func RestorePost(ctx context.Context, q sqldb.Querier, brandID, postID int64, at time.Time) error {
	return moveStanding(ctx, q, brandID, postID, at, PostRestored)
}

func moveStanding(ctx context.Context, q sqldb.Querier, brandID, postID int64, at time.Time, why Reason) error {
	// Removal cancels everything that stands (so removing twice takes
	// nothing more); restoring undoes the removals that still stand.
	cond := `1 = 1`
	if why == PostRestored {
		cond = `reason IN ('post_removed', 'post_restored')`
	}
	rows, err := q.Query(ctx, `SELECT user_id, COALESCE(actor_id, 0), SUM(delta) FROM reputation_events
WHERE brand_id = ? AND post_id = ? AND `+cond+` GROUP BY user_id, COALESCE(actor_id, 0)`, brandID, postID)
	if err != nil {
		return fmt.Errorf("reputation: standing points of post %d: %w", postID, err)
	}
	type standing struct{ user, actor, sum int64 }
	var todo []standing
	for rows.Next() {
		var s standing
		if err := rows.Scan(&s.user, &s.actor, &s.sum); err != nil {
			rows.Close()
			return err
		}
		todo = append(todo, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, s := range todo {
		if s.sum == 0 {
			continue
		}
		ev := Event{BrandID: brandID, UserID: s.user, Reason: why, PostID: postID, ActorID: s.actor, At: at}
		if err := insert(ctx, q, ev, -s.sum); err != nil {
			return err
		}
	}
	return nil
}
