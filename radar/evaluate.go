package radar

import (
	"slices"
	"time"
)

// SimIncident is an injected incident's truth: when it started and how many
// threads it had.
type SimIncident struct {
	Start   time.Time
	Threads int
}

// Score is how the radar did on simulated traffic.
type Score struct {
	Incidents, Detected int
	// Delays are minutes from each detected incident's start to its first
	// alarm, sorted.
	Delays       []float64
	FalseAlarms  int
	Weeks        float64 // simulated weeks scored for false alarms
	FalseBursts  []SimBurst
	MissedLabels []int // incidents not detected, by index
}

// Add folds another run's score into s.
func (s *Score) Add(o Score) {
	s.Incidents += o.Incidents
	s.Detected += o.Detected
	s.Delays = append(s.Delays, o.Delays...)
	slices.Sort(s.Delays)
	s.FalseAlarms += o.FalseAlarms
	s.Weeks += o.Weeks
	s.FalseBursts = append(s.FalseBursts, o.FalseBursts...)
}

// Median and Worst are of the detection delays, in minutes.
func (s Score) Median() float64 {
	if len(s.Delays) == 0 {
		return 0
	}
	return s.Delays[len(s.Delays)/2]
}

// Worst is the longest detection delay, in minutes.
func (s Score) Worst() float64 {
	if len(s.Delays) == 0 {
		return 0
	}
	return s.Delays[len(s.Delays)-1]
}

// Evaluate runs the radar over asks and scores it: an incident is detected
// at the first burst most of whose threads are its own; a burst made mostly
// of normal threads, first raised after scoreFrom, is a false alarm.
func Evaluate(m Model, asks []SimAsk, incidents []SimIncident, scoreFrom, until time.Time) Score {
	bursts := Simulate(m, asks, until)
	sc := Score{Incidents: len(incidents), Weeks: until.Sub(scoreFrom).Hours() / (24 * 7)}
	first := map[int]time.Time{}
	for _, b := range bursts {
		if b.Incident >= 0 {
			if _, ok := first[b.Incident]; !ok {
				first[b.Incident] = b.DetectedAt
			}
			continue
		}
		if !b.DetectedAt.Before(scoreFrom) {
			sc.FalseAlarms++
			sc.FalseBursts = append(sc.FalseBursts, b)
		}
	}
	for k, inc := range incidents {
		at, ok := first[k]
		if !ok {
			sc.MissedLabels = append(sc.MissedLabels, k)
			continue
		}
		sc.Detected++
		sc.Delays = append(sc.Delays, at.Sub(inc.Start).Minutes())
	}
	slices.Sort(sc.Delays)
	return sc
}
