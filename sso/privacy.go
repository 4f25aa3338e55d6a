package sso

import (
	"context"
	"fmt"
	"time"

	"mutual/sqldb"
)

// MemberData is the single sign-on part of a member's data export: the
// provider accounts that sign them in, and any waiting for their password
// to be connected. Nothing that finishes a sign-in (a flow's secret, nonce
// or verifier) and no provider token is ever part of it: none is stored.
type MemberData struct {
	Identities []IdentityData    `json:"identities"`
	Pending    []PendingLinkData `json:"pending_links"`
}

// IdentityData is one provider account connected to the member: the
// provider's issuer and the subject it knows them by.
type IdentityData struct {
	Provider    string    `json:"provider"`
	Issuer      string    `json:"issuer"`
	Subject     string    `json:"subject"`
	ConnectedAt time.Time `json:"connected_at"`
	LastSignIn  time.Time `json:"last_sign_in_at"`
}

// PendingLinkData is a provider sign-in that carried the member's address
// and waits, for a few minutes, for their password to connect it.
type PendingLinkData struct {
	Provider  string    `json:"provider"`
	Issuer    string    `json:"issuer"`
	Subject   string    `json:"subject"`
	StartedAt time.Time `json:"started_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// ExportMember reads the single sign-on part of a member's data export.
func ExportMember(ctx context.Context, q sqldb.Querier, brandID, userID int64) (MemberData, error) {
	d := MemberData{Identities: []IdentityData{}, Pending: []PendingLinkData{}}
	rows, err := q.Query(ctx, `SELECT p.label, p.issuer, i.subject, i.created_at, i.last_login_at
FROM sso_identities i JOIN sso_providers p ON p.id = i.provider_id WHERE i.user_id = ? AND i.brand_id = ? ORDER BY i.id`, userID, brandID)
	if err != nil {
		return MemberData{}, fmt.Errorf("sso: export identities: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var i IdentityData
		var created, last int64
		if err := rows.Scan(&i.Provider, &i.Issuer, &i.Subject, &created, &last); err != nil {
			return MemberData{}, err
		}
		i.ConnectedAt, i.LastSignIn = sqldb.Time(created), sqldb.Time(last)
		d.Identities = append(d.Identities, i)
	}
	if err := rows.Err(); err != nil {
		return MemberData{}, err
	}
	rows.Close()
	links, err := q.Query(ctx, `SELECT p.label, p.issuer, f.subject, f.created_at, f.expires_at
FROM sso_flows f JOIN sso_providers p ON p.id = f.provider_id WHERE f.user_id = ? AND f.brand_id = ? AND f.kind = 'link' ORDER BY f.created_at`, userID, brandID)
	if err != nil {
		return MemberData{}, fmt.Errorf("sso: export pending links: %w", err)
	}
	defer links.Close()
	for links.Next() {
		var l PendingLinkData
		var created, expires int64
		if err := links.Scan(&l.Provider, &l.Issuer, &l.Subject, &created, &expires); err != nil {
			return MemberData{}, err
		}
		l.StartedAt, l.ExpiresAt = sqldb.Time(created), sqldb.Time(expires)
		d.Pending = append(d.Pending, l)
	}
	return d, links.Err()
}

// EraseMember disconnects every provider account from a member being
// erased, inside the caller's transaction, and drops the sign-ins waiting
// to be connected to them. Their provider can then never sign anyone into
// the erased account: its next sign-in makes a newcomer.
func EraseMember(ctx context.Context, q sqldb.Querier, brandID, userID int64) error {
	for _, stmt := range []string{
		`DELETE FROM sso_flows WHERE user_id = ? AND brand_id = ?`,
		`DELETE FROM sso_identities WHERE user_id = ? AND brand_id = ?`,
	} {
		if _, err := q.Exec(ctx, stmt, userID, brandID); err != nil {
			return fmt.Errorf("sso: erase member %d: %w", userID, err)
		}
	}
	return nil
}
