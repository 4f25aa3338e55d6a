package deflection_test

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"testing"
	"time"

	"mutual/forum"
	"mutual/report/deflection"
	"mutual/report/deflection/deflectiontest"
	"mutual/sqldb"
	"mutual/sqldb/sqldbtest"
)

// TestHoldoutIntervalCoversTheTruth generates twenty histories (seeds 1 to
// 20, fixed before the first run) in which the generator decides who would
// have posted, records them through the product's own exposure and posting
// events, and estimates the effect from the raw events. A 95% interval
// covers the truth in 19 or 20 of 20 histories only three times in four
// (binomial), so this asks for 18 and leaves the rate itself to
// TestHoldoutCoverageIsNominal, over thousands of histories.
func TestHoldoutIntervalCoversTheTruth(t *testing.T) {
	ctx := context.Background()
	db := sqldbtest.Open(t, sqldb.SQLite)
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	brands := forum.NewBrands(db, func() time.Time { return start })
	world := deflectiontest.HoldoutWorld{Askers: 4000, BP: 500, PostRate: 0.6, Deflect: 0.25}
	covered := 0
	for seed := uint64(1); seed <= 20; seed++ {
		b, err := brands.Create(ctx, forum.NewBrand{Host: fmt.Sprintf("seed%d.test", seed), Name: "Seed " + strconv.Itoa(int(seed))})
		if err != nil {
			t.Fatal(err)
		}
		truth, err := world.Generate(ctx, db, b.ID, seed, start)
		if err != nil {
			t.Fatal(err)
		}
		events, err := deflection.Exposures(ctx, db, b.ID, start, start.AddDate(0, 0, 30))
		if err != nil {
			t.Fatal(err)
		}
		e := deflection.Analyse(events)
		in := e.DeflLow <= float64(truth.Deflected) && float64(truth.Deflected) <= e.DeflHigh
		if in {
			covered++
		}
		if e.Shown.Askers != truth.Shown || e.Verdict == deflection.HoldoutOff || e.Verdict == deflection.HoldoutTooSmall {
			t.Errorf("seed %d: %+v, want %d shown and enough askers to tell", seed, e, truth.Shown)
		}
		t.Logf("seed %2d: held out %3d (%.3f posted), shown %4d (%.3f); deflected %.1f [%.1f, %.1f], truth %d %v",
			seed, e.HeldOut.Askers, e.HeldOut.Rate, e.Shown.Askers, e.Shown.Rate, e.Deflected, e.DeflLow, e.DeflHigh, truth.Deflected, in)
	}
	if covered < 18 {
		t.Fatalf("the interval covered the truth in %d of 20 histories, want at least 18", covered)
	}
	t.Logf("covered the truth in %d of 20", covered)
}

// The interval's arithmetic on known counts, and the verdicts.
func TestHoldoutEstimateSaysWhenItCannotTell(t *testing.T) {
	g := func(n, x int) deflection.HoldoutGroup { return deflection.HoldoutGroup{Askers: n, Posted: x} }
	// Newcombe (1998), "Interval estimation for the difference between
	// independent proportions", worked example for method 10: 56/70 against
	// 48/80 is a difference of 0.2000 in [0.0524, 0.3339].
	e := deflection.Estimate(g(80, 48), g(70, 56))
	if math.Abs(e.Difference-0.2) > 1e-9 || math.Abs(e.Low-0.0524) > 5e-5 || math.Abs(e.High-0.3339) > 5e-5 {
		t.Fatalf("estimate %+v, want 0.2 in [0.0524, 0.3339]", e)
	}
	if e.Verdict != deflection.HoldoutMeasured || e.Deflected != 16 {
		t.Fatalf("verdict %s, deflected %v, want measured and 16 (0.2 of 80 shown askers)", e.Verdict, e.Deflected)
	}
	for name, c := range map[string]struct {
		shown, held deflection.HoldoutGroup
		want        string
	}{
		"nobody":             {g(0, 0), g(0, 0), deflection.HoldoutOff},
		"few held out":       {g(1000, 450), g(12, 9), deflection.HoldoutTooSmall},
		"nobody held posted": {g(1000, 450), g(40, 2), deflection.HoldoutTooSmall},
		"no clear effect":    {g(1000, 450), g(100, 47), deflection.HoldoutUnclear},
	} {
		if got := deflection.Estimate(c.shown, c.held).Verdict; got != c.want {
			t.Errorf("%s: %s, want %s", name, got, c.want)
		}
	}
}

// TestHoldoutCoverageIsNominal draws 2,000 histories of the same world in
// memory (the same generator rules, counted straight into the two groups)
// and checks that the interval covers the true number deflected in 95% of
// them, give or take three times the Monte Carlo error (0.49 points).
func TestHoldoutCoverageIsNominal(t *testing.T) {
	if testing.Short() {
		t.Skip("2,000 histories")
	}
	const runs = 2000
	covered := 0
	for seed := uint64(1); seed <= runs; seed++ {
		shown, held, truth := deflectiontest.HoldoutWorld{Askers: 4000, BP: 500, PostRate: 0.6, Deflect: 0.25}.Counts(seed)
		e := deflection.Estimate(shown, held)
		if e.DeflLow <= float64(truth) && float64(truth) <= e.DeflHigh {
			covered++
		}
	}
	rate := float64(covered) / runs
	t.Logf("covered the truth in %d of %d histories (%.2f%%)", covered, runs, 100*rate)
	if rate < 0.935 || rate > 0.965 {
		t.Fatalf("coverage %.4f, want 0.95 within Monte Carlo error", rate)
	}
}
