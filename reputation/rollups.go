package reputation

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"mutual/sqldb"
)

const dayMS = int64(24 * time.Hour / time.Millisecond)

// dayStart is the UTC midnight at or before ms.
func dayStart(ms int64) int64 { return ms - ((ms%dayMS)+dayMS)%dayMS }

// weekStart is the Monday (UTC) starting ms's ISO week. 1 January 1970 was a
// Thursday, so day n is a Monday when (n+3) % 7 == 0.
func weekStart(ms int64) int64 {
	d := dayStart(ms)
	n := d / dayMS
	return d - (((n+3)%7)+7)%7*dayMS
}

// monthStart is the first of ms's UTC month.
func monthStart(ms int64) int64 {
	t := time.UnixMilli(ms).UTC()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC).UnixMilli()
}

type rollupKey struct {
	board  int64
	period string
	start  int64
}

// rollupKeys are the roll-up rows an event at ms touches: brand-wide day,
// week and month; and, for a post's event, the board's all-time and month.
func rollupKeys(boardID, ms int64) []rollupKey {
	keys := []rollupKey{{0, "d", dayStart(ms)}, {0, "w", weekStart(ms)}, {0, "m", monthStart(ms)}}
	if boardID != 0 {
		keys = append(keys, rollupKey{boardID, "a", 0}, rollupKey{boardID, "m", monthStart(ms)})
	}
	return keys
}

// Difference is a cached figure that did not match the ledger.
type Difference struct {
	What         string // "total", "rollup" or "kudos_count"
	Key          string // which member, period or post
	Cached, Want int64
}

func (d Difference) String() string {
	return fmt.Sprintf("%s %s: cached %d, ledger says %d", d.What, d.Key, d.Cached, d.Want)
}

// Rebuild recomputes, inside the caller's transaction, every cached figure
// in a brand from the ledger (see RebuildReport). Bulk loaders (the
// importer, the generator) call it after writing ledger rows directly.
func Rebuild(ctx context.Context, q Tx, brandID int64) error {
	_, err := RebuildReport(ctx, q, brandID)
	return err
}

// RebuildReport recomputes, inside the caller's transaction, every cached
// figure in a brand from the ledger and the kudos rows — members' totals,
// the roll-ups, posts' kudos counts — and returns what differed before.
// Ledger rows written in bulk without their origin or board get them first
// (both are facts about the row, derived from its reason and post).
func RebuildReport(ctx context.Context, q Tx, brandID int64) ([]Difference, error) {
	if _, err := q.Exec(ctx, `UPDATE reputation_events SET origin = reason
WHERE brand_id = ? AND origin = '' AND reason IN ('kudos_received', 'answer_accepted', 'accepted_answer', 'peer_rescue')`, brandID); err != nil {
		return nil, fmt.Errorf("reputation: rebuild origins: %w", err)
	}
	if _, err := q.Exec(ctx, `UPDATE reputation_events SET board_id = (SELECT t.board_id FROM posts p JOIN threads t ON t.id = p.thread_id WHERE p.id = reputation_events.post_id)
WHERE brand_id = ? AND board_id IS NULL AND post_id IS NOT NULL`, brandID); err != nil {
		return nil, fmt.Errorf("reputation: rebuild boards: %w", err)
	}
	var diffs []Difference
	// Totals.
	rows, err := q.Query(ctx, `SELECT u.id, u.username, u.reputation, COALESCE(s.total, 0)
FROM users u LEFT JOIN (SELECT user_id, SUM(delta) AS total FROM reputation_events WHERE brand_id = ? GROUP BY user_id) s ON s.user_id = u.id
WHERE u.brand_id = ? AND u.reputation <> COALESCE(s.total, 0)`, brandID, brandID)
	if err != nil {
		return nil, fmt.Errorf("reputation: rebuild totals: %w", err)
	}
	type fix struct{ id, want int64 }
	var fixes []fix
	for rows.Next() {
		var id, cached, want int64
		var name string
		if err := rows.Scan(&id, &name, &cached, &want); err != nil {
			rows.Close()
			return nil, err
		}
		diffs = append(diffs, Difference{What: "total", Key: name, Cached: cached, Want: want})
		fixes = append(fixes, fix{id, want})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, f := range fixes {
		if err := q.SetReputation(ctx, f.id, f.want); err != nil {
			return nil, fmt.Errorf("reputation: rebuild totals: %w", err)
		}
	}

	kc, err := q.RebuildKudosCounts(ctx, brandID)
	if err != nil {
		return nil, fmt.Errorf("reputation: rebuild kudos counts: %w", err)
	}
	diffs = append(diffs, kc...)

	d, err := rebuildRollups(ctx, q, brandID)
	if err != nil {
		return nil, err
	}
	return append(diffs, d...), nil
}

type rollupRow struct {
	rollupKey
	user int64
}

type rollupVal struct{ points, kudos int64 }

func (k rollupRow) String() string {
	board := "brand"
	if k.board != 0 {
		board = fmt.Sprintf("board %d", k.board)
	}
	when := "all time"
	if k.period != "a" {
		when = k.period + " " + time.UnixMilli(k.start).UTC().Format("2006-01-02")
	}
	return fmt.Sprintf("member %d %s %s", k.user, board, when)
}

// rebuildRollups recomputes a brand's roll-ups from the ledger (grouped by
// member, board and day in SQL, then into weeks and months here) and
// replaces them, reporting rows whose figures differed.
func rebuildRollups(ctx context.Context, q sqldb.Querier, brandID int64) ([]Difference, error) {
	want, err := rollupsFromLedger(ctx, q, brandID)
	if err != nil {
		return nil, err
	}
	have, err := storedRollups(ctx, q, brandID)
	if err != nil {
		return nil, err
	}
	diffs := rollupDifferences(want, have)
	if len(diffs) == 0 {
		return nil, nil
	}
	if err := replaceRollups(ctx, q, brandID, want); err != nil {
		return nil, err
	}
	return diffs, nil
}

// rollupsFromLedger sums the brand's ledger into the roll-ups it should have.
func rollupsFromLedger(ctx context.Context, q sqldb.Querier, brandID int64) (map[rollupRow]rollupVal, error) {
	want := map[rollupRow]rollupVal{}
	rows, err := q.Query(ctx, `SELECT COALESCE(board_id, 0), user_id, created_at - created_at % 86400000, SUM(delta),
SUM(CASE WHEN origin = 'kudos_received' AND reason NOT IN ('post_removed', 'post_restored') THEN delta ELSE 0 END)
FROM reputation_events WHERE brand_id = ? AND delta <> 0
GROUP BY COALESCE(board_id, 0), user_id, created_at - created_at % 86400000`, brandID)
	if err != nil {
		return nil, fmt.Errorf("reputation: rebuild roll-ups: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var board, user, day, points, kudos int64
		if err := rows.Scan(&board, &user, &day, &points, &kudos); err != nil {
			return nil, err
		}
		for _, k := range rollupKeys(board, day) {
			v := want[rollupRow{k, user}]
			v.points += points
			if k.period == "d" {
				v.kudos += kudos
			}
			want[rollupRow{k, user}] = v
		}
	}
	return want, rows.Err()
}

// storedRollups reads the brand's roll-ups as they are.
func storedRollups(ctx context.Context, q sqldb.Querier, brandID int64) (map[rollupRow]rollupVal, error) {
	have := map[rollupRow]rollupVal{}
	rows, err := q.Query(ctx, `SELECT board_id, period, start, user_id, points, kudos FROM reputation_rollups WHERE brand_id = ?`, brandID)
	if err != nil {
		return nil, fmt.Errorf("reputation: read roll-ups: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k rollupRow
		var v rollupVal
		if err := rows.Scan(&k.board, &k.period, &k.start, &k.user, &v.points, &v.kudos); err != nil {
			return nil, err
		}
		have[k] = v
	}
	return have, rows.Err()
}

// rollupDifferences lists, by key, the rows where have differs from want.
func rollupDifferences(want, have map[rollupRow]rollupVal) []Difference {
	var diffs []Difference
	for k, w := range want {
		if h := have[k]; h != w {
			if h.points != w.points {
				diffs = append(diffs, Difference{What: "rollup", Key: k.String(), Cached: h.points, Want: w.points})
			} else {
				diffs = append(diffs, Difference{What: "rollup kudos", Key: k.String(), Cached: h.kudos, Want: w.kudos})
			}
		}
	}
	for k, h := range have {
		if _, ok := want[k]; !ok && h != (rollupVal{}) {
			diffs = append(diffs, Difference{What: "rollup", Key: k.String(), Cached: h.points, Want: 0})
		}
	}
	sort.Slice(diffs, func(i, j int) bool { return diffs[i].Key < diffs[j].Key })
	return diffs
}

// replaceRollups swaps the brand's roll-ups for want, 100 rows a statement.
func replaceRollups(ctx context.Context, q sqldb.Querier, brandID int64, want map[rollupRow]rollupVal) error {
	if _, err := q.Exec(ctx, `DELETE FROM reputation_rollups WHERE brand_id = ?`, brandID); err != nil {
		return fmt.Errorf("reputation: clear roll-ups: %w", err)
	}
	const batch = 100
	keys := make([]rollupRow, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	for i := 0; i < len(keys); i += batch {
		part := keys[i:min(i+batch, len(keys))]
		var b strings.Builder
		b.WriteString(`INSERT INTO reputation_rollups (brand_id, board_id, period, start, user_id, points, kudos) VALUES `)
		args := make([]any, 0, len(part)*7)
		for j, k := range part {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, ?, ?, ?, ?)")
			v := want[k]
			args = append(args, brandID, k.board, k.period, k.start, k.user, v.points, v.kudos)
		}
		if _, err := q.Exec(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("reputation: write roll-ups: %w", err)
		}
	}
	return nil
}
