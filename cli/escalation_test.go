package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"

	"mutual/app"
)

func TestEscalationCommands(t *testing.T) {
	dir := t.TempDir()
	run := func(cmd func(context.Context, []string, io.Writer) error, args ...string) (string, error) {
		var out bytes.Buffer
		err := cmd(context.Background(), append([]string{"--data", dir}, args...), &out)
		return out.String(), err
	}
	if _, err := run(userCreate, "--username", "amy", "--email", "amy@provider.test", "--password", "a-long-password-1"); err != nil {
		t.Fatal(err)
	}
	out, err := run(brandUpdate, "--host", "localhost", "--peer-sla", "5m", "--resolution-sla", "24h", "--business-hours", "Mon-Fri 08:00-20:00", "--timezone", "Europe/London")
	if err != nil || !strings.Contains(out, "peer SLA 5m0s, resolution SLA 24h0m0s") || !strings.Contains(out, "Mon-Fri 08:00-20:00 Europe/London") {
		t.Fatalf("brand update: %q %v", out, err)
	}
	for _, bad := range [][]string{{"--host", "localhost", "--peer-sla", "soon"}, {"--peer-sla", "5m"}, {"--host", "localhost", "--board-sla", "x"}} {
		if _, err := run(brandUpdate, bad...); !errors.Is(err, ErrUsage) {
			t.Errorf("brand update %v: %v, want a usage error", bad, err)
		}
	}
	if _, err := run(brandUpdate, "--host", "localhost", "--peer-sla", "1s"); err == nil || !strings.Contains(err.Error(), "between 1 minute") {
		t.Errorf("a 1s SLA: %v, want a validation error", err)
	}
	if _, err := run(brandUpdate, "--host", "nowhere.example", "--peer-sla", "5m"); err == nil || !strings.Contains(err.Error(), "no brand") {
		t.Errorf("unknown brand: %v", err)
	}
	out, err = run(agentAdd, "--username", "amy", "--brand", "localhost", "--on-shift")
	if err != nil || !strings.Contains(out, "amy is an agent of localhost (boards all, on shift)") {
		t.Fatalf("agent add: %q %v", out, err)
	}
	if _, err := run(agentAdd, "--username", "nobody", "--brand", "localhost"); err == nil {
		t.Error("agent add of a missing user succeeded")
	}
	if _, err := run(agentAdd, "--username", "amy", "--brand", "localhost", "--boards", "999"); err == nil || !strings.Contains(err.Error(), "not a board") {
		t.Errorf("agent add with a foreign board: %v", err)
	}
	out, err = run(replay, "--brand", "localhost", "--peer-sla", "15m")
	if err != nil || !strings.Contains(out, "peer SLA 15m0s: 0 threads") || !strings.Contains(out, "first answer (comments left out): 0 would have escalated") {
		t.Fatalf("replay: %q %v", out, err)
	}
	if _, err := run(replay, "--brand", "localhost"); !errors.Is(err, ErrUsage) {
		t.Errorf("replay without --peer-sla: %v", err)
	}
}

// TestReplayOnTheBeerDumpPrintsBothCurves imports the real beer dump and
// replays it: counting comments as replies, fewer threads would have
// escalated than counting answers only, and the command prints both.
func TestReplayOnTheBeerDumpPrintsBothCurves(t *testing.T) {
	const beer = "../../shared/data/stackexchange/beer.stackexchange.com"
	if _, err := os.Stat(beer); err != nil {
		t.Skip("the beer dump is not beside the repository")
	}
	dir := t.TempDir()
	run := func(cmd func(context.Context, []string, io.Writer) error, args ...string) string {
		t.Helper()
		var out bytes.Buffer
		if err := cmd(context.Background(), append([]string{"--data", dir}, args...), &out); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out.String())
		}
		return out.String()
	}
	run(importStackExchange, "--brand", "localhost", beer)
	for _, c := range []struct{ sla, any, answers string }{
		{"15m", "first reply of any kind (answers and comments): 520 would have escalated", "first answer (comments left out): 542 would have escalated"},
		{"1h", "first reply of any kind (answers and comments): 425 would have escalated", "first answer (comments left out): 459 would have escalated"},
		{"6h", "first reply of any kind (answers and comments): 266 would have escalated", "first answer (comments left out): 314 would have escalated"},
		{"24h", "first reply of any kind (answers and comments): 128 would have escalated", "first answer (comments left out): 185 would have escalated"},
	} {
		out := run(replay, "--brand", "localhost", "--peer-sla", c.sla)
		t.Logf("replay at %s:\n%s", c.sla, out)
		if !strings.Contains(out, "591 threads") || !strings.Contains(out, c.any) || !strings.Contains(out, c.answers) {
			t.Errorf("replay at %s:\n%s\nwant %q and %q", c.sla, out, c.any, c.answers)
		}
	}
}

// The agent SLA has one home: set with `brand update`, the report settings
// page shows it; saved on that page, `brand update` prints it.
func TestBrandUpdateSLAIsTheReportPagesSLA(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	update := func(args ...string) string {
		t.Helper()
		var out bytes.Buffer
		if err := brandUpdate(ctx, append([]string{"--data", dir, "--host", "localhost"}, args...), &out); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	if out := update("--agent-sla", "2h"); !strings.Contains(out, "agent SLA 2h0m0s") {
		t.Fatalf("brand update: %s", out)
	}
	cfg := app.DefaultConfig()
	cfg.DataDir, cfg.NoDemo = dir, true
	a, err := app.New(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	s := a.Services()
	b, _ := s.Brands.Default(ctx)
	admin, err := s.Members.ByUsername(ctx, b.ID, "admin")
	if err != nil {
		t.Fatal(err)
	}
	sess, err := s.Members.StartSession(ctx, b.ID, admin.ID)
	if err != nil {
		t.Fatal(err)
	}
	do := func(method, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, "/reports/deflection/settings", strings.NewReader(body))
		req.Host = "localhost"
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: "mutual_session", Value: sess.Token})
		rec := httptest.NewRecorder()
		a.Handler().ServeHTTP(rec, req)
		return rec
	}
	if page := do(http.MethodGet, "").Body.String(); !strings.Contains(page, `name="agent_sla" inputmode="decimal" required value="2"`) {
		t.Errorf("the report settings page does not show the 2 h set by brand update")
	}
	form := url.Values{"csrf": {sess.CSRF}, "cost": {"6"}, "currency": {"EUR"}, "rate": {"10"}, "min_answers": {"30"},
		"escalation_sla": {"15"}, "agent_sla": {"3"}}
	if rec := do(http.MethodPost, form.Encode()); rec.Code != http.StatusSeeOther {
		t.Fatalf("save the report settings: %d %s", rec.Code, rec.Body.String())
	}
	_ = a.Close()
	if out := update(); !strings.Contains(out, "agent SLA 3h0m0s") {
		t.Errorf("brand update after the report page: %s", out)
	}
}
