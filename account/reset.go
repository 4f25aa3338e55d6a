package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"mutual/fault"
	"mutual/i18n"
	"mutual/sqldb"
)

// Password reset: a member who forgot their password asks for a link by
// username or email; the mail carries a token that works once, for ResetTTL.
//
// The token is minted when the outbox sends the mail (MintReset), not when
// the member asks, so it never waits in the database in the clear; only its
// SHA-256 is kept. Asking does the same work whether or not the account
// exists, and the mail goes later, so neither the answer nor its timing says
// which names have accounts.
const (
	// ResetTTL is how long a reset link works after it is sent.
	ResetTTL = time.Hour
	// ResetsPerHour is how many links one account can be sent in an hour;
	// requests past it are dropped without a word (a refusal would say the
	// account exists).
	ResetsPerHour = 3
	// resetMailWindow is how long a request may wait for its mail: after a
	// day of failed delivery the member has given up or asked again.
	resetMailWindow = 24 * time.Hour
)

// QueueMail queues a mail to a member inside the caller's transaction (the
// notifications outbox provides it).
type QueueMail func(ctx context.Context, q sqldb.Querier, brandID, userID int64) error

// ResetPolicy reports, inside a reset request's transaction, whether a
// member has a use for a password and may be sent a link (single sign-on
// decides it for a brand whose members sign in through its providers).
type ResetPolicy func(ctx context.Context, q sqldb.Querier, brandID, userID int64) (bool, error)

// RequestReset records that someone asked for a reset link for login (a
// username or email address of the brand) and, inside the same
// transaction, queues the mail. No mail is queued, and nothing says so,
// when login names no account with an address, when the account reached
// ResetsPerHour, or when a link for it is already waiting to be sent.
//
// Every request writes the same rows whatever it finds (a request that
// mails nobody is recorded without an account), so its time says nothing
// either; records older than two days go as new ones come.
func (m *Members) RequestReset(ctx context.Context, brandID int64, login string, queue QueueMail) error {
	return m.RequestResetIf(ctx, brandID, login, queue, nil)
}

// RequestResetIf is RequestReset that mails a link only to a member the
// policy allows (nil: everyone). Anyone else's request is recorded as one
// that names no account, with the same work and answer, so nothing tells
// whom the policy refused.
func (m *Members) RequestResetIf(ctx context.Context, brandID int64, login string, queue QueueMail, may ResetPolicy) error {
	key := strings.ToLower(strings.TrimSpace(login))
	now := m.now()
	err := m.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var userID, recent, waiting int64
		err := tx.QueryRow(ctx, `SELECT u.id,
(SELECT COUNT(*) FROM password_resets r WHERE r.user_id = u.id AND r.created_at > ?),
(SELECT COUNT(*) FROM password_resets r WHERE r.user_id = u.id AND r.token_hash IS NULL AND r.used_at IS NULL AND r.created_at > ?)
FROM users u WHERE u.brand_id = ? AND u.email <> '' AND (u.username_key = ? OR u.email_key = ?)`,
			sqldb.Millis(now.Add(-time.Hour)), sqldb.Millis(now.Add(-resetMailWindow)), brandID, key, key).Scan(&userID, &recent, &waiting)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		mail := err == nil && recent < ResetsPerHour && waiting == 0
		if mail && may != nil {
			if mail, err = may(ctx, tx, brandID, userID); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM password_resets WHERE created_at < ?`, sqldb.Millis(now.Add(-2*resetMailWindow))); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO password_resets (brand_id, user_id, created_at) VALUES (?, ?, ?)`,
			brandID, sql.NullInt64{Int64: userID, Valid: mail}, sqldb.Millis(now)); err != nil {
			return err
		}
		if !mail {
			return nil
		}
		return queue(ctx, tx, brandID, userID)
	})
	if err != nil {
		return fmt.Errorf("account: request password reset: %w", err)
	}
	return nil
}

// MintReset gives the member's newest open reset request a fresh token,
// valid for ResetTTL from at, and returns it for the mail; only its hash is
// stored. A retry after a failed delivery mints again, so only the link that
// was delivered works. It returns fault.ErrNotFound when no request is open
// (the link was used, or the request is older than a day).
func MintReset(ctx context.Context, db *sqldb.DB, userID int64, at time.Time) (string, error) {
	tok := newSecret()
	err := db.InTx(ctx, func(tx *sqldb.Tx) error {
		var id int64
		return tx.QueryRow(ctx, `UPDATE password_resets SET token_hash = ?, expires_at = ?
WHERE id = (SELECT id FROM password_resets WHERE user_id = ? AND used_at IS NULL AND created_at > ? ORDER BY id DESC LIMIT 1)
RETURNING id`, hashSecret(tok), sqldb.Millis(at.Add(ResetTTL)), userID, sqldb.Millis(at.Add(-resetMailWindow))).Scan(&id)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return "", fault.ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("account: mint reset token: %w", err)
	}
	return tok, nil
}

// Errors a reset link can meet. Only the holder of the link sees them, so
// they may say exactly what happened.
var (
	ErrResetUnknown = &fault.Error{Kind: fault.ErrNotFound, ID: "account.reset_unknown", Msg: i18n.T(context.Background(), "account.reset_unknown")}
	ErrResetUsed    = &fault.Error{Kind: fault.ErrConflict, ID: "account.reset_used", Msg: i18n.T(context.Background(), "account.reset_used")}
	ErrResetExpired = &fault.Error{Kind: fault.ErrConflict, ID: "account.reset_expired", Msg: i18n.T(context.Background(), "account.reset_expired")}
)

// ResetLink returns the member a reset token of this brand is for, or
// ErrResetUnknown, ErrResetUsed or ErrResetExpired.
func (m *Members) ResetLink(ctx context.Context, brandID int64, token string) (User, error) {
	if token == "" || len(token) > 100 {
		return User{}, ErrResetUnknown
	}
	var userID, expires int64
	var used sql.NullInt64
	err := m.db.QueryRow(ctx, `SELECT user_id, expires_at, used_at FROM password_resets WHERE token_hash = ? AND brand_id = ?`,
		hashSecret(token), brandID).Scan(&userID, &expires, &used)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return User{}, ErrResetUnknown
	case err != nil:
		return User{}, fmt.Errorf("account: reset link: %w", err)
	case used.Valid:
		return User{}, ErrResetUsed
	case sqldb.Millis(m.now()) >= expires:
		return User{}, ErrResetExpired
	}
	return m.ByID(ctx, brandID, userID)
}

// ResetPassword sets a new password with a reset token: the token and every
// other open link of the account stop working, every session of the account
// ends, and the address is confirmed (the link reached it). It returns a
// fault.ValidationError on the "password" field when the password breaks the
// sign-up rules, or ResetLink's errors.
func (m *Members) ResetPassword(ctx context.Context, brandID int64, token, password string) (User, error) {
	if msg := passwordProblem(ctx, password); msg != "" {
		return User{}, fault.Invalid("password", msg)
	}
	// A bad link costs no argon2id hash.
	if _, err := m.ResetLink(ctx, brandID, token); err != nil {
		return User{}, err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return User{}, fmt.Errorf("account: hash password: %w", err)
	}
	now := sqldb.Millis(m.now())
	var userID int64
	err = m.db.InTx(ctx, func(tx *sqldb.Tx) error {
		// Claiming the link and checking it are one statement, so two
		// submissions racing on two instances cannot both use it.
		err := tx.QueryRow(ctx, `UPDATE password_resets SET used_at = ?
WHERE token_hash = ? AND brand_id = ? AND used_at IS NULL AND expires_at > ? RETURNING user_id`,
			now, hashSecret(token), brandID, now).Scan(&userID)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrResetUsed
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET password_hash = ?, email_verified_at = COALESCE(email_verified_at, ?) WHERE id = ?`,
			hash, now, userID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE password_resets SET used_at = ? WHERE user_id = ? AND used_at IS NULL`, now, userID); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID)
		return err
	})
	if err != nil {
		return User{}, fmt.Errorf("account: reset password: %w", err)
	}
	return m.ByID(ctx, brandID, userID)
}

// voidResets drops a member's open reset links inside the caller's
// transaction: a link mailed to an address the account no longer has must
// not open it.
func voidResets(ctx context.Context, q sqldb.Querier, userID int64) error {
	if _, err := q.Exec(ctx, `DELETE FROM password_resets WHERE user_id = ? AND used_at IS NULL`, userID); err != nil {
		return fmt.Errorf("account: void reset links: %w", err)
	}
	return nil
}
