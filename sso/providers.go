package sso

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"mutual/account"
	"mutual/fault"
	"mutual/i18n"
	"mutual/sqldb"
)

// Provider is an OpenID Connect provider a brand signs members in with. The
// client secret is not part of it: once stored it is never read back out.
type Provider struct {
	ID            int64
	BrandID       int64
	Label         string // the button says "Sign in with Label"
	Issuer        string
	ClientID      string
	UsernameClaim string // the claim that suggests a new member's username
	EmailClaim    string // the claim that gives their address
	TrustEmail    bool   // its addresses count as verified without an email_verified claim
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Config is what an admin sets for a provider. On an update an empty
// ClientSecret keeps the stored one.
type Config struct {
	Label, Issuer, ClientID, ClientSecret string
	UsernameClaim, EmailClaim             string
	// TrustEmail: the provider controls its users' addresses (a company
	// directory), so they count as verified even without the claim.
	TrustEmail bool
}

// Default claims: what Keycloak, Entra ID, Okta, Auth0 and Google send.
const (
	DefaultUsernameClaim = "preferred_username"
	DefaultEmailClaim    = "email"
)

// validate checks the fields; secretRequired on adding. It fills the
// default claims.
func (c *Config) validate(ctx context.Context, secretRequired bool) error {
	c.Label, c.Issuer, c.ClientID = strings.TrimSpace(c.Label), strings.TrimRight(strings.TrimSpace(c.Issuer), "/"), strings.TrimSpace(c.ClientID)
	c.UsernameClaim, c.EmailClaim = strings.TrimSpace(c.UsernameClaim), strings.TrimSpace(c.EmailClaim)
	if c.UsernameClaim == "" {
		c.UsernameClaim = DefaultUsernameClaim
	}
	if c.EmailClaim == "" {
		c.EmailClaim = DefaultEmailClaim
	}
	v := fault.Validation{}
	if n := utf8.RuneCountInString(c.Label); n < 1 || n > 40 {
		v.Add("label", i18n.T(ctx, "ssomsg.label_len"))
	}
	if msg := issuerProblem(ctx, c.Issuer); msg != "" {
		v.Add("issuer", msg)
	}
	if c.ClientID == "" || len(c.ClientID) > 255 {
		v.Add("client_id", i18n.T(ctx, "ssomsg.client_id"))
	}
	if (secretRequired && c.ClientSecret == "") || len(c.ClientSecret) > 1000 {
		v.Add("client_secret", i18n.T(ctx, "ssomsg.client_secret"))
	}
	for field, claim := range map[string]string{"username_claim": c.UsernameClaim, "email_claim": c.EmailClaim} {
		if len(claim) > 200 || strings.ContainsFunc(claim, func(r rune) bool { return r <= ' ' || r > '~' }) {
			v.Add(field, i18n.T(ctx, "ssomsg.claim_name"))
		}
	}
	return v.Err()
}

// issuerProblem says what is wrong with an issuer URL, or "". Plain http is
// allowed only on this machine (a provider under test or development).
func issuerProblem(ctx context.Context, issuer string) string {
	u, err := url.Parse(issuer)
	if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil || len(issuer) > 500 {
		return i18n.T(ctx, "ssomsg.issuer_url")
	}
	host := u.Hostname()
	ip := net.ParseIP(host)
	loopback := host == "localhost" || (ip != nil && ip.IsLoopback())
	if u.Scheme != "https" && !(u.Scheme == "http" && loopback) {
		return i18n.T(ctx, "ssomsg.issuer_https")
	}
	return ""
}

const providerCols = `id, brand_id, label, issuer, client_id, username_claim, email_claim, trust_email, created_at, updated_at`

func scanProvider(row interface{ Scan(...any) error }) (Provider, error) {
	var p Provider
	var created, updated, trust int64
	err := row.Scan(&p.ID, &p.BrandID, &p.Label, &p.Issuer, &p.ClientID, &p.UsernameClaim, &p.EmailClaim, &trust, &created, &updated)
	p.CreatedAt, p.UpdatedAt, p.TrustEmail = sqldb.Time(created), sqldb.Time(updated), trust != 0
	return p, err
}

// Providers lists a brand's providers in the order they were added.
func (s *Service) Providers(ctx context.Context, brandID int64) ([]Provider, error) {
	rows, err := s.db.Query(ctx, `SELECT `+providerCols+` FROM sso_providers WHERE brand_id = ? ORDER BY id`, brandID)
	if err != nil {
		return nil, fmt.Errorf("sso: providers: %w", err)
	}
	defer rows.Close()
	var out []Provider
	for rows.Next() {
		p, err := scanProvider(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// errNoProvider hides whether an id is another brand's provider.
var errNoProvider = &fault.Error{Kind: fault.ErrNotFound, ID: "sso.no_provider", Msg: i18n.T(context.Background(), "sso.no_provider")}

// Provider returns one of the brand's providers, or fault.ErrNotFound (also
// for another brand's).
func (s *Service) Provider(ctx context.Context, brandID, id int64) (Provider, error) {
	p, err := scanProvider(s.db.QueryRow(ctx, `SELECT `+providerCols+` FROM sso_providers WHERE id = ? AND brand_id = ?`, id, brandID))
	if errors.Is(err, sql.ErrNoRows) {
		return Provider{}, errNoProvider
	}
	if err != nil {
		return Provider{}, fmt.Errorf("sso: provider %d: %w", id, err)
	}
	return p, nil
}

// Add configures a new provider for the actor's brand. It reads the issuer's
// discovery document first, so a mistyped issuer is a field error now rather
// than a failed sign-in later. Bad input is a *fault.ValidationError.
func (s *Service) Add(ctx context.Context, actor account.Actor, c Config) (Provider, error) {
	if err := c.validate(ctx, true); err != nil {
		return Provider{}, err
	}
	if err := s.checkIssuer(ctx, c.Issuer); err != nil {
		return Provider{}, err
	}
	var id int64
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		now := sqldb.Millis(s.now())
		err := tx.QueryRow(ctx, `INSERT INTO sso_providers (brand_id, label, issuer, client_id, client_secret, username_claim, email_claim, trust_email, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, actor.BrandID, c.Label, c.Issuer, c.ClientID, c.ClientSecret, c.UsernameClaim, c.EmailClaim, flag(c.TrustEmail), now, now).Scan(&id)
		if sqldb.IsUniqueViolation(err) {
			return fault.Invalid("label", i18n.T(ctx, "ssomsg.label_taken"))
		}
		if err != nil {
			return fmt.Errorf("sso: add provider: %w", err)
		}
		return s.audit(ctx, tx, actor, "sso_provider_add", id, nil, c.public())
	})
	if err != nil {
		return Provider{}, err
	}
	return s.Provider(ctx, actor.BrandID, id)
}

// Update changes one of the actor's brand's providers; an empty secret keeps
// the stored one. Members who signed in through it stay linked.
func (s *Service) Update(ctx context.Context, actor account.Actor, id int64, c Config) (Provider, error) {
	before, err := s.Provider(ctx, actor.BrandID, id)
	if err != nil {
		return Provider{}, err
	}
	if err := c.validate(ctx, false); err != nil {
		return Provider{}, err
	}
	if c.Issuer != before.Issuer {
		if err := s.checkIssuer(ctx, c.Issuer); err != nil {
			return Provider{}, err
		}
	}
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE sso_providers SET label = ?, issuer = ?, client_id = ?, username_claim = ?, email_claim = ?, trust_email = ?, updated_at = ?,
client_secret = CASE WHEN ? = '' THEN client_secret ELSE ? END WHERE id = ? AND brand_id = ?`,
			c.Label, c.Issuer, c.ClientID, c.UsernameClaim, c.EmailClaim, flag(c.TrustEmail), sqldb.Millis(s.now()), c.ClientSecret, c.ClientSecret, id, actor.BrandID)
		if sqldb.IsUniqueViolation(err) {
			return fault.Invalid("label", i18n.T(ctx, "ssomsg.label_taken"))
		}
		if err != nil {
			return fmt.Errorf("sso: update provider %d: %w", id, err)
		}
		return s.audit(ctx, tx, actor, "sso_provider_edit", id, configOf(before), c.public())
	})
	if err != nil {
		return Provider{}, err
	}
	s.forget(id)
	return s.Provider(ctx, actor.BrandID, id)
}

// Remove deletes one of the actor's brand's providers with the identities
// and sign-ins in progress through it. Members keep their accounts. The
// last provider of a brand that has turned password sign-up off cannot go:
// nobody could join.
func (s *Service) Remove(ctx context.Context, actor account.Actor, id int64) error {
	p, err := s.Provider(ctx, actor.BrandID, id)
	if err != nil {
		return err
	}
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		open, err := passwordSignup(ctx, tx, actor.BrandID)
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM sso_providers WHERE brand_id = ?`, actor.BrandID).Scan(&n); err != nil {
			return err
		}
		if !open && n == 1 {
			return fault.Conflict(i18n.T(ctx, "ssomsg.only_way"))
		}
		if _, err := tx.Exec(ctx, `DELETE FROM sso_providers WHERE id = ? AND brand_id = ?`, id, actor.BrandID); err != nil {
			return fmt.Errorf("sso: remove provider %d: %w", id, err)
		}
		return s.audit(ctx, tx, actor, "sso_provider_remove", id, configOf(p), nil)
	})
	if err != nil {
		return err
	}
	s.forget(id)
	return nil
}

// PasswordSignup reports whether the brand lets people join with a
// password (the default). When it does not, members join and sign in only
// through its providers; admins keep a password sign-in.
func (s *Service) PasswordSignup(ctx context.Context, brandID int64) (bool, error) {
	return passwordSignup(ctx, s.db, brandID)
}

func passwordSignup(ctx context.Context, q sqldb.Querier, brandID int64) (bool, error) {
	var on int
	err := q.QueryRow(ctx, `SELECT password_signup FROM sso_settings WHERE brand_id = ?`, brandID).Scan(&on)
	if errors.Is(err, sql.ErrNoRows) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("sso: settings: %w", err)
	}
	return on != 0, nil
}

// SetPasswordSignup turns password sign-up on or off for the actor's brand.
// Off needs at least one provider, or nobody new could join.
func (s *Service) SetPasswordSignup(ctx context.Context, actor account.Actor, on bool) error {
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		was, err := passwordSignup(ctx, tx, actor.BrandID)
		if err != nil || was == on {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM sso_providers WHERE brand_id = ?`, actor.BrandID).Scan(&n); err != nil {
			return err
		}
		if !on && n == 0 {
			return fault.Conflict(i18n.T(ctx, "ssomsg.add_first"))
		}
		if _, err := tx.Exec(ctx, `INSERT INTO sso_settings (brand_id, password_signup, updated_at) VALUES (?, ?, ?)
ON CONFLICT (brand_id) DO UPDATE SET password_signup = excluded.password_signup, updated_at = excluded.updated_at`,
			actor.BrandID, flag(on), sqldb.Millis(s.now())); err != nil {
			return fmt.Errorf("sso: set password sign-up: %w", err)
		}
		return s.audit(ctx, tx, actor, "sso_password_signup", 0, map[string]bool{"password_signup": was}, map[string]bool{"password_signup": on})
	})
}

func (s *Service) audit(ctx context.Context, tx *sqldb.Tx, actor account.Actor, act string, id int64, before, after any) error {
	if s.Audit == nil {
		return nil
	}
	return s.Audit(ctx, tx, actor, act, id, before, after)
}

// public is what the audit log keeps of a configuration: never the secret.
func (c Config) public() map[string]any {
	return map[string]any{"label": c.Label, "issuer": c.Issuer, "client_id": c.ClientID,
		"username_claim": c.UsernameClaim, "email_claim": c.EmailClaim, "trust_email": c.TrustEmail}
}

func configOf(p Provider) map[string]any {
	return Config{Label: p.Label, Issuer: p.Issuer, ClientID: p.ClientID, UsernameClaim: p.UsernameClaim, EmailClaim: p.EmailClaim,
		TrustEmail: p.TrustEmail}.public()
}

func flag(b bool) int {
	if b {
		return 1
	}
	return 0
}
