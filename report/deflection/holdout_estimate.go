package deflection

import "math"

// HoldoutMethod says how the holdout's figures are made, for the report and
// the export: the unit, the outcome and the interval.
const HoldoutMethod = "newcombe-hybrid-score-95"

// Verdicts on a holdout's sample.
const (
	HoldoutOff      = "off"       // no asker opened the Ask form in an experiment
	HoldoutTooSmall = "too_small" // too few askers, or posters, in a group to tell
	HoldoutUnclear  = "unclear"   // the interval includes no effect
	HoldoutMeasured = "measured"  // the interval excludes no effect
)

// HoldoutGroup is one group's askers and how many of them posted.
type HoldoutGroup struct {
	Askers int     `json:"askers"`
	Posted int     `json:"posted"`
	Rate   float64 `json:"posting_rate"`
}

// HoldoutEstimate is the measured effect of suggestions on posting.
//
// Unit: an asker (a member) who opened the Ask form in the period, in the
// group of their first opening. Outcome: they posted a thread within a day
// of opening it. Effect: the held-out group's posting rate minus the shown
// group's, with a 95% interval by Newcombe's hybrid score method (two Wilson
// score intervals combined: it keeps its coverage with a small held-out
// group and rates near 0 or 1, where the simple Wald interval does not).
// Deflected is that difference times the shown group's askers: how many more
// threads the shown group would have posted without suggestions (one per
// asker, as the outcome counts), with the interval scaled alike.
type HoldoutEstimate struct {
	Shown      HoldoutGroup `json:"shown"`
	HeldOut    HoldoutGroup `json:"held_out"`
	Difference float64      `json:"difference"` // held-out rate minus shown rate
	Low        float64      `json:"difference_low"`
	High       float64      `json:"difference_high"`
	Deflected  float64      `json:"deflected_threads"`
	DeflLow    float64      `json:"deflected_threads_low"`
	DeflHigh   float64      `json:"deflected_threads_high"`
	Verdict    string       `json:"verdict"`
	Method     string       `json:"method"`
}

// z95 is the standard normal quantile for a two-sided 95% interval.
const z95 = 1.959963984540054

// Analyse turns raw events (oldest first) into the estimate: the same
// function reads the database and the CSV export, so each figure can be
// made again from the export.
func Analyse(events []Exposure) HoldoutEstimate {
	type asker struct {
		arm    string
		posted bool
	}
	byAsker := map[string]*asker{}
	for _, e := range events {
		a := byAsker[e.Asker]
		switch {
		case a == nil && e.Event == EvOpened:
			byAsker[e.Asker] = &asker{arm: e.Arm}
		case a != nil && e.Event == EvPosted:
			a.posted = true
		}
	}
	var shown, held HoldoutGroup
	for _, a := range byAsker {
		g := &shown
		if a.arm == ArmHeldOut {
			g = &held
		}
		g.Askers++
		if a.posted {
			g.Posted++
		}
	}
	return Estimate(shown, held)
}

// Estimate computes the effect from the two groups' counts.
func Estimate(shown, held HoldoutGroup) HoldoutEstimate {
	shown.Rate, held.Rate = rate(shown), rate(held)
	e := HoldoutEstimate{Shown: shown, HeldOut: held, Method: HoldoutMethod}
	if shown.Askers+held.Askers == 0 {
		e.Verdict = HoldoutOff
		return e
	}
	e.Difference = held.Rate - shown.Rate
	hl, hh := wilson(held.Posted, held.Askers)
	sl, sh := wilson(shown.Posted, shown.Askers)
	e.Low = e.Difference - math.Sqrt(sq(held.Rate-hl)+sq(sh-shown.Rate))
	e.High = e.Difference + math.Sqrt(sq(hh-held.Rate)+sq(shown.Rate-sl))
	n := float64(shown.Askers)
	e.Deflected, e.DeflLow, e.DeflHigh = round2(e.Difference*n), round2(e.Low*n), round2(e.High*n)
	switch {
	case held.Askers < MinGroup || shown.Askers < MinGroup ||
		min(held.Posted, held.Askers-held.Posted, shown.Posted, shown.Askers-shown.Posted) < MinCount:
		e.Verdict = HoldoutTooSmall
	case e.Low <= 0 && e.High >= 0:
		e.Verdict = HoldoutUnclear
	default:
		e.Verdict = HoldoutMeasured
	}
	return e
}

func rate(g HoldoutGroup) float64 {
	if g.Askers == 0 {
		return 0
	}
	return float64(g.Posted) / float64(g.Askers)
}

// wilson is the 95% Wilson score interval of x successes in n.
func wilson(x, n int) (lo, hi float64) {
	if n == 0 {
		return 0, 1
	}
	p, nf := float64(x)/float64(n), float64(n)
	z2 := z95 * z95
	centre := (p + z2/(2*nf)) / (1 + z2/nf)
	half := z95 / (1 + z2/nf) * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf))
	return max(0, centre-half), min(1, centre+half)
}

func sq(v float64) float64 { return v * v }
