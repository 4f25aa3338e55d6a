// Package oidcop runs a real OpenID Provider on loopback for tests, built
// on zitadel/oidc's op package: discovery, a sign-in page, the
// authorization code flow with PKCE, signed ID tokens and user info. Its
// storage is the smallest in-memory one that works: one client, the users a
// test adds, and knobs to make it misbehave (forge its tokens, issue them
// expired, go down). Only tests import it.
package oidcop

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"html/template"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// User is a person the provider can sign in.
type User struct {
	Subject, Username, Password string
	Email                       string
	EmailVerified               bool
	Claims                      map[string]any // more claims for the ID token and user info
}

// OP is a running provider. Its single client accepts any redirect URI of
// the form http://HOST/sso/ID/callback.
type OP struct {
	Issuer                 string
	ClientID, ClientSecret string
	srv                    *httptest.Server

	mu       sync.Mutex
	users    map[string]*User        // by username
	requests map[string]*authRequest // by id
	codes    map[string]string       // code -> request id
	tokens   map[string]string       // access token id -> subject
	key      *rsa.PrivateKey         // published in the key set
	signWith *rsa.PrivateKey         // signs tokens: key, or a forger's
	lifetime time.Duration           // of ID tokens
}

// Start runs a provider until the test ends.
func Start(t testing.TB) *OP {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	o := &OP{ClientID: "mutual-test", ClientSecret: "test-secret-" + rand.Text(), users: map[string]*User{},
		requests: map[string]*authRequest{}, codes: map[string]string{}, tokens: map[string]string{},
		key: key, signWith: key, lifetime: 5 * time.Minute}
	var handler http.Handler
	o.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(o.srv.Close)
	o.Issuer = o.srv.URL
	cfg := &op.Config{CryptoKey: sha256.Sum256([]byte(o.ClientSecret)), CodeMethodS256: true, AuthMethodPost: true}
	provider, err := op.NewProvider(cfg, &storage{o}, op.StaticIssuer(o.Issuer), op.WithAllowInsecure())
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	intercept := op.NewIssuerInterceptor(provider.IssuerFromRequest)
	mux.HandleFunc("GET /signin", o.signinPage)
	mux.HandleFunc("POST /signin", intercept.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.signin(w, r, op.AuthCallbackURL(provider))
	}))
	mux.Handle("/", provider)
	handler = mux
	return o
}

// AddUser lets a person sign in.
func (o *OP) AddUser(u User) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.users[u.Username] = &u
}

// Forge makes the provider sign tokens with a key it does not publish, as a
// forger would.
func (o *OP) Forge() {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	o.mu.Lock()
	o.signWith = k
	o.mu.Unlock()
}

// IDTokenLifetime sets how long the ID tokens it issues are valid.
func (o *OP) IDTokenLifetime(d time.Duration) {
	o.mu.Lock()
	o.lifetime = d
	o.mu.Unlock()
}

// Stop takes the provider down: connections are refused from now on.
func (o *OP) Stop() { o.srv.Close() }

var page = template.Must(template.New("signin").Parse(`<!doctype html><title>Test provider</title>
<h1>Test identity provider</h1>{{if .Error}}<p id="op-error">{{.Error}}</p>{{end}}
<form method="post" action="/signin"><input type="hidden" name="id" value="{{.ID}}">
<label>Username <input id="op-username" name="username"></label>
<label>Password <input id="op-password" name="password" type="password"></label>
<button id="op-submit" type="submit">Sign in</button></form>`))

func (o *OP) signinPage(w http.ResponseWriter, r *http.Request) {
	_ = page.Execute(w, map[string]string{"ID": r.URL.Query().Get("authRequestID")})
}

func (o *OP) signin(w http.ResponseWriter, r *http.Request, callback func(context.Context, string) string) {
	id := r.PostFormValue("id")
	o.mu.Lock()
	u, ok := o.users[r.PostFormValue("username")]
	req := o.requests[id]
	good := ok && req != nil && u.Password == r.PostFormValue("password")
	if good {
		req.subject, req.done, req.authTime = u.Subject, true, time.Now()
	}
	o.mu.Unlock()
	if !good {
		w.WriteHeader(http.StatusUnauthorized)
		_ = page.Execute(w, map[string]string{"ID": id, "Error": "Wrong username or password."})
		return
	}
	http.Redirect(w, r, callback(r.Context(), id), http.StatusFound)
}

func (o *OP) userBySubject(sub string) *User {
	for _, u := range o.users {
		if u.Subject == sub {
			return u
		}
	}
	return nil
}

// authRequest is one authorization request, done once a user signed in.
type authRequest struct {
	id string
	oidc.AuthRequest
	subject  string
	done     bool
	authTime time.Time
}

func (a *authRequest) GetID() string                      { return a.id }
func (a *authRequest) GetACR() string                     { return "" }
func (a *authRequest) GetAMR() []string                   { return []string{"pwd"} }
func (a *authRequest) GetAudience() []string              { return []string{a.ClientID} }
func (a *authRequest) GetAuthTime() time.Time             { return a.authTime }
func (a *authRequest) GetClientID() string                { return a.ClientID }
func (a *authRequest) GetNonce() string                   { return a.Nonce }
func (a *authRequest) GetRedirectURI() string             { return a.RedirectURI }
func (a *authRequest) GetResponseType() oidc.ResponseType { return a.ResponseType }
func (a *authRequest) GetResponseMode() oidc.ResponseMode { return a.ResponseMode }
func (a *authRequest) GetScopes() []string                { return a.Scopes }
func (a *authRequest) GetState() string                   { return a.State }
func (a *authRequest) GetSubject() string                 { return a.subject }
func (a *authRequest) Done() bool                         { return a.done }
func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge {
	if a.CodeChallenge == "" {
		return nil
	}
	return &oidc.CodeChallenge{Challenge: a.CodeChallenge, Method: a.CodeChallengeMethod}
}

// client is the one relying party: a confidential web app.
type client struct{ o *OP }

func (c client) GetID() string                        { return c.o.ClientID }
func (c client) RedirectURIs() []string               { return nil }
func (c client) RedirectURIGlobs() []string           { return []string{"http://*/sso/*/callback"} }
func (c client) PostLogoutRedirectURIs() []string     { return nil }
func (c client) PostLogoutRedirectURIGlobs() []string { return nil }
func (c client) ApplicationType() op.ApplicationType  { return op.ApplicationTypeWeb }
func (c client) AuthMethod() oidc.AuthMethod          { return oidc.AuthMethodBasic }
func (c client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c client) GrantTypes() []oidc.GrantType        { return []oidc.GrantType{oidc.GrantTypeCode} }
func (c client) LoginURL(id string) string           { return "/signin?authRequestID=" + id }
func (c client) AccessTokenType() op.AccessTokenType { return op.AccessTokenTypeBearer }
func (c client) IDTokenLifetime() time.Duration {
	c.o.mu.Lock()
	defer c.o.mu.Unlock()
	return c.o.lifetime
}
func (c client) DevMode() bool                        { return false }
func (c client) IsScopeAllowed(string) bool           { return false }
func (c client) IDTokenUserinfoClaimsAssertion() bool { return true }
func (c client) ClockSkew() time.Duration             { return 0 }
func (c client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

// signingKey and publicKey give op the keys.
type signingKey struct{ k *rsa.PrivateKey }

func (k signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k signingKey) Key() any                                    { return k.k }
func (k signingKey) ID() string                                  { return "test-key" }

type publicKey struct{ k *rsa.PrivateKey }

func (k publicKey) ID() string                         { return "test-key" }
func (k publicKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k publicKey) Use() string                        { return "sig" }
func (k publicKey) Key() any                           { return &k.k.PublicKey }

var errUnsupported = errors.New("not supported by the test provider")

// storage is op.Storage over the OP's maps.
type storage struct{ o *OP }

func (s *storage) CreateAuthRequest(_ context.Context, r *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	s.o.mu.Lock()
	defer s.o.mu.Unlock()
	a := &authRequest{id: rand.Text(), AuthRequest: *r}
	s.o.requests[a.id] = a
	return a, nil
}

func (s *storage) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	s.o.mu.Lock()
	defer s.o.mu.Unlock()
	if a, ok := s.o.requests[id]; ok {
		return a, nil
	}
	return nil, errors.New("no such request")
}

func (s *storage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	s.o.mu.Lock()
	id, ok := s.o.codes[code]
	s.o.mu.Unlock()
	if !ok {
		return nil, errors.New("no such code")
	}
	return s.AuthRequestByID(ctx, id)
}

func (s *storage) SaveAuthCode(_ context.Context, id, code string) error {
	s.o.mu.Lock()
	defer s.o.mu.Unlock()
	s.o.codes[code] = id
	return nil
}

func (s *storage) DeleteAuthRequest(_ context.Context, id string) error {
	s.o.mu.Lock()
	defer s.o.mu.Unlock()
	delete(s.o.requests, id)
	for c, rid := range s.o.codes {
		if rid == id {
			delete(s.o.codes, c)
		}
	}
	return nil
}

func (s *storage) CreateAccessToken(_ context.Context, r op.TokenRequest) (string, time.Time, error) {
	s.o.mu.Lock()
	defer s.o.mu.Unlock()
	id := rand.Text()
	s.o.tokens[id] = r.GetSubject()
	return id, time.Now().Add(5 * time.Minute), nil
}

func (s *storage) CreateAccessAndRefreshTokens(context.Context, op.TokenRequest, string) (string, string, time.Time, error) {
	return "", "", time.Time{}, errUnsupported
}

func (s *storage) TokenRequestByRefreshToken(context.Context, string) (op.RefreshTokenRequest, error) {
	return nil, errUnsupported
}

func (s *storage) TerminateSession(context.Context, string, string) error { return nil }

func (s *storage) RevokeToken(context.Context, string, string, string) *oidc.Error { return nil }

func (s *storage) GetRefreshTokenInfo(context.Context, string, string) (string, string, error) {
	return "", "", op.ErrInvalidRefreshToken
}

func (s *storage) SigningKey(context.Context) (op.SigningKey, error) {
	s.o.mu.Lock()
	defer s.o.mu.Unlock()
	return signingKey{s.o.signWith}, nil
}

func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

func (s *storage) KeySet(context.Context) ([]op.Key, error) { return []op.Key{publicKey{s.o.key}}, nil }

func (s *storage) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	if id != s.o.ClientID {
		return nil, errors.New("no such client")
	}
	return client{s.o}, nil
}

func (s *storage) AuthorizeClientIDSecret(_ context.Context, id, secret string) error {
	if id != s.o.ClientID || secret != s.o.ClientSecret {
		return errors.New("wrong client credentials")
	}
	return nil
}

func (s *storage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

// SetUserinfoFromRequest puts the user's claims in the ID token.
func (s *storage) SetUserinfoFromRequest(_ context.Context, ui *oidc.UserInfo, r op.IDTokenRequest, _ []string) error {
	return s.fill(ui, r.GetSubject())
}

func (s *storage) SetUserinfoFromToken(_ context.Context, ui *oidc.UserInfo, tokenID, _, _ string) error {
	s.o.mu.Lock()
	sub, ok := s.o.tokens[tokenID]
	s.o.mu.Unlock()
	if !ok {
		return errors.New("no such token")
	}
	return s.fill(ui, sub)
}

func (s *storage) fill(ui *oidc.UserInfo, sub string) error {
	s.o.mu.Lock()
	defer s.o.mu.Unlock()
	u := s.o.userBySubject(sub)
	if u == nil {
		return errors.New("no such user")
	}
	ui.Subject, ui.PreferredUsername, ui.Email, ui.EmailVerified = u.Subject, u.Username, u.Email, oidc.Bool(u.EmailVerified)
	for k, v := range u.Claims {
		ui.AppendClaims(k, v)
	}
	return nil
}

func (s *storage) SetIntrospectionFromToken(context.Context, *oidc.IntrospectionResponse, string, string, string) error {
	return errUnsupported
}

func (s *storage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errUnsupported
}

func (s *storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errUnsupported
}

func (s *storage) Health(context.Context) error { return nil }
