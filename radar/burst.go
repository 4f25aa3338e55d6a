package radar

import (
	"math"
	"time"
)

// Model holds the burst detector's settings.
//
// A group's expected arrival rate now is the largest of: its rate in the
// same hour of the week (give or take an hour) over the History, its rate
// over the whole History, and FloorPerDay. For each 5-minute bucket boundary
// in the last Window, the detector counts the group's arrivals since then
// and asks how likely at least that many would be under a Poisson process at
// the expected rate; the least likely window is the burst, if it holds at
// least MinThreads threads and its probability is below 10^-Threshold. So
// Monday morning's usual billing questions (a high rate for that hour) stay
// quiet, and four look-alike threads in fifteen minutes in a group that sees
// one a week do not.
type Model struct {
	Bucket      time.Duration
	Window      time.Duration
	History     time.Duration
	MinThreads  int
	Threshold   float64 // -log10 of the largest alarming probability
	FloorPerDay float64
	// Episode is how long after its last raise a group's burst stays the
	// same burst: raising it again adds threads rather than a new alarm.
	Episode time.Duration
}

// DefaultModel is the model the radar runs with; the numbers were chosen on
// the synthetic evaluation (docs/intelligence.md).
func DefaultModel() Model {
	return Model{Bucket: 5 * time.Minute, Window: time.Hour, History: 28 * 24 * time.Hour,
		MinThreads: 3, Threshold: 7, FloorPerDay: 1, Episode: 6 * time.Hour}
}

// arrival is one thread joining a group.
type arrival struct {
	at, thread, board int64
}

// hit is a burst found in one group's arrivals.
type hit struct {
	group   int64
	score   float64   // -log10 of the window's Poisson tail probability
	threads []arrival // the window's arrivals, oldest first
}

const (
	msMinute = int64(time.Minute / time.Millisecond)
	msHour   = 60 * msMinute
	msWeek   = 168 * msHour
)

// expectedPerMS is the group's expected arrivals per millisecond at now,
// given the times (ms) of its arrivals in the History before the window.
func (m Model) expectedPerMS(history []int64, now int64) float64 {
	span := float64(m.History.Milliseconds())
	how := hourOfWeek(now)
	near := 0
	for _, t := range history {
		d := (hourOfWeek(t) - how + 168) % 168
		if d <= 1 || d >= 167 {
			near++
		}
	}
	weeks := span / float64(msWeek)
	rateHow := float64(near) / (weeks * 3 * float64(msHour))
	rateAll := float64(len(history)) / span
	floor := m.FloorPerDay / float64(24*msHour)
	return math.Max(rateHow, math.Max(rateAll, floor))
}

// hourOfWeek counts hours from Monday 00:00 UTC.
func hourOfWeek(t int64) int64 {
	// 1970-01-01 was a Thursday: Monday 00:00 was three days later.
	h := (t - 3*24*msHour) / msHour
	return ((h % 168) + 168) % 168
}

// detect looks for a burst in one group: recent are its arrivals in the
// Window before now, oldest first; history the times of those before.
func (m Model) detect(group int64, recent []arrival, history []int64, now int64) (hit, bool) {
	if len(recent) < m.MinThreads {
		return hit{}, false
	}
	rate := m.expectedPerMS(history, now)
	bucket := m.Bucket.Milliseconds()
	best, bestAt := 0.0, -1
	for i := 0; i+m.MinThreads <= len(recent); i++ {
		start := recent[i].at - recent[i].at%bucket
		span := max(now-start, bucket)
		if score := poissonTail(len(recent)-i, rate*float64(span)); score > best {
			best, bestAt = score, i
		}
	}
	if bestAt < 0 || best < m.Threshold {
		return hit{}, false
	}
	return hit{group: group, score: best, threads: recent[bestAt:]}, true
}

// poissonTail is -log10 P(X >= n) for X Poisson with mean lambda.
func poissonTail(n int, lambda float64) float64 {
	if lambda <= 0 {
		return math.Inf(1)
	}
	if float64(n) <= lambda {
		return 0
	}
	lg, _ := math.Lgamma(float64(n + 1))
	logTerm := -lambda + float64(n)*math.Log(lambda) - lg
	// Sum the terms from n on as a multiple of the first.
	sum, term := 1.0, 1.0
	for k := n + 1; k < n+200; k++ {
		term *= lambda / float64(k)
		sum += term
		if term < 1e-12*sum {
			break
		}
	}
	return -(logTerm + math.Log(sum)) / math.Ln10
}
