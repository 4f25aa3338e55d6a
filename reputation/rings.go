package reputation

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"mutual/fault"
	"mutual/i18n"
	"mutual/sqldb"
)

// Ring is a small set of accounts that mostly give kudos to each other,
// flagged for moderators to look at.
type Ring struct {
	ID          int64
	Members     []RingMember
	KudosInside int64 // kudos the members gave each other in the window
	KudosGiven  int64 // all kudos the members gave in the window
	FirstAt     time.Time
	LastAt      time.Time
	DetectedAt  time.Time
	Status      string // open, dismissed, confirmed
	ReviewedBy  string
	ReviewedAt  time.Time
	Note        string
}

// SharePct is the share of the members' kudos that stayed inside the ring.
func (r Ring) SharePct() int64 {
	if r.KudosGiven == 0 {
		return 0
	}
	return r.KudosInside * 100 / r.KudosGiven
}

// RingMember is one account in a ring.
type RingMember struct {
	UserID     int64
	Username   string
	Reputation int64
}

// Ring statuses.
const (
	RingOpen      = "open"
	RingDismissed = "dismissed"
	RingConfirmed = "confirmed"
)

// DetectRings looks for kudos rings in the brand's kudos over the rules'
// window (see findRings and docs/reputation.md for what is flagged) and
// records each: new ones open; known ones, matched by their exact set of
// members, have their figures updated and keep their review. It returns how
// many rings it saw.
func DetectRings(ctx context.Context, db *sqldb.DB, brandID int64, now time.Time) (int, error) {
	r, err := LoadRules(ctx, db, brandID)
	if err != nil {
		return 0, err
	}
	since := now.Add(-time.Duration(r.RingWindowDays) * 24 * time.Hour).UnixMilli()
	rows, err := db.Query(ctx, `SELECT k.user_id, p.author_id, COUNT(*), MIN(k.created_at), MAX(k.created_at)
FROM kudos k JOIN posts p ON p.id = k.post_id
WHERE k.brand_id = ? AND k.created_at >= ? AND p.author_id <> k.user_id
GROUP BY k.user_id, p.author_id`, brandID, since)
	if err != nil {
		return 0, fmt.Errorf("reputation: kudos graph: %w", err)
	}
	var edges []kudosEdge
	for rows.Next() {
		var e kudosEdge
		if err := rows.Scan(&e.from, &e.to, &e.n, &e.first, &e.last); err != nil {
			rows.Close()
			return 0, fmt.Errorf("reputation: kudos graph: %w", err)
		}
		edges = append(edges, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("reputation: kudos graph: %w", err)
	}
	rings := findRings(edges, r)
	if len(rings) == 0 {
		return 0, nil
	}
	err = db.InTx(ctx, func(tx *sqldb.Tx) error {
		for _, f := range rings {
			key := make([]string, len(f.members))
			for i, id := range f.members {
				key[i] = strconv.FormatInt(id, 10)
			}
			var id int64
			err := tx.QueryRow(ctx, `INSERT INTO reputation_rings (brand_id, members_key, member_count, kudos_inside, kudos_given, first_at, last_at, detected_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (brand_id, members_key) DO UPDATE SET kudos_inside = excluded.kudos_inside, kudos_given = excluded.kudos_given,
last_at = excluded.last_at, detected_at = excluded.detected_at RETURNING id`,
				brandID, strings.Join(key, ","), len(f.members), f.inside, f.given, f.firstAt, f.lastAt, now.UnixMilli()).Scan(&id)
			if err != nil {
				return err
			}
			for _, u := range f.members {
				if _, err := tx.Exec(ctx, `INSERT INTO reputation_ring_members (ring_id, user_id) VALUES (?, ?) ON CONFLICT (ring_id, user_id) DO NOTHING`, id, u); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("reputation: record rings: %w", err)
	}
	return len(rings), nil
}

// Rings lists a brand's rings with the given status ("" for all), most
// recently detected first.
func Rings(ctx context.Context, q sqldb.Querier, brandID int64, status string, limit int) ([]Ring, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	rows, err := q.Query(ctx, `SELECT r.id, r.kudos_inside, r.kudos_given, r.first_at, r.last_at, r.detected_at, r.status,
COALESCE(u.username, ''), COALESCE(r.reviewed_at, 0), r.note
FROM reputation_rings r LEFT JOIN users u ON u.id = r.reviewed_by
WHERE r.brand_id = ? AND (? = '' OR r.status = ?)
ORDER BY r.detected_at DESC, r.id DESC LIMIT ?`, brandID, status, status, limit)
	if err != nil {
		return nil, fmt.Errorf("reputation: rings: %w", err)
	}
	var out []Ring
	byID := map[int64]int{}
	for rows.Next() {
		var g Ring
		var first, last, det, rev int64
		if err := rows.Scan(&g.ID, &g.KudosInside, &g.KudosGiven, &first, &last, &det, &g.Status, &g.ReviewedBy, &rev, &g.Note); err != nil {
			rows.Close()
			return nil, err
		}
		g.FirstAt, g.LastAt, g.DetectedAt = time.UnixMilli(first).UTC(), time.UnixMilli(last).UTC(), time.UnixMilli(det).UTC()
		if rev != 0 {
			g.ReviewedAt = time.UnixMilli(rev).UTC()
		}
		byID[g.ID] = len(out)
		out = append(out, g)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return []Ring{}, nil
	}
	// Members of the listed rings in one query.
	ids := make([]string, 0, len(out))
	for _, g := range out {
		ids = append(ids, strconv.FormatInt(g.ID, 10))
	}
	rows, err = q.Query(ctx, `SELECT m.ring_id, u.id, u.username, u.reputation FROM reputation_ring_members m JOIN users u ON u.id = m.user_id
WHERE m.ring_id IN (`+strings.Join(ids, ",")+`) ORDER BY u.username`)
	if err != nil {
		return nil, fmt.Errorf("reputation: ring members: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var ring int64
		var m RingMember
		if err := rows.Scan(&ring, &m.UserID, &m.Username, &m.Reputation); err != nil {
			return nil, err
		}
		g := &out[byID[ring]]
		g.Members = append(g.Members, m)
	}
	return out, rows.Err()
}

// ErrNoRing is returned when a ring does not exist in the brand.
var ErrNoRing = &fault.Error{Kind: fault.ErrNotFound, ID: "repumsg.no_ring", Msg: i18n.T(context.Background(), "repumsg.no_ring")}

// ReviewRing records a moderator's decision on a ring: dismissed (not a
// ring), confirmed (a ring; act on the accounts through moderation) or open
// again.
func ReviewRing(ctx context.Context, q sqldb.Querier, brandID, ringID, by int64, status, note string, at time.Time) error {
	if status != RingOpen && status != RingDismissed && status != RingConfirmed {
		return &fault.ValidationError{Fields: map[string]string{"status": i18n.T(ctx, "repumsg.ring_status")}}
	}
	if len(note) > 1000 {
		return &fault.ValidationError{Fields: map[string]string{"note": i18n.T(ctx, "repumsg.ring_note", "Max", i18n.From(ctx).Int(1000))}}
	}
	res, err := q.Exec(ctx, `UPDATE reputation_rings SET status = ?, note = ?, reviewed_by = ?, reviewed_at = ? WHERE id = ? AND brand_id = ?`,
		status, note, nullID(by), at.UnixMilli(), ringID, brandID)
	if err != nil {
		return fmt.Errorf("reputation: review ring: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNoRing
	}
	return nil
}
