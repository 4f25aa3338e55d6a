package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"mutual/app"
)

// The CLI on the demo community: rebuild finds the caches matching the
// ledger (and repairs a corrupted one), and the payback export sums to the
// ledger for the period.
func TestReputationCommands(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	cfg := app.DefaultConfig()
	cfg.DataDir = data
	a, err := app.New(ctx, cfg, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	var ledger int64
	if err := a.DB().QueryRow(ctx, `SELECT COALESCE(SUM(delta), 0) FROM reputation_events`).Scan(&ledger); err != nil || ledger == 0 {
		t.Fatalf("demo ledger sums to %d (%v): the demo should hold kudos and an accepted answer", ledger, err)
	}
	if _, err := a.DB().Exec(ctx, `UPDATE users SET reputation = reputation + 100 WHERE id = (SELECT MAX(user_id) FROM reputation_events)`); err != nil {
		t.Fatal(err)
	}
	_ = a.Close()

	var out bytes.Buffer
	if err := reputationRebuild(ctx, []string{"--data", data}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "1 difference(s) corrected") || !strings.Contains(out.String(), "cached") {
		t.Errorf("rebuild after corruption said:\n%s", out.String())
	}
	out.Reset()
	if err := reputationRebuild(ctx, []string{"--data", data}, &out); err != nil || !strings.Contains(out.String(), "0 difference(s) corrected") {
		t.Errorf("second rebuild = %v:\n%s", err, out.String())
	}

	out.Reset()
	today := time.Now().UTC()
	args := []string{"--data", data, "--from", today.AddDate(0, 0, -60).Format("2006-01-02"), "--to", today.AddDate(0, 0, 1).Format("2006-01-02")}
	if err := reputationExport(ctx, args, &out); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&out).ReadAll()
	if err != nil || len(recs) < 2 || !slices.Contains(recs[0], "total") {
		t.Fatalf("export = %v, %v", recs, err)
	}
	total := slices.Index(recs[0], "total")
	var sum int64
	for _, r := range recs[1:] {
		n, _ := strconv.ParseInt(r[total], 10, 64)
		sum += n
	}
	if sum != ledger {
		t.Errorf("export sums to %d, the ledger to %d", sum, ledger)
	}
	for _, bad := range [][]string{{"--data", data}, {"--data", data, "--from", "June", "--to", "2025-06-30"}, {"--data", data, "--from", "2025-06-30", "--to", "2025-06-01"}} {
		if err := reputationExport(ctx, bad, io.Discard); !errors.Is(err, ErrUsage) {
			t.Errorf("export %v = %v, want a usage error", bad, err)
		}
	}
}
