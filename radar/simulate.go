package radar

import (
	"context"
	"slices"
	"time"

	"mutual/sqldb"
)

// Simulation runs the radar's grouping, detection and labelling, the same
// functions the hook and the pass use, over a stream of questions held in
// memory, passing every minute. It is how the radar's quality is measured
// on traffic with a known answer (mutual radar eval).

// SimAsk is one question of a simulated stream.
type SimAsk struct {
	At          time.Time
	Board       int64
	Title, Body string
	Incident    int // the injected incident it belongs to, or -1
}

// SimBurst is a burst the simulation raised, with what it was made of.
type SimBurst struct {
	Burst
	Incident int // the incident most of its threads belong to, or -1: a false alarm
}

// Simulate runs the radar over asks (oldest first) from the first ask to
// until, passing every minute, and returns each burst at its first raise
// (later raises of the same episode are not new alarms).
func Simulate(m Model, asks []SimAsk, until time.Time) []SimBurst {
	sim := &simulation{m: m, bands: map[int64][]candidate{}, groups: map[int64][]arrival{}, founders: map[int64]Signature{},
		df: map[int64]map[string]int{}, total: map[int64]int{}, lastRaise: map[int64]int64{}}
	next := 0
	var out []SimBurst
	for now := asks[0].At.Truncate(time.Minute); !now.After(until); now = now.Add(time.Minute) {
		if len(sim.active) == 0 && next < len(asks) && asks[next].At.After(now.Add(time.Minute)) {
			now = asks[next].At.Truncate(time.Minute) // nothing recent: skip the quiet minutes
		}
		for ; next < len(asks) && !asks[next].At.After(now); next++ {
			sim.add(next, asks[next])
		}
		out = append(out, sim.pass(asks, sqldb.Millis(now))...)
	}
	return out
}

type simulation struct {
	m         Model
	bands     map[int64][]candidate
	groups    map[int64][]arrival // group -> arrivals, oldest first
	founders  map[int64]Signature // group -> its first thread's signature
	terms     [][]string          // by ask index
	places    [][]string
	df        map[int64]map[string]int // day -> term -> threads
	total     map[int64]int            // day -> threads
	nextGroup int64
	active    []int64         // groups with an arrival, most recent last
	lastRaise map[int64]int64 // group -> its episode's last raise
}

func (s *simulation) add(i int, a SimAsk) {
	sig := sign(features(a.Title, a.Body))
	var cands []candidate
	keys := bandKeys(sig)
	for _, k := range keys {
		cands = append(cands, s.bands[k]...)
	}
	g, ok := choose(sig, cands)
	if !ok {
		s.nextGroup++
		g = s.nextGroup
	}
	if !ok {
		s.founders[g] = sig
	}
	for _, k := range keys {
		if !slices.ContainsFunc(s.bands[k], func(c candidate) bool { return c.group == g }) {
			s.bands[k] = append(s.bands[k], candidate{group: g, sig: s.founders[g]})
		}
	}
	at := sqldb.Millis(a.At)
	s.groups[g] = append(s.groups[g], arrival{at: at, thread: int64(i), board: a.Board})
	s.active = append(s.active, g)
	ts := terms(a.Title, a.Body)
	s.terms = append(s.terms, ts)
	s.places = append(s.places, places(a.Title, a.Body))
	d := day(at)
	if s.df[d] == nil {
		s.df[d] = map[string]int{}
	}
	s.total[d]++
	for _, t := range ts {
		s.df[d][t]++
	}
}

func (s *simulation) pass(asks []SimAsk, now int64) []SimBurst {
	from := now - s.m.Window.Milliseconds()
	seen := map[int64]bool{}
	var out []SimBurst
	for i := len(s.active) - 1; i >= 0; i-- {
		g := s.active[i]
		arr := s.groups[g]
		if arr[len(arr)-1].at <= from {
			continue
		}
		if seen[g] {
			continue
		}
		seen[g] = true
		cut := sortSearch(arr, from)
		recent := arr[cut:]
		histFrom := sortSearch(arr, now-s.m.History.Milliseconds())
		var history []int64
		for _, a := range arr[histFrom:cut] {
			history = append(history, a.at)
		}
		h, ok := s.m.detect(g, recent, history, now)
		if !ok {
			continue
		}
		last, had := s.lastRaise[g]
		s.lastRaise[g] = now
		if had && now-last <= s.m.Episode.Milliseconds() {
			continue
		}
		out = append(out, s.burst(asks, h, now))
	}
	// Forget arrivals older than the window from the active list.
	keep := s.active[:0]
	for _, g := range s.active {
		if a := s.groups[g]; a[len(a)-1].at > from {
			keep = append(keep, g)
		}
	}
	s.active = slices.Compact(keep)
	return out
}

func sortSearch(arr []arrival, t int64) int {
	i, _ := slices.BinarySearchFunc(arr, t, func(a arrival, t int64) int {
		if a.at <= t {
			return -1
		}
		return 1
	})
	return i
}

// burst labels a hit as the pass would, and names the incident most of its
// threads belong to.
func (s *simulation) burst(asks []SimAsk, h hit, now int64) SimBurst {
	b := Burst{GroupKey: GroupKey(h.group), Score: h.score, StartedAt: sqldb.Time(h.threads[0].at), DetectedAt: sqldb.Time(now)}
	sample, placeCount := map[string]int{}, map[string]int{}
	votes := map[int]int{}
	for _, a := range h.threads {
		b.ThreadIDs = append(b.ThreadIDs, a.thread)
		if !slices.Contains(b.BoardIDs, a.board) {
			b.BoardIDs = append(b.BoardIDs, a.board)
		}
		for _, t := range s.terms[a.thread] {
			sample[t]++
		}
		for _, p := range s.places[a.thread] {
			placeCount[p]++
		}
		votes[asks[a.thread].Incident]++
	}
	base, total := map[string]int{}, 0
	for d := day(now) - 28; d < day(now); d++ {
		total += s.total[d]
		for t := range sample {
			base[t] += s.df[d][t]
		}
	}
	for _, t := range rising(sample, len(h.threads), func(t string) int { return base[t] }, total, 2, 6) {
		b.Terms = append(b.Terms, t.Term)
	}
	b.Label = joinLabel(b.Terms)
	b.Places = topPlaces(placeCount, 2, 5)
	inc := -1
	for k, v := range votes {
		if k >= 0 && 2*v >= len(h.threads) {
			inc = k
		}
	}
	return SimBurst{Burst: b, Incident: inc}
}

// History reads a brand's threads, oldest first, as a stream to replay the
// radar over (mutual radar history): what it would have raised had it been
// watching all along.
func History(ctx context.Context, db *sqldb.DB, brandID int64) ([]SimAsk, error) {
	rows, err := db.Query(ctx, `SELECT t.created_at, t.board_id, t.title, p.body_md FROM threads t
JOIN posts p ON p.thread_id = t.id AND p.is_question = 1 WHERE t.brand_id = ? ORDER BY t.created_at, t.id`, brandID)
	if err != nil {
		return nil, wrap("history", err)
	}
	defer rows.Close()
	var out []SimAsk
	for rows.Next() {
		var a SimAsk
		var at int64
		if err := rows.Scan(&at, &a.Board, &a.Title, &a.Body); err != nil {
			return nil, wrap("history", err)
		}
		a.At, a.Incident = sqldb.Time(at), -1
		out = append(out, a)
	}
	return out, wrap("history", rows.Err())
}
