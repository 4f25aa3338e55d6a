package notify

import (
	"context"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"mutual/account"
	"mutual/fault"
	"mutual/i18n"
	"mutual/sqldb"
)

// VerifyTTL is how long an email verification link works.
const VerifyTTL = 7 * 24 * time.Hour

// EmailStatus is a member's address and whether it is confirmed.
type EmailStatus struct {
	Email    string
	Verified bool
	Pending  bool // a verification mail is queued and not yet sent
}

// Email returns the member's address and its verification state.
func (s *Store) Email(ctx context.Context, brandID, userID int64) (EmailStatus, error) {
	var st EmailStatus
	var verified, pending int64
	err := s.db.QueryRow(ctx, `SELECT u.email, COALESCE(u.email_verified_at, 0),
(SELECT COUNT(*) FROM notify_outbox o WHERE o.user_id = u.id AND o.kind = 'verify' AND o.status = 'pending')
FROM users u WHERE u.id = ? AND u.brand_id = ?`, userID, brandID).Scan(&st.Email, &verified, &pending)
	if err != nil {
		return st, fmt.Errorf("notify: email status: %w", err)
	}
	st.Verified, st.Pending = verified != 0, pending > 0
	return st, nil
}

// QueueVerify queues a verification mail to the member's address, unless it
// is already verified or one is waiting to go. It returns false when nothing
// was queued (mail is off, nothing to verify, or one is pending).
func (s *Store) QueueVerify(ctx context.Context, brandID, userID int64) (bool, error) {
	if !s.Mail {
		return false, nil
	}
	now := sqldb.Millis(s.now())
	res, err := s.db.Exec(ctx, `INSERT INTO notify_outbox (brand_id, user_id, kind, next_attempt_at, created_at)
SELECT u.brand_id, u.id, 'verify', ?, ? FROM users u
WHERE u.id = ? AND u.brand_id = ? AND u.email <> '' AND u.email_verified_at IS NULL
AND NOT EXISTS (SELECT 1 FROM notify_outbox o WHERE o.user_id = u.id AND o.kind = 'verify' AND o.status = 'pending')`,
		now, now, userID, brandID)
	if err != nil {
		return false, fmt.Errorf("notify: queue verification: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// VerifyEmail marks the member's address verified, if it is still the
// address the link was made for. It returns the member's username.
func (s *Store) VerifyEmail(ctx context.Context, c Claims) (string, error) {
	var name string
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var email string
		var verified int64
		err := tx.QueryRow(ctx, `SELECT username, email, COALESCE(email_verified_at, 0) FROM users WHERE id = ? AND brand_id = ?`,
			c.UserID, c.BrandID).Scan(&name, &email, &verified)
		if err != nil {
			return errBadLink
		}
		if !strings.EqualFold(email, c.Email) {
			return &fault.Error{Kind: fault.ErrConflict, ID: "nfx.old_address", Msg: i18n.T(context.Background(), "nfx.old_address")}
		}
		if verified != 0 {
			return nil
		}
		return account.MarkEmailVerified(ctx, tx, c.UserID, s.now())
	})
	if err != nil {
		return "", fmt.Errorf("notify: verify email: %w", err)
	}
	return name, nil
}

// ChangeEmail sets a new address, unverified, and queues its verification.
// The address must be well formed and not another member's in the brand.
func (s *Store) ChangeEmail(ctx context.Context, brandID, userID int64, email string) error {
	email = strings.TrimSpace(email)
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email || len(email) > 254 {
		return &fault.ValidationError{Fields: map[string]string{"email": "Enter an email address like name@example.com."}}
	}
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if err := account.SetEmail(ctx, tx, brandID, userID, email); err != nil {
			return err
		}
		// A verification queued for the old address must not confirm the new one.
		_, err := tx.Exec(ctx, `UPDATE notify_outbox SET status = 'skipped', last_error = 'address changed'
WHERE user_id = ? AND kind = 'verify' AND status = 'pending'`, userID)
		return err
	})
	if sqldb.IsUniqueViolation(err) {
		return &fault.ValidationError{Fields: map[string]string{"email": "Another account already uses that address."}}
	}
	if err != nil {
		return fmt.Errorf("notify: change email: %w", err)
	}
	_, err = s.QueueVerify(ctx, brandID, userID)
	return err
}
