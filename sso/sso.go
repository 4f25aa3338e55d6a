// Package sso signs members in with their brand's OpenID Connect providers:
// the providers a brand's admin configures, the sign-in flow (discovery,
// PKCE, state and nonce, ID-token verification, all through go-oidc and
// x/oauth2), the identities that tie a provider's subject to a member, and
// whether the brand still lets people join with a password.
//
// A provider belongs to one brand, and so does every flow and identity: a
// provider of one brand never signs anyone into another. Accounts are made
// and read through package account, which owns them.
package sso

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"sync"
	"time"

	"mutual/account"
	"mutual/sqldb"
)

// ErrUnavailable is the kind of error when a provider cannot be reached or
// answers something that is not OpenID Connect: the person can only try
// again later, and the admin should look at the provider.
var ErrUnavailable = errors.New("identity provider unavailable")

// Lifetimes of the flows a browser holds a secret for.
const (
	StartTTL = 10 * time.Minute // from the button to the provider's answer
	LinkTTL  = 15 * time.Minute // to confirm an existing account's password
)

// Audit records a staff act on the brand's sign-in settings inside the
// transaction that makes it (the moderation audit log provides it).
type Audit func(ctx context.Context, tx *sqldb.Tx, actor account.Actor, act string, providerID int64, before, after any) error

// Service configures providers and runs sign-ins.
type Service struct {
	db      *sqldb.DB
	members *account.Members
	now     func() time.Time
	client  *http.Client // every request to a provider: discovery, code exchange, keys, user info

	// Audit, when set, records admins' changes.
	Audit Audit

	mu         sync.Mutex
	discovered map[int64]discovery // by provider id
}

// New returns the service. Requests to providers time out after 10 seconds,
// so a provider that hangs gives the person a clear page, not a spinner.
func New(db *sqldb.DB, members *account.Members, now func() time.Time) *Service {
	return &Service{db: db, members: members, now: now, client: &http.Client{Timeout: 10 * time.Second},
		discovered: map[int64]discovery{}}
}

// hashSecret is how a browser's flow secret is stored: a database reader
// learns nothing that finishes a sign-in.
func hashSecret(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}
