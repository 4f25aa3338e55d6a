package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"mutual/account"
	"mutual/app"
	"mutual/forum"
	"mutual/internal/testkit"
	"mutual/markup"
	"mutual/search"
)

// syncBuffer collects the site's log so tests can check nothing was logged
// as an error.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// site is a running Mutual over the real wiring: app.New on a temporary data
// directory, its handler driven through httptest.
type site struct {
	t       *testing.T
	app     *app.App
	h       http.Handler
	cfg     app.Config
	clock   *testkit.Clock
	logs    *syncBuffer
	members *account.Members
	brands  *forum.Brands
	// svc writes through the same database for setup. It is not the app's
	// own service, so it does not invalidate the anonymous page cache: set
	// content up with it before the first anonymous page view, or post
	// through HTTP.
	svc *forum.Service
	// search follows svc's changes, as the app's own does the app's.
	search *search.Service
	brand  forum.Brand
	board  forum.Board
}

func newSite(t *testing.T, opts ...func(*app.Config)) *site {
	t.Helper()
	clk := testkit.NewClock(time.Date(2025, 5, 6, 10, 0, 30, 0, time.UTC))
	cfg := app.DefaultConfig()
	cfg.DataDir = t.TempDir()
	cfg.NoDemo = true
	cfg.PostInterval = 0
	cfg.JobInterval = 0
	cfg.Now = clk.Now
	for _, o := range opts {
		o(&cfg)
	}
	logs := &syncBuffer{}
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewJSONHandler(logs, nil)))
	if err != nil {
		t.Fatalf("app.New: %v", err)
	}
	t.Cleanup(func() { _ = a.Close() })
	s := &site{t: t, app: a, h: a.Handler(), cfg: cfg, clock: clk, logs: logs,
		members: account.NewMembers(a.DB(), clk.Now),
		brands:  forum.NewBrands(a.DB(), clk.Now),
		svc:     forum.NewService(a.DB(), markup.NewRenderer(), clk.Now),
		search:  search.New(a.DB(), clk.Now),
	}
	s.svc.Subscribe(s.search.Hook)
	if s.brand, err = s.brands.Default(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.board = s.newBoard(s.brand.ID, "Billing and plans")
	return s
}

func (s *site) newBoard(brandID int64, name string) forum.Board {
	s.t.Helper()
	b, err := s.svc.CreateBoard(context.Background(), brandID, forum.NewBoard{Name: name, Description: "All about " + name})
	if err != nil {
		s.t.Fatal(err)
	}
	return b
}

// noErrorLogs fails the test if anything was logged at error level (an
// internal error or a panic), which a user mistake must never cause.
func (s *site) noErrorLogs() {
	s.t.Helper()
	for _, line := range strings.Split(s.logs.String(), "\n") {
		if strings.Contains(line, `"level":"ERROR"`) {
			s.t.Errorf("error logged: %s", line)
		}
	}
}

// member is a signed-in account made without the cost of a password hash.
type member struct {
	actor account.Actor
	token string // bearer token
}

// user creates an account (with the given roles) and a bearer token for it.
func (s *site) user(brandID int64, name string, roles ...string) member {
	s.t.Helper()
	ctx := context.Background()
	u, err := s.members.CreateUnclaimed(ctx, account.Unclaimed{BrandID: brandID, Username: name, Email: name + "@example.com", CreatedAt: s.clock.Now()})
	if err != nil {
		s.t.Fatalf("create %s: %v", name, err)
	}
	for _, r := range roles {
		if err := s.members.Grant(ctx, brandID, u.ID, r); err != nil {
			s.t.Fatal(err)
		}
	}
	rs, _ := s.members.RolesOf(ctx, brandID, u.ID)
	tok, err := s.members.CreateToken(ctx, brandID, u.ID, "test")
	if err != nil {
		s.t.Fatal(err)
	}
	return member{actor: account.Actor{UserID: u.ID, BrandID: brandID, Username: name, Roles: rs}, token: tok}
}

// browser is a client with a cookie jar that remembers the last CSRF token a
// page showed it.
type browser struct {
	s       *site
	host    string
	remote  string
	cookies map[string]string
	csrf    string
	bearer  string
	// forwardedFor, when set, is sent as X-Forwarded-For, as a proxy in
	// front of the site would.
	forwardedFor string
	// forwarded, when set, is sent as an RFC 7239 Forwarded header.
	forwarded string
}

func (s *site) browser() *browser {
	return &browser{s: s, host: "localhost", remote: "192.0.2.10:40000", cookies: map[string]string{}}
}

// signedIn returns a browser with a fresh session for m, as if it had signed in.
func (s *site) signedIn(m member) *browser {
	s.t.Helper()
	sess, err := s.members.StartSession(context.Background(), m.actor.BrandID, m.actor.UserID)
	if err != nil {
		s.t.Fatal(err)
	}
	b := s.browser()
	b.cookies["mutual_session"] = sess.Token
	b.csrf = sess.CSRF
	return b
}

// bearerClient is an API client authenticating with m's token.
func (s *site) bearerClient(m member) *browser {
	b := s.browser()
	b.bearer = m.token
	return b
}

type response struct {
	code    int
	header  http.Header
	body    string
	cookies []*http.Cookie
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (b *browser) do(req *http.Request) *response {
	b.s.t.Helper()
	if req.Host == "" || req.Host == "example.com" {
		req.Host = b.host
	}
	req.RemoteAddr = b.remote
	if b.forwardedFor != "" {
		req.Header.Set("X-Forwarded-For", b.forwardedFor)
	}
	if b.forwarded != "" {
		req.Header.Set("Forwarded", b.forwarded)
	}
	for k, v := range b.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	if b.bearer != "" && req.Header.Get("Authorization") == "" {
		req.Header.Set("Authorization", "Bearer "+b.bearer)
	}
	rec := httptest.NewRecorder()
	b.s.h.ServeHTTP(rec, req)
	res := rec.Result()
	body, _ := io.ReadAll(res.Body)
	r := &response{code: res.StatusCode, header: res.Header, body: string(body), cookies: res.Cookies()}
	for _, c := range r.cookies {
		if c.MaxAge < 0 || c.Value == "" {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c.Value
		}
	}
	if m := csrfField.FindStringSubmatch(r.body); m != nil {
		b.csrf = m[1]
	}
	return r
}

func (b *browser) get(path string) *response {
	b.s.t.Helper()
	return b.do(httptest.NewRequest(http.MethodGet, path, nil))
}

// post sends a form; the page's CSRF token is added unless the form has one.
func (b *browser) post(path string, form url.Values) *response {
	b.s.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf"]; !ok && b.csrf != "" {
		form.Set("csrf", b.csrf)
	}
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// api sends a JSON request. body may be a string (sent as is) or a value to
// marshal. A signed-in browser sends its X-CSRF-Token.
func (b *browser) api(method, path string, body any, hdr ...string) *response {
	b.s.t.Helper()
	var rd io.Reader
	switch v := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(v)
	case []byte:
		rd = bytes.NewReader(v)
	default:
		raw, err := json.Marshal(v)
		if err != nil {
			b.s.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if b.csrf != "" && b.cookies["mutual_session"] != "" {
		req.Header.Set("X-CSRF-Token", b.csrf)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == "" {
			req.Header.Del(hdr[i])
			continue
		}
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return b.do(req)
}

// json decodes the body into a generic value, failing the test on bad JSON.
func (r *response) json(t *testing.T) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal([]byte(r.body), &v); err != nil {
		t.Fatalf("response is not a JSON object (%v): %s", err, r.body)
	}
	return v
}

func (r *response) cookie(name string) *http.Cookie {
	for _, c := range r.cookies {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// scenario is one row of a handler table: who asks what, and what must come back.
type scenario struct {
	name        string
	method      string
	path        string
	as          *browser
	form        url.Values // for POST pages
	json        any        // for the API
	headers     []string
	status      int
	contains    []string
	notContains []string
	location    string // expected Location prefix for redirects
}

func (s *site) run(tests []scenario) {
	s.t.Helper()
	for _, tt := range tests {
		s.t.Run(tt.name, func(t *testing.T) {
			t.Helper()
			b := tt.as
			if b == nil {
				b = s.browser()
			}
			var r *response
			switch {
			case strings.HasPrefix(tt.path, "/api/"):
				r = b.api(tt.method, tt.path, tt.json, tt.headers...)
			case tt.method == http.MethodPost:
				r = b.post(tt.path, tt.form)
			default:
				req := httptest.NewRequest(tt.method, tt.path, nil)
				for i := 0; i+1 < len(tt.headers); i += 2 {
					req.Header.Set(tt.headers[i], tt.headers[i+1])
				}
				r = b.do(req)
			}
			if r.code != tt.status {
				t.Fatalf("%s %s = %d, want %d\n%s", tt.method, tt.path, r.code, tt.status, clip(r.body))
			}
			for _, w := range tt.contains {
				if !strings.Contains(r.body, w) {
					t.Errorf("%s %s: body lacks %q\n%s", tt.method, tt.path, w, clip(r.body))
				}
			}
			for _, w := range tt.notContains {
				if strings.Contains(r.body, w) {
					t.Errorf("%s %s: body must not contain %q", tt.method, tt.path, w)
				}
			}
			if tt.location != "" && !strings.HasPrefix(r.header.Get("Location"), tt.location) {
				t.Errorf("%s %s: Location = %q, want prefix %q", tt.method, tt.path, r.header.Get("Location"), tt.location)
			}
		})
	}
}

func clip(s string) string {
	if len(s) > 1500 {
		return s[:1500] + "…"
	}
	return s
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// relaxKudosGivers lets brand-new accounts with no posts give kudos, for
// tests of something else (the giver rules have their own tests).
func relaxKudosGivers(t *testing.T, s *site) {
	t.Helper()
	_, err := s.app.DB().Exec(context.Background(), `INSERT INTO reputation_settings (brand_id, giver_min_age_minutes, giver_min_posts)
SELECT id, 0, 0 FROM brands WHERE true
ON CONFLICT (brand_id) DO UPDATE SET giver_min_age_minutes = 0, giver_min_posts = 0`)
	if err != nil {
		t.Fatal(err)
	}
}
