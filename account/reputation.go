package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"mutual/sqldb"
)

// The reputation ledger keeps each member's total in users.reputation. The
// ledger reaches it through forum.LedgerTx, which calls these functions with
// the caller's transaction, so a total moves in the same transaction as the
// ledger row that explains it.

// LockMembers takes the members' rows for the rest of the transaction on
// PostgreSQL, in id order. A transaction that will move several members'
// points takes them all first, and before it touches their posts, so two
// such transactions cannot deadlock. SQLite has one writer and needs nothing.
func LockMembers(ctx context.Context, q sqldb.Querier, ids ...int64) error {
	if q.Dialect() != sqldb.Postgres {
		return nil
	}
	ids = slices.Clone(ids)
	slices.Sort(ids)
	for i, id := range ids {
		if id == 0 || (i > 0 && ids[i-1] == id) {
			continue
		}
		var got int64
		if err := q.QueryRow(ctx, `SELECT id FROM users WHERE id = ? FOR UPDATE`, id).Scan(&got); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("account: lock member %d: %w", id, err)
		}
	}
	return nil
}

// AddReputation moves a member's cached total by delta inside the caller's
// transaction.
func AddReputation(ctx context.Context, q sqldb.Querier, userID, delta int64) error {
	_, err := q.Exec(ctx, `UPDATE users SET reputation = reputation + ? WHERE id = ?`, delta, userID)
	return err
}

// SetReputation sets a member's cached total (a rebuild from the ledger)
// inside the caller's transaction.
func SetReputation(ctx context.Context, q sqldb.Querier, userID, total int64) error {
	_, err := q.Exec(ctx, `UPDATE users SET reputation = ? WHERE id = ?`, total, userID)
	return err
}
