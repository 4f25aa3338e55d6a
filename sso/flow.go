package sso

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"mutual/account"
	"mutual/fault"
	"mutual/i18n"
	"mutual/sqldb"
)

// Start is where to send the browser, and the secret it must keep (in an
// HTTP-only cookie) to finish: it is also the OAuth state, so a callback
// carrying another browser's state fails.
type Start struct {
	URL    string
	Secret string
}

// Begin starts a sign-in with one of the brand's providers: a fresh state,
// nonce and PKCE verifier, stored under the state's hash for StartTTL.
// next is where to go afterwards, already checked to be a local path.
func (s *Service) Begin(ctx context.Context, brandID, providerID int64, redirectURL, next string) (Start, error) {
	p, err := s.Provider(ctx, brandID, providerID)
	if err != nil {
		return Start{}, err
	}
	op, err := s.discover(ctx, p)
	if err != nil {
		return Start{}, err
	}
	state, nonce, verifier := rand.Text(), rand.Text(), oauth2.GenerateVerifier()
	now := s.now()
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		// Abandoned sign-ins go as new ones start.
		if _, err := tx.Exec(ctx, `DELETE FROM sso_flows WHERE expires_at < ?`, sqldb.Millis(now)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO sso_flows (key_hash, kind, brand_id, provider_id, nonce, verifier, next_url, created_at, expires_at)
VALUES (?, 'start', ?, ?, ?, ?, ?, ?, ?)`, hashSecret(state), brandID, p.ID, nonce, verifier, next, sqldb.Millis(now), sqldb.Millis(now.Add(StartTTL)))
		return err
	})
	if err != nil {
		return Start{}, fmt.Errorf("sso: begin: %w", err)
	}
	url := oauthConfig(op, p.ClientID, "", redirectURL).AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier))
	return Start{URL: url, Secret: state}, nil
}

// Callback is what came back from the provider, with the secret the
// browser kept.
type Callback struct {
	BrandID, ProviderID int64
	Secret              string // from the browser's cookie
	State, Code         string
	Error, Description  string // the provider's refusal, if it refused
	RedirectURL         string // as sent in Begin
}

// Outcome is how a sign-in ended.
type Outcome struct {
	UserID         int64  // the member now signed in; 0 while a link waits for a password
	Joined         bool   // the account was made by this sign-in
	EmailToConfirm bool   // its address came unverified: the site should send its own confirmation
	LinkSecret     string // set when an existing member must confirm their password (ConfirmLink)
	Next           string
}

var errStale = &fault.Error{Kind: fault.ErrBadRequest, ID: "sso.stale", Msg: i18n.T(context.Background(), "sso.stale")}

// flow is a row of sso_flows.
type flow struct {
	kind                  string
	brandID, providerID   int64
	nonce, verifier, next string
	subject               string
	userID                int64
	expiresAt             int64
}

// Finish completes a sign-in: the state must be the one this browser was
// given, for this brand and provider, within StartTTL, and used once; the
// provider's answer must verify. Then the identity signs its member in, or
// a new member is made, or, when a member already uses the verified
// address, the outcome asks for that member's password (ConfirmLink).
//
// Errors: ErrBadRequest for a stale or foreign state, ErrForbidden for
// another brand's flow or an address that cannot be linked, ErrNotFound for
// a provider that is not this brand's, ErrUnauthenticated for an answer
// that does not verify, ErrUnavailable when the provider cannot be reached.
func (s *Service) Finish(ctx context.Context, cb Callback) (Outcome, error) {
	p, err := s.Provider(ctx, cb.BrandID, cb.ProviderID)
	if err != nil {
		return Outcome{}, err
	}
	if cb.Secret == "" || subtle.ConstantTimeCompare([]byte(cb.State), []byte(cb.Secret)) != 1 {
		return Outcome{}, errStale
	}
	f, err := s.takeFlow(ctx, cb.Secret, "start")
	if err != nil {
		return Outcome{}, err
	}
	if f.brandID != cb.BrandID || f.providerID != p.ID {
		return Outcome{}, fault.Denied(i18n.T(ctx, "ssomsg.other_community"))
	}
	if cb.Error != "" {
		return Outcome{}, rejected(ctx, p.Label, "ssomsg.why_not_signed_in", "Detail", firstOf(cb.Description, cb.Error))
	}
	if cb.Code == "" {
		return Outcome{}, rejected(ctx, p.Label, "ssomsg.why_no_code")
	}
	secret, err := s.clientSecret(ctx, p.ID)
	if err != nil {
		return Outcome{}, err
	}
	c, err := s.redeem(ctx, p, secret, cb.RedirectURL, cb.Code, f.verifier, f.nonce)
	if err != nil {
		return Outcome{}, err
	}
	out := Outcome{Next: f.next}
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var err error
		out, err = s.resolve(ctx, tx, p, c, f.next)
		return err
	})
	return out, err
}

// resolve turns a verified identity into a member, inside tx.
func (s *Service) resolve(ctx context.Context, tx *sqldb.Tx, p Provider, c claims, next string) (Outcome, error) {
	out := Outcome{Next: next}
	now := s.now()
	err := tx.QueryRow(ctx, `SELECT user_id FROM sso_identities WHERE provider_id = ? AND subject = ?`, p.ID, c.Subject).Scan(&out.UserID)
	if err == nil {
		_, err = tx.Exec(ctx, `UPDATE sso_identities SET last_login_at = ? WHERE provider_id = ? AND subject = ?`, sqldb.Millis(now), p.ID, c.Subject)
		return out, err
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return out, fmt.Errorf("sso: identity: %w", err)
	}
	if c.Email != "" {
		u, err := account.UserByEmail(ctx, tx, p.BrandID, c.Email)
		switch {
		case err == nil && !c.EmailVerified:
			return out, fault.Denied(i18n.T(ctx, "ssomsg.unverified_taken", "Label", p.Label, "Email", c.Email))
		case err == nil && !u.HasPassword:
			return out, fault.Denied(i18n.T(ctx, "ssomsg.no_password_to_confirm", "Label", p.Label, "Email", c.Email))
		case err == nil:
			out.LinkSecret = rand.Text()
			_, err = tx.Exec(ctx, `INSERT INTO sso_flows (key_hash, kind, brand_id, provider_id, next_url, subject, user_id, created_at, expires_at)
VALUES (?, 'link', ?, ?, ?, ?, ?, ?, ?)`, hashSecret(out.LinkSecret), p.BrandID, p.ID, next, c.Subject, u.ID, sqldb.Millis(now), sqldb.Millis(now.Add(LinkTTL)))
			return out, err
		case !errors.Is(err, fault.ErrNotFound):
			return out, err
		}
	}
	u, err := account.CreateExternal(ctx, tx, account.External{BrandID: p.BrandID, Username: c.Username, Email: c.Email, EmailVerified: c.EmailVerified, At: now})
	if err != nil {
		return out, err
	}
	if err := addIdentity(ctx, tx, p, c.Subject, u.ID, now.UnixMilli()); err != nil {
		return out, err
	}
	out.UserID, out.Joined, out.EmailToConfirm = u.ID, true, u.Email != "" && !c.EmailVerified
	return out, nil
}

func addIdentity(ctx context.Context, tx *sqldb.Tx, p Provider, subject string, userID, at int64) error {
	_, err := tx.Exec(ctx, `INSERT INTO sso_identities (brand_id, provider_id, subject, user_id, created_at, last_login_at) VALUES (?, ?, ?, ?, ?, ?)`,
		p.BrandID, p.ID, subject, userID, at, at)
	if sqldb.IsUniqueViolation(err) {
		return fault.Conflict(i18n.T(ctx, "ssomsg.already_connected", "Label", p.Label))
	}
	if err != nil {
		return fmt.Errorf("sso: add identity: %w", err)
	}
	return nil
}

// takeFlow reads and deletes a flow of kind by its secret: each is used
// once. A missing or expired one is errStale.
func (s *Service) takeFlow(ctx context.Context, secret, kind string) (flow, error) {
	var f flow
	var user sql.NullInt64
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		return tx.QueryRow(ctx, `DELETE FROM sso_flows WHERE key_hash = ? AND kind = ?
RETURNING brand_id, provider_id, nonce, verifier, next_url, subject, user_id, expires_at`, hashSecret(secret), kind).
			Scan(&f.brandID, &f.providerID, &f.nonce, &f.verifier, &f.next, &f.subject, &user, &f.expiresAt)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return flow{}, errStale
	}
	if err != nil {
		return flow{}, fmt.Errorf("sso: take flow: %w", err)
	}
	if f.expiresAt <= sqldb.Millis(s.now()) {
		return flow{}, errStale
	}
	f.kind, f.userID = kind, user.Int64
	return f, nil
}

func (s *Service) clientSecret(ctx context.Context, id int64) (string, error) {
	var secret string
	if err := s.db.QueryRow(ctx, `SELECT client_secret FROM sso_providers WHERE id = ?`, id).Scan(&secret); err != nil {
		return "", fmt.Errorf("sso: client secret of %d: %w", id, err)
	}
	return secret, nil
}
