package sso

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"mutual/account"
	"mutual/fault"
	"mutual/sqldb"
)

// PendingLink is a provider's verified identity waiting for the member
// whose address it carries to confirm their password.
type PendingLink struct {
	Provider string // the provider's label
	Member   account.User
	Next     string
}

// Link returns the brand's pending link held by the browser's secret, or
// errStale (ErrBadRequest) when there is none, it expired, or it is another
// brand's.
func (s *Service) Link(ctx context.Context, brandID int64, secret string) (PendingLink, error) {
	f, err := s.pendingLink(ctx, brandID, secret)
	if err != nil {
		return PendingLink{}, err
	}
	p, err := s.Provider(ctx, brandID, f.providerID)
	if err != nil {
		return PendingLink{}, err
	}
	u, err := s.members.ByID(ctx, brandID, f.userID)
	if err != nil {
		return PendingLink{}, err
	}
	return PendingLink{Provider: p.Label, Member: u, Next: f.next}, nil
}

// ConfirmLink connects the pending identity to its member once the member's
// password is right, and returns the member to sign in. A wrong password is
// fault.ErrBadCredentials and keeps the link waiting.
func (s *Service) ConfirmLink(ctx context.Context, brandID int64, secret, password string) (PendingLink, error) {
	pl, err := s.Link(ctx, brandID, secret)
	if err != nil {
		return PendingLink{}, err
	}
	u, err := s.members.Authenticate(ctx, brandID, pl.Member.Username, password)
	if err != nil {
		return PendingLink{}, err
	}
	if u.ID != pl.Member.ID {
		return PendingLink{}, fault.ErrBadCredentials
	}
	f, err := s.takeFlow(ctx, secret, "link")
	if err != nil {
		return PendingLink{}, err
	}
	p, err := s.Provider(ctx, brandID, f.providerID)
	if err != nil {
		return PendingLink{}, err
	}
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		return addIdentity(ctx, tx, p, f.subject, f.userID, sqldb.Millis(s.now()))
	})
	return pl, err
}

// CancelLink forgets a pending link; an unknown one is not an error.
func (s *Service) CancelLink(ctx context.Context, brandID int64, secret string) error {
	_, err := s.db.Exec(ctx, `DELETE FROM sso_flows WHERE key_hash = ? AND kind = 'link' AND brand_id = ?`, hashSecret(secret), brandID)
	if err != nil {
		return fmt.Errorf("sso: cancel link: %w", err)
	}
	return nil
}

func (s *Service) pendingLink(ctx context.Context, brandID int64, secret string) (flow, error) {
	if secret == "" {
		return flow{}, errStale
	}
	var f flow
	var user sql.NullInt64
	err := s.db.QueryRow(ctx, `SELECT brand_id, provider_id, next_url, subject, user_id, expires_at FROM sso_flows WHERE key_hash = ? AND kind = 'link'`,
		hashSecret(secret)).Scan(&f.brandID, &f.providerID, &f.next, &f.subject, &user, &f.expiresAt)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (f.brandID != brandID || f.expiresAt <= sqldb.Millis(s.now()) || !user.Valid)) {
		return flow{}, errStale
	}
	if err != nil {
		return flow{}, fmt.Errorf("sso: pending link: %w", err)
	}
	f.kind, f.userID = "link", user.Int64
	return f, nil
}
