package forum

import (
	"context"
	"fmt"

	"mutual/account"
	"mutual/reputation"
	"mutual/sqldb"
)

// LedgerTx wraps the caller's transaction for the reputation ledger: the
// ledger writes its own tables through q and reaches the forum's (brands'
// privilege levels, posts' kudos counts) and account's (members' locks and
// cached totals) through the methods here, so every figure moves in one
// transaction.
func LedgerTx(q sqldb.Querier) reputation.Tx { return ledgerTx{q} }

type ledgerTx struct{ sqldb.Querier }

// The members' half (locks and cached totals) is account's: it owns users.

func (t ledgerTx) LockMembers(ctx context.Context, ids ...int64) error {
	return account.LockMembers(ctx, t.Querier, ids...)
}

func (t ledgerTx) AddReputation(ctx context.Context, userID, delta int64) error {
	return account.AddReputation(ctx, t.Querier, userID, delta)
}

func (t ledgerTx) SetReputation(ctx context.Context, userID, total int64) error {
	return account.SetReputation(ctx, t.Querier, userID, total)
}

func (t ledgerTx) SetPrivileges(ctx context.Context, brandID int64, p reputation.Privileges) error {
	_, err := t.Exec(ctx, `UPDATE brands SET rep_links = ?, rep_images = ?, rep_edit_others = ?, rep_trusted = ? WHERE id = ?`,
		p.Links, p.Images, p.EditOthers, p.Trusted, brandID)
	return err
}

// RebuildKudosCounts counts standing kudos only (a serial kudos no longer
// counts).
func (t ledgerTx) RebuildKudosCounts(ctx context.Context, brandID int64) ([]reputation.Difference, error) {
	rows, err := t.Query(ctx, `SELECT p.id, p.kudos_count, COALESCE(k.n, 0) FROM posts p
LEFT JOIN (SELECT post_id, COUNT(*) AS n FROM kudos WHERE brand_id = ? AND reversed_at IS NULL GROUP BY post_id) k ON k.post_id = p.id
WHERE p.brand_id = ? AND p.kudos_count <> COALESCE(k.n, 0)`, brandID, brandID)
	if err != nil {
		return nil, err
	}
	var diffs []reputation.Difference
	var ids []int64
	for rows.Next() {
		var id, cached, want int64
		if err := rows.Scan(&id, &cached, &want); err != nil {
			rows.Close()
			return nil, err
		}
		diffs = append(diffs, reputation.Difference{What: "kudos_count", Key: fmt.Sprintf("post %d", id), Cached: cached, Want: want})
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i, d := range diffs {
		if _, err := t.Exec(ctx, `UPDATE posts SET kudos_count = ? WHERE id = ?`, d.Want, ids[i]); err != nil {
			return nil, err
		}
	}
	return diffs, nil
}
