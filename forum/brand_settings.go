package forum

import (
	"context"
	"fmt"

	"mutual/sqldb"
)

// A brand's row holds settings other capabilities configure (moderation's
// thresholds, the peer SLA, reputation's privilege levels). The forum owns the
// table, so they change it through these functions, inside their own
// transaction, next to their audit rows.

// BrandModeration is the part of a brand's row that moderation configures.
type BrandModeration struct {
	PremodPosts  int64
	FlagHideAt   int64
	ModsSeeEmail bool
	StaffLabel   string
}

// SetBrandModeration stores a brand's moderation settings inside the caller's
// transaction.
func SetBrandModeration(ctx context.Context, q sqldb.Querier, brandID int64, m BrandModeration) error {
	see := 0
	if m.ModsSeeEmail {
		see = 1
	}
	if _, err := q.Exec(ctx, `UPDATE brands SET premod_posts = ?, flag_hide_at = ?, mods_see_email = ?, staff_label = ? WHERE id = ?`,
		m.PremodPosts, m.FlagHideAt, see, m.StaffLabel, brandID); err != nil {
		return fmt.Errorf("forum: brand %d moderation settings: %w", brandID, err)
	}
	return nil
}

// SetPeerSLA sets how long a brand's threads wait for a peer answer before
// they escalate, inside the caller's transaction. It reports false when the
// brand does not exist.
func SetPeerSLA(ctx context.Context, q sqldb.Querier, brandID, seconds int64) (bool, error) {
	res, err := q.Exec(ctx, `UPDATE brands SET escalation_sla_seconds = ? WHERE id = ?`, seconds, brandID)
	if err != nil {
		return false, fmt.Errorf("forum: brand %d peer SLA: %w", brandID, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// SetBoardPeerSLA overrides the peer SLA for one board of a brand; seconds 0
// clears the override. It reports false when the board is not the brand's.
func SetBoardPeerSLA(ctx context.Context, q sqldb.Querier, brandID, boardID, seconds int64) (bool, error) {
	var v any
	if seconds > 0 {
		v = seconds
	}
	res, err := q.Exec(ctx, `UPDATE boards SET escalation_sla_seconds = ? WHERE id = ? AND brand_id = ?`, v, boardID, brandID)
	if err != nil {
		return false, fmt.Errorf("forum: board %d peer SLA: %w", boardID, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}
