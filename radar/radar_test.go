package radar

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"
)

func TestSimilarityEstimatesJaccard(t *testing.T) {
	// Sets of 40 words sharing k: Jaccard k/(80-k). Averaged over many
	// pairs, the MinHash estimate must be within 0.03 of it.
	for _, k := range []int{0, 10, 20, 30, 40} {
		want := float64(k) / float64(80-k)
		sum := 0.0
		const pairs = 200
		for p := range pairs {
			var a, b []string
			for i := range 40 {
				a = append(a, fmt.Sprintf("w%d-%d", p, i))
				if i < k {
					b = append(b, fmt.Sprintf("w%d-%d", p, i))
				} else {
					b = append(b, fmt.Sprintf("x%d-%d", p, i))
				}
			}
			sum += similarity(sign(a), sign(b))
		}
		if got := sum / pairs; math.Abs(got-want) > 0.03 {
			t.Errorf("shared %d: estimate %.3f, Jaccard %.3f", k, got, want)
		}
	}
}

func TestBandsMatchOnlyLookAlikes(t *testing.T) {
	a := sign(features("No 4G in Leeds since 09:00", ""))
	b := sign(features("4G not working in Leeds this morning", ""))
	c := sign(features("How do I add a line to my family plan?", ""))
	shared := func(x, y Signature) bool {
		ky := bandKeys(y)
		for _, k := range bandKeys(x) {
			if slices.Contains(ky, k) {
				return true
			}
		}
		return false
	}
	if !shared(a, b) {
		t.Error("two questions about 4G in Leeds share no band")
	}
	if shared(a, c) {
		t.Error("an unrelated question shares a band")
	}
	if len(bandKeys(sign(nil))) != 0 {
		t.Error("an empty text has bands")
	}
}

func TestWordsTermsAndPlaces(t *testing.T) {
	if got := words("Lost 4G in Leeds since 9am — anyone else?"); !slices.Equal(got, []string{"lost", "4g", "leed"}) {
		t.Errorf("words: %v", got)
	}
	if got := terms("No signal in Leeds", ""); !slices.Equal(got, []string{"signal", "leeds", "signal leeds"}) {
		t.Errorf("terms: %v", got)
	}
	got := places("Outage in New York?", "My Pixel shows no signal. Since Monday nothing works in Glasgow and I'm stuck.")
	if !slices.Equal(got, []string{"New York", "Glasgow"}) {
		t.Errorf("places: %v", got)
	}
}

func TestPoissonTail(t *testing.T) {
	// P(X >= 3 | 0.5) = 1 - e^-0.5 (1 + 0.5 + 0.125) = 0.01439
	if got := math.Pow(10, -poissonTail(3, 0.5)); math.Abs(got-0.014388) > 1e-5 {
		t.Errorf("P(X>=3|0.5) = %.6f", got)
	}
	if poissonTail(2, 5) != 0 {
		t.Error("fewer than expected is not surprising")
	}
}

func TestG2(t *testing.T) {
	// A term in 8 of 10 burst threads and 20 of 1,000 baseline threads is
	// far more surprising than one as common in both.
	hot, flat := g2(8, 10, 20, 1000), g2(1, 10, 100, 1000)
	if hot < 40 || flat > 0.1 {
		t.Errorf("G² hot %.1f, flat %.3f", hot, flat)
	}
	top := rising(map[string]int{"4g": 8, "leeds": 8, "4g leeds": 8, "phone": 3}, 10,
		func(t string) int { return map[string]int{"4g": 30, "leeds": 5, "4g leeds": 1, "phone": 400}[t] }, 1000, 2, 3)
	if len(top) == 0 || top[0].Term != "4g leeds" || slices.ContainsFunc(top, func(s scored) bool { return s.Term == "phone" }) {
		t.Errorf("rising: %+v", top)
	}
}

func TestTheUsualRateForTheHourIsNotABurst(t *testing.T) {
	m := DefaultModel()
	monday9 := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC).UnixMilli()
	var recent []arrival
	for i := range 8 {
		recent = append(recent, arrival{at: monday9 - int64(i)*4*msMinute, thread: int64(i)})
	}
	slices.Reverse(recent)
	// Four previous Mondays with ten such questions around 09:00.
	var usual []int64
	for w := 1; w <= 4; w++ {
		for i := range 10 {
			usual = append(usual, monday9-int64(w)*msWeek-int64(i)*5*msMinute)
		}
	}
	if _, ok := m.detect(1, recent, usual, monday9); ok {
		t.Error("Monday's usual questions raised a burst")
	}
	if _, ok := m.detect(1, recent, nil, monday9); !ok {
		t.Error("eight look-alikes in half an hour in a quiet group raised nothing")
	}
}
