package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"mutual/app"
	"mutual/escalation"
	"mutual/forum"
	"mutual/incident"
	"mutual/migrations"
	"mutual/migrations/storecopy"
	"mutual/sqldb"
	"mutual/sqldb/sqldbtest"
)

// relative times ("3 hours ago") depend on the second a page is rendered, so
// they are blanked before pages from the two stores are compared.
var agoRe = regexp.MustCompile(`<time[^>]*>[^<]*</time>|(edited|active|asked|member since) [^<·]*`)

func fetch(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, agoRe.ReplaceAllString(string(b), "")
}

// The demo community in SQLite, copied by migrate-store into PostgreSQL,
// serves identical pages and API answers from both stores, and PostgreSQL
// keeps handing out fresh ids afterwards.
func TestMigrateStoreCopiesEverything(t *testing.T) {
	ctx := context.Background()
	pgURL := sqldbtest.Target(t, sqldb.Postgres)
	quiet := slog.New(slog.NewJSONHandler(io.Discard, nil))
	clock := func() time.Time { return time.Date(2026, 5, 4, 12, 0, 0, 0, time.UTC) }

	cfg := app.DefaultConfig()
	cfg.DataDir = t.TempDir()
	cfg.JobInterval = 0
	cfg.Now = clock
	lite, err := app.New(ctx, cfg, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()

	// An incident, with its thread and a webhook delivery, is copied too.
	brand, err := forum.NewBrands(lite.DB(), clock).Default(ctx)
	if err != nil {
		t.Fatal(err)
	}
	hook, secret := "http://127.0.0.1:9/hook", "copy-secret"
	if _, err := lite.Escalations().UpdateSettings(ctx, brand.ID, escalation.Update{WebhookURL: &hook, WebhookSecret: &secret}); err != nil {
		t.Fatal(err)
	}
	var first int64
	if err := lite.DB().QueryRow(ctx, `SELECT MIN(id) FROM threads`).Scan(&first); err != nil {
		t.Fatal(err)
	}
	if _, _, err := lite.Incidents().Raise(ctx, incident.Raised{BrandID: brand.ID, GroupKey: "copied", Label: "Copied outage",
		ThreadIDs: []int64{first}}); err != nil {
		t.Fatal(err)
	}

	pgCfg := cfg
	pgCfg.DatabaseURL = pgURL
	pgCfg.NoDemo = true
	dst, err := sqldb.Open(ctx, pgURL)
	if err != nil {
		t.Fatal(err)
	}
	if err := runMigrations(ctx, dst); err != nil {
		t.Fatal(err)
	}
	counts, err := storecopy.Copy(ctx, lite.DB(), dst, io.Discard)
	if err != nil {
		t.Fatalf("copy: %v", err)
	}
	dst.Close()
	nonEmpty := 0
	for _, c := range counts {
		if c.Source != c.Target {
			t.Errorf("%s: %d rows in SQLite, %d in PostgreSQL", c.Table, c.Source, c.Target)
		}
		if c.Source > 0 {
			nonEmpty++
		}
	}
	if nonEmpty < 8 {
		t.Fatalf("only %d tables had rows; the demo community should fill most of them", nonEmpty)
	}
	pg, err := app.New(ctx, pgCfg, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	a := httptest.NewServer(lite.Handler())
	defer a.Close()
	b := httptest.NewServer(pg.Handler())
	defer b.Close()
	boards := samePages(t, a.URL, b.URL, lite.DB())

	// New rows in PostgreSQL get ids after the copied ones.
	var maxPost int64
	_ = pg.DB().QueryRow(ctx, `SELECT MAX(id) FROM posts`).Scan(&maxPost)
	var next int64
	err = pg.DB().InTx(ctx, func(tx *sqldb.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO boards (brand_id, slug, name, created_at) VALUES (1, 'after-copy', 'After copy', 0) RETURNING id`).Scan(&next)
	})
	if err != nil {
		t.Fatalf("insert after copy: %v", err)
	}
	if next <= int64(boards) {
		t.Fatalf("new board id %d collides with copied ids", next)
	}
}

// samePages fetches the home page, the boards and every thread from the
// SQLite server at a and the PostgreSQL one at b, pages and API alike, and
// fails on any difference; it returns how many boards there are.
func samePages(t *testing.T, a, b string, lite *sqldb.DB) int {
	t.Helper()
	paths := []string{"/", "/api/v1/boards", "/u/ellie_k", "/u/admin"}
	var boards struct{ Items []struct{ ID int64 } }
	_, raw := fetch(t, a+"/api/v1/boards")
	if err := json.Unmarshal([]byte(raw), &boards); err != nil || len(boards.Items) == 0 {
		t.Fatalf("boards: %v %s", err, raw)
	}
	for _, bd := range boards.Items {
		for _, f := range []string{"all", "unanswered", "solved"} {
			paths = append(paths, fmt.Sprintf("/api/v1/boards/%d/threads?filter=%s", bd.ID, f), fmt.Sprintf("/b/%d?filter=%s", bd.ID, f))
		}
	}
	var threads int
	if err := lite.QueryRow(context.Background(), `SELECT COUNT(*) FROM threads`).Scan(&threads); err != nil {
		t.Fatal(err)
	}
	for id := 1; id <= threads; id++ {
		paths = append(paths, fmt.Sprintf("/api/v1/threads/%d", id), fmt.Sprintf("/t/%d", id))
	}
	for _, p := range paths {
		ca, pa := fetch(t, a+p)
		cb, pb := fetch(t, b+p)
		// Absolute links (canonical, structured data) name the server's own address.
		pa = strings.ReplaceAll(pa, a, b)
		if ca != http.StatusOK || cb != ca {
			t.Errorf("%s: status %d from SQLite, %d from PostgreSQL", p, ca, cb)
			continue
		}
		if pa != pb {
			t.Errorf("%s differs between SQLite and PostgreSQL:\n%s", p, firstDiff(pa, pb))
		}
	}
	return len(boards.Items)
}

func firstDiff(a, b string) string {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			lo := max(0, i-80)
			return fmt.Sprintf("sqlite:   …%s…\npostgres: …%s…", a[lo:min(len(a), i+80)], b[lo:min(len(b), i+80)])
		}
	}
	return fmt.Sprintf("lengths %d and %d", len(a), len(b))
}

func runMigrations(ctx context.Context, db *sqldb.DB) error {
	_, err := migrations.Up(ctx, db)
	return err
}
