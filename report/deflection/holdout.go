package deflection

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"mutual/fault"
	"mutual/i18n"
	"mutual/sqldb"
)

// The holdout: a brand may leave a random share of askers without the
// similar questions (and articles) the Ask page suggests, and measure how
// many more of them post a thread. The share is in basis points; an asker's
// group follows from a stable hash of the brand and the asker, so the same
// member is always in the same group while the share stays the same.
const (
	ArmShown   = "shown"
	ArmHeldOut = "held_out"

	EvOpened = "opened" // the Ask form was opened, in the asker's group
	EvPosted = "posted" // the asker then posted a thread

	// MaxHoldoutBP caps the share held out: half of askers.
	MaxHoldoutBP = 5000
	// postWindow is how long after opening the form a posted thread counts.
	postWindow = 24 * time.Hour
	// MinGroup is the fewest askers in each group, and MinCount the fewest
	// posting (and not posting) in each, before the report tells a difference.
	MinGroup = 30
	MinCount = 5
)

// AskerKey names a member in the holdout's events.
func AskerKey(userID int64) string { return "u" + strconv.FormatInt(userID, 10) }

// Assign puts an asker in a group: held out when the hash of the brand and
// the asker falls in the first bp of 10,000 buckets.
func Assign(brandID int64, asker string, bp int64) string {
	sum := sha256.Sum256([]byte("holdout:" + strconv.FormatInt(brandID, 10) + ":" + asker))
	if int64(binary.BigEndian.Uint64(sum[:8])%10000) < bp {
		return ArmHeldOut
	}
	return ArmShown
}

// HoldoutBP is the brand's share held out, in basis points (0: off).
func HoldoutBP(ctx context.Context, q sqldb.Querier, brandID int64) (int64, error) {
	var bp int64
	err := q.QueryRow(ctx, `SELECT holdout_bp FROM report_settings WHERE brand_id = ?`, brandID).Scan(&bp)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("deflection: holdout share: %w", err)
	}
	return bp, nil
}

// ParseHoldout reads the share as the settings form takes it: a percent
// from 0 to 50, with up to two decimals.
func ParseHoldout(ctx context.Context, pct string) (int64, error) {
	pct = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(pct), "%"))
	if pct == "" {
		pct = "0"
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(pct, ",", "."), 64)
	bp := int64(math.Round(v * 100))
	if err != nil || math.IsNaN(v) || bp < 0 || bp > MaxHoldoutBP || math.Abs(v*100-float64(bp)) > 1e-6 {
		return 0, fault.Invalid("holdout", i18n.T(ctx, "loop.holdout_bad", "Max", MaxHoldoutBP/100))
	}
	return bp, nil
}

// SetHoldout stores the brand's share held out, in basis points.
func SetHoldout(ctx context.Context, tx *sqldb.Tx, brandID, bp int64, at time.Time) error {
	_, err := tx.Exec(ctx, `INSERT INTO report_settings (brand_id, holdout_bp, updated_at) VALUES (?, ?, ?)
ON CONFLICT (brand_id) DO UPDATE SET holdout_bp = excluded.holdout_bp, updated_at = excluded.updated_at`, brandID, bp, at.UnixMilli())
	if err != nil {
		return fmt.Errorf("deflection: set holdout: %w", err)
	}
	return nil
}

// RecordOpened notes that an asker opened the Ask form in their group.
func RecordOpened(ctx context.Context, q sqldb.Querier, brandID int64, asker, arm string, at time.Time) error {
	_, err := q.Exec(ctx, `INSERT INTO holdout_exposures (brand_id, asker_key, arm, event, at) VALUES (?, ?, ?, ?, ?)`,
		brandID, asker, arm, EvOpened, at.UnixMilli())
	if err != nil {
		return fmt.Errorf("deflection: record ask form opened: %w", err)
	}
	return nil
}

// notePosted records, inside the asking transaction, a thread posted by an
// asker who opened the Ask form in the last day, in the group they were in.
func notePosted(ctx context.Context, tx *sqldb.Tx, brandID, userID, threadID int64, at time.Time) error {
	asker := AskerKey(userID)
	var arm string
	err := tx.QueryRow(ctx, `SELECT arm FROM holdout_exposures WHERE brand_id = ? AND asker_key = ? AND event = 'opened' AND at >= ?
ORDER BY at DESC, id DESC LIMIT 1`, brandID, asker, at.Add(-postWindow).UnixMilli()).Scan(&arm)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // not in an experiment
	}
	if err == nil {
		_, err = tx.Exec(ctx, `INSERT INTO holdout_exposures (brand_id, asker_key, arm, event, thread_id, at) VALUES (?, ?, ?, ?, ?, ?)`,
			brandID, asker, arm, EvPosted, threadID, at.UnixMilli())
	}
	if err != nil {
		return fmt.Errorf("deflection: record thread posted: %w", err)
	}
	return nil
}

// Exposure is one raw event of the holdout, as the CSV export lists it.
type Exposure struct {
	ID       int64
	At       time.Time
	Asker    string
	Arm      string
	Event    string
	ThreadID int64
}

// Exposures lists a brand's holdout events in [from, to), oldest first.
func Exposures(ctx context.Context, q sqldb.Querier, brandID int64, from, to time.Time) ([]Exposure, error) {
	rows, err := q.Query(ctx, `SELECT id, at, asker_key, arm, event, COALESCE(thread_id, 0) FROM holdout_exposures
WHERE brand_id = ? AND at >= ? AND at < ? ORDER BY at, id`, brandID, from.UnixMilli(), to.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("deflection: holdout events: %w", err)
	}
	defer rows.Close()
	var out []Exposure
	for rows.Next() {
		var e Exposure
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.Asker, &e.Arm, &e.Event, &e.ThreadID); err != nil {
			return nil, err
		}
		e.At = time.UnixMilli(at).UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}
