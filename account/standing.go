package account

import (
	"context"
	"fmt"
	"strings"
	"time"

	"mutual/fault"
	"mutual/i18n"
	"mutual/sqldb"
)

// The forum owns the users and role_assignments tables. Other packages change
// a member's standing through these functions, inside their own transaction,
// so their audit or outbox row commits with the change or not at all.

// GrantRole gives a member a role in a brand inside the caller's transaction.
// It reports false when the member already held it.
func GrantRole(ctx context.Context, q sqldb.Querier, brandID, userID int64, role string, at time.Time) (bool, error) {
	res, err := q.Exec(ctx, `INSERT INTO role_assignments (brand_id, user_id, role, created_at) VALUES (?, ?, ?, ?)
ON CONFLICT (brand_id, user_id, role) DO NOTHING`, brandID, userID, role, sqldb.Millis(at))
	if err != nil {
		return false, fmt.Errorf("account: grant %s: %w", role, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// RevokeRole takes a role from a member inside the caller's transaction. It
// reports false when the member did not hold it.
func RevokeRole(ctx context.Context, q sqldb.Querier, brandID, userID int64, role string) (bool, error) {
	res, err := q.Exec(ctx, `DELETE FROM role_assignments WHERE brand_id = ? AND user_id = ? AND role = ?`, brandID, userID, role)
	if err != nil {
		return false, fmt.Errorf("account: revoke %s: %w", role, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// Suspend suspends a member until the given time, or lifts the suspension
// when until is zero, inside the caller's transaction.
func Suspend(ctx context.Context, q sqldb.Querier, userID int64, until time.Time, reason string) error {
	var err error
	if until.IsZero() {
		_, err = q.Exec(ctx, `UPDATE users SET suspended_until = NULL WHERE id = ?`, userID)
	} else {
		_, err = q.Exec(ctx, `UPDATE users SET suspended_until = ?, suspend_reason = ? WHERE id = ?`, sqldb.Millis(until), reason, userID)
	}
	if err != nil {
		return fmt.Errorf("account: suspend member %d: %w", userID, err)
	}
	return nil
}

// Ban bans a member from the given time, or lifts the ban when at is zero,
// inside the caller's transaction.
func Ban(ctx context.Context, q sqldb.Querier, userID int64, at time.Time, reason string) error {
	var err error
	if at.IsZero() {
		_, err = q.Exec(ctx, `UPDATE users SET banned_at = NULL WHERE id = ?`, userID)
	} else {
		_, err = q.Exec(ctx, `UPDATE users SET banned_at = ?, suspend_reason = ? WHERE id = ?`, sqldb.Millis(at), reason, userID)
	}
	if err != nil {
		return fmt.Errorf("account: ban member %d: %w", userID, err)
	}
	return nil
}

// MarkEmailVerified records that a member confirmed their address, inside
// the caller's transaction.
func MarkEmailVerified(ctx context.Context, q sqldb.Querier, userID int64, at time.Time) error {
	if _, err := q.Exec(ctx, `UPDATE users SET email_verified_at = ? WHERE id = ?`, sqldb.Millis(at), userID); err != nil {
		return fmt.Errorf("account: mark email verified: %w", err)
	}
	return nil
}

// SetEmail gives a member a new address inside the caller's transaction. The
// address stays verified only when it is the same one in another case, and
// open password reset links (mailed to the old address) stop working. It
// returns a *fault.ValidationError when another member of the brand uses it,
// and ErrNotFound when the member does not exist.
func SetEmail(ctx context.Context, q sqldb.Querier, brandID, userID int64, email string) error {
	key := strings.ToLower(email)
	var n int
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM users WHERE brand_id = ? AND email_key = ? AND id <> ?`, brandID, key, userID).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return &fault.ValidationError{Fields: map[string]string{"email": i18n.T(ctx, "account.address_taken")}}
	}
	res, err := q.Exec(ctx, `UPDATE users SET email = ?, email_key = ?,
email_verified_at = CASE WHEN email_key = ? THEN email_verified_at ELSE NULL END WHERE id = ? AND brand_id = ?`, email, key, key, userID, brandID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return &fault.Error{Kind: fault.ErrNotFound, Msg: i18n.T(ctx, "account.no_account")}
	}
	return voidResets(ctx, q, userID)
}
