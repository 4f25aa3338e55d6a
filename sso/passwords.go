package sso

import (
	"context"
	"fmt"
	"slices"

	"mutual/account"
	"mutual/sqldb"
)

// NeedsPassword reports, inside q (a reset request's transaction), whether
// a member has a use for a password, so that a reset link may be mailed to
// them (an account.ResetPolicy). Where people may join with a password,
// everyone has. Where members sign in only through the brand's providers, a
// password is an administrator's way in when a provider fails, and proves
// that an account no provider signs in yet is its member's (ConfirmLink);
// a member a provider already signs in has no password to reset.
func NeedsPassword(ctx context.Context, q sqldb.Querier, brandID, userID int64) (bool, error) {
	open, err := passwordSignup(ctx, q, brandID)
	if err != nil || open {
		return open, err
	}
	admins, err := account.RoleHolders(ctx, q, brandID, "admin")
	if err != nil {
		return false, err
	}
	if slices.Contains(admins, userID) {
		return true, nil
	}
	var n int
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM sso_identities WHERE user_id = ? AND brand_id = ?`, userID, brandID).Scan(&n); err != nil {
		return false, fmt.Errorf("sso: identities of %d: %w", userID, err)
	}
	return n == 0, nil
}
