package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mutual/app"
	"mutual/forum"
	"mutual/forum/synth"
)

// TestGeneratedIncidentsAreDetected generates a community with injected
// incidents, lets the radar group it as it would after a bulk load, and
// asks the detector, 15 minutes after each incident began, what is
// bursting: each incident must be there, made mostly of its own threads.
func TestGeneratedIncidentsAreDetected(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	if err := gen(context.Background(), []string{"--data", dir, "--threads", "6000", "--posts", "12000", "--incidents", "3"}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "incidents' truth written to") {
		t.Fatalf("gen: %s", out.String())
	}
	raw, err := os.ReadFile(filepath.Join(dir, "incidents.json"))
	if err != nil {
		t.Fatal(err)
	}
	var incs []synth.Incident
	if err := json.Unmarshal(raw, &incs); err != nil || len(incs) != 3 {
		t.Fatalf("truth: %v %s", err, raw)
	}
	ctx := context.Background()
	cfg := app.DefaultConfig()
	cfg.DataDir, cfg.NoDemo, cfg.JobInterval = dir, true, 0
	a, err := app.New(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	r := a.Radar()
	if _, err := r.Backfill(ctx, 1000); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Pass(ctx); err != nil { // counts the terms
		t.Fatal(err)
	}
	brand, err := forum.NewBrands(a.DB(), time.Now).Default(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, inc := range incs {
		bursts, err := r.Detect(ctx, brand.ID, inc.Start.Add(15*time.Minute).UnixMilli())
		if err != nil {
			t.Fatal(err)
		}
		own := map[int64]bool{}
		for _, id := range inc.Threads {
			own[id] = true
		}
		found := false
		for _, b := range bursts {
			n := 0
			for _, id := range b.ThreadIDs {
				if own[id] {
					n++
				}
			}
			if 2*n >= len(b.ThreadIDs) {
				found = true
				if !strings.Contains(strings.ToLower(strings.Join(b.Places, " ")), strings.ToLower(inc.Place)) {
					t.Errorf("incident in %s labelled with places %v", inc.Place, b.Places)
				}
			} else {
				t.Errorf("a burst of normal traffic at %s: %+v", inc.Start, b)
			}
		}
		if !found {
			t.Errorf("incident %q in %s at %s not detected within 15 minutes", inc.Problem, inc.Place, inc.Start)
		}
	}
}

// TestRadarMeetsItsGoalsOnSimulatedTraffic runs the evaluation of
// `mutual radar eval` on a few seeds: every incident detected within 15
// minutes and at most one false alarm per brand per simulated week.
func TestRadarMeetsItsGoalsOnSimulatedTraffic(t *testing.T) {
	total := EvaluateRadar(context.Background(), 4, 6, 1500, 3, nil)
	if total.Detected != total.Incidents || total.Worst() > 15 {
		t.Errorf("detected %d of %d incidents, delays %v", total.Detected, total.Incidents, total.Delays)
	}
	if per := float64(total.FalseAlarms) / total.Weeks; per > 1 {
		t.Errorf("%.2f false alarms per brand per week", per)
	}
}
