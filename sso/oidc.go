package sso

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"mutual/fault"
	"mutual/i18n"
)

// discovery is a provider's discovery document and key set, kept for an
// hour: go-oidc fetches new keys by itself when a token names one it has
// not seen.
type discovery struct {
	provider *oidc.Provider
	issuer   string
	at       time.Time
}

const discoveryTTL = time.Hour

// discover returns the provider's OpenID configuration, read on first use
// and then hourly. A provider that cannot be read is ErrUnavailable.
func (s *Service) discover(ctx context.Context, p Provider) (*oidc.Provider, error) {
	s.mu.Lock()
	d, ok := s.discovered[p.ID]
	s.mu.Unlock()
	if ok && d.issuer == p.Issuer && time.Since(d.at) < discoveryTTL {
		return d.provider, nil
	}
	op, err := oidc.NewProvider(oidc.ClientContext(ctx, s.client), p.Issuer)
	if err != nil {
		return nil, unavailable(ctx, p.Label, "ssomsg.what_configuration", err)
	}
	s.mu.Lock()
	s.discovered[p.ID] = discovery{provider: op, issuer: p.Issuer, at: time.Now()}
	s.mu.Unlock()
	return op, nil
}

// forget drops a provider's cached discovery after an admin changed it.
func (s *Service) forget(id int64) {
	s.mu.Lock()
	delete(s.discovered, id)
	s.mu.Unlock()
}

// checkIssuer reads an issuer's discovery document for an admin who is
// configuring it.
func (s *Service) checkIssuer(ctx context.Context, issuer string) error {
	if _, err := oidc.NewProvider(oidc.ClientContext(ctx, s.client), issuer); err != nil {
		return fault.Invalid("issuer", i18n.T(ctx, "ssomsg.no_configuration", "Issuer", issuer, "Cause", shortError(err)))
	}
	return nil
}

// oauthConfig is the OAuth 2.0 client this community is at the provider.
func oauthConfig(op *oidc.Provider, clientID, secret, redirectURL string) *oauth2.Config {
	return &oauth2.Config{ClientID: clientID, ClientSecret: secret, Endpoint: op.Endpoint(), RedirectURL: redirectURL,
		Scopes: []string{oidc.ScopeOpenID, "profile", "email"}}
}

// claims is what the provider vouched for, from the verified ID token and,
// for what the token leaves out, the user info endpoint.
type claims struct {
	Subject       string
	Username      string
	Email         string
	EmailVerified bool
}

// redeem exchanges the code (proving the PKCE verifier), verifies the ID
// token (signature, issuer, audience, expiry) and its nonce, and reads the
// configured claims. A token that fails any check is ErrUnauthenticated; a
// provider that cannot be reached is ErrUnavailable.
func (s *Service) redeem(ctx context.Context, p Provider, secret, redirectURL, code, verifier, nonce string) (claims, error) {
	op, err := s.discover(ctx, p)
	if err != nil {
		return claims{}, err
	}
	ctx = oidc.ClientContext(ctx, s.client)
	tok, err := oauthConfig(op, p.ClientID, secret, redirectURL).Exchange(ctx, code, oauth2.VerifierOption(verifier))
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		return claims{}, rejected(ctx, p.Label, "ssomsg.why_code_refused", "Code", re.ErrorCode)
	}
	if err != nil {
		return claims{}, unavailable(ctx, p.Label, "ssomsg.what_redeem", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return claims{}, rejected(ctx, p.Label, "ssomsg.why_no_token")
	}
	idt, err := op.Verifier(&oidc.Config{ClientID: p.ClientID, Now: s.now}).Verify(ctx, raw)
	var expired *oidc.TokenExpiredError
	switch {
	case errors.As(err, &expired):
		return claims{}, rejected(ctx, p.Label, "ssomsg.why_expired")
	case err != nil:
		return claims{}, rejected(ctx, p.Label, "ssomsg.why_unverified")
	case idt.Nonce != nonce:
		return claims{}, rejected(ctx, p.Label, "ssomsg.why_other_signin")
	}
	all := map[string]any{}
	if err := idt.Claims(&all); err != nil {
		return claims{}, rejected(ctx, p.Label, "ssomsg.why_unreadable")
	}
	if all[p.UsernameClaim] == nil || all[p.EmailClaim] == nil {
		s.addUserInfo(ctx, op, tok, idt.Subject, all)
	}
	c := claims{Subject: idt.Subject, Username: text(all[p.UsernameClaim]), Email: text(all[p.EmailClaim])}
	// Some providers send the flag as a string; a directory the admin
	// trusts sends none.
	c.EmailVerified = all["email_verified"] == true || all["email_verified"] == "true" || (p.TrustEmail && c.Email != "")
	if c.Username == "" {
		c.Username = firstOf(text(all["preferred_username"]), text(all["nickname"]), text(all["name"]), c.Email)
	}
	if len(c.Subject) > 255 {
		return claims{}, rejected(ctx, p.Label, "ssomsg.why_subject_long")
	}
	return c, nil
}

// addUserInfo fills claims the ID token left out from the user info
// endpoint, as providers that keep tokens small (Okta, Zitadel) expect. The
// answer counts only for the same subject; a failure leaves the token's.
func (s *Service) addUserInfo(ctx context.Context, op *oidc.Provider, tok *oauth2.Token, subject string, all map[string]any) {
	if op.UserInfoEndpoint() == "" {
		return
	}
	ui, err := op.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil || ui.Subject != subject {
		return
	}
	more := map[string]any{}
	if ui.Claims(&more) != nil {
		return
	}
	for k, v := range more {
		if _, ok := all[k]; !ok {
			all[k] = v
		}
	}
}

func text(v any) string {
	s, _ := v.(string)
	return strings.TrimSpace(s)
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// unavailable says a provider could not be reached; the cause is for the
// log and the admin, the message for the person.
// what is the message that says what failed.
func unavailable(ctx context.Context, label, what string, cause error) error {
	return &fault.Error{Kind: ErrUnavailable,
		Msg: i18n.T(ctx, "ssomsg.unavailable", "Label", label, "What", i18n.T(ctx, what), "Cause", shortError(cause))}
}

// rejected says the provider's answer was refused; why is the message that
// says why, args its values.
func rejected(ctx context.Context, label, why string, args ...any) error {
	return &fault.Error{Kind: fault.ErrUnauthenticated,
		Msg: i18n.T(ctx, "ssomsg.rejected", "Label", label, "Why", i18n.T(ctx, why, args...))}
}

// shortError is the last part of a chain of wrapped errors, for a person
// who needs to know "connection refused", not the whole URL again.
func shortError(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 && i+2 < len(msg) {
		msg = msg[i+2:]
	}
	if len(msg) > 160 {
		msg = msg[:160] + "…"
	}
	return msg
}
