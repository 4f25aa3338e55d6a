package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"mutual/app"
	"mutual/forum"
	"mutual/forum/synth"
	"mutual/radar"
)

// radarEval measures the radar on simulated traffic with a known answer:
// for each seed, weeks of a brand's normal questions (with the usual Monday
// billing run) and injected incidents after the warm-up, through the same
// grouping, detection and labelling the server runs, passing every minute.
func radarEval(ctx context.Context, args []string, out io.Writer) error {
	fs, _ := newFlags("radar eval", false)
	seeds := fs.Int("seeds", 20, "how many seeds (brands) to simulate")
	weeks := fs.Int("weeks", 6, "simulated weeks per seed, the first four a warm-up")
	perWeek := fs.Int("per-week", 1500, "normal questions per week")
	incidents := fs.Int("incidents", 3, "incidents injected per seed after the warm-up")
	verbose := fs.Bool("v", false, "list every alarm")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *seeds < 1 || *weeks < 5 || *perWeek < 1 || *incidents < 0 {
		return usageErr("--seeds and --per-week must be at least 1, --weeks at least 5, --incidents not negative")
	}
	total := EvaluateRadar(ctx, *seeds, *weeks, *perWeek, *incidents, func(seed int, sc radar.Score, bursts []radar.SimBurst) {
		fmt.Fprintf(out, "seed %2d: %d/%d incidents detected, delays %s min, %d false alarm(s)\n",
			seed, sc.Detected, sc.Incidents, minutes(sc.Delays), sc.FalseAlarms)
		if *verbose {
			for _, b := range sc.FalseBursts {
				fmt.Fprintf(out, "    false alarm %s: %d threads, %q\n", b.DetectedAt.Format("Mon 15:04"), len(b.ThreadIDs), b.Label)
			}
		}
	})
	fmt.Fprintf(out, "%d seeds: %d of %d incidents detected; minutes from start to alarm: median %.0f, worst %.0f; %d false alarm(s) in %.0f brand-weeks (%.2f per brand per week)\n",
		*seeds, total.Detected, total.Incidents, total.Median(), total.Worst(), total.FalseAlarms, total.Weeks,
		float64(total.FalseAlarms)/max(total.Weeks, 1))
	return nil
}

// EvaluateRadar simulates seeds brands and scores the radar on each,
// calling each with every seed's score, and returns the total.
func EvaluateRadar(ctx context.Context, seeds, weeks, perWeek, incidents int, each func(seed int, sc radar.Score, bursts []radar.SimBurst)) radar.Score {
	var total radar.Score
	start := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC) // a Monday
	const warm = 4
	for seed := 1; seed <= seeds && ctx.Err() == nil; seed++ {
		asks, incs := synth.Traffic(synth.TrafficOptions{Seed: uint64(seed), Start: start, Weeks: weeks, PerWeek: perWeek,
			Incidents: incidents, WarmWeeks: warm})
		sim := make([]radar.SimAsk, len(asks))
		for i, a := range asks {
			sim[i] = radar.SimAsk{At: a.At, Board: int64(a.Board + 1), Title: a.Title, Body: a.Body, Incident: a.Incident}
		}
		truth := make([]radar.SimIncident, len(incs))
		for i, inc := range incs {
			truth[i] = radar.SimIncident{Start: inc.Start, Threads: len(inc.Threads)}
		}
		scoreFrom := start.AddDate(0, 0, 7*warm)
		sc := radar.Evaluate(radar.DefaultModel(), sim, truth, scoreFrom, start.AddDate(0, 0, 7*weeks))
		if each != nil {
			each(seed, sc, sc.FalseBursts)
		}
		total.Add(sc)
	}
	return total
}

func minutes(ds []float64) string {
	if len(ds) == 0 {
		return "-"
	}
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = fmt.Sprintf("%.0f", d)
	}
	return strings.Join(parts, ",")
}

// radarHistory replays the radar over a brand's whole history, in memory,
// and lists every burst it would have raised: a way to see what it finds on
// a real community (an imported Stack Exchange site) before trusting it.
func radarHistory(ctx context.Context, args []string, out io.Writer) error {
	fs, cfg := newFlags("radar history", false)
	host := fs.String("brand", "", "host of the brand (default: the default brand)")
	if err := parse(fs, args); err != nil {
		return err
	}
	return withBrand(ctx, *cfg, *host, func(s app.Services, b forum.Brand) error {
		asks, err := radar.History(ctx, s.DB, b.ID)
		if err != nil {
			return err
		}
		if len(asks) == 0 {
			fmt.Fprintf(out, "%s has no threads\n", b.Host)
			return nil
		}
		names := map[int64]string{}
		boards, err := s.Forum.Boards(ctx, b.ID)
		if err != nil {
			return err
		}
		for _, bd := range boards {
			names[bd.ID] = bd.Name
		}
		last := asks[len(asks)-1].At
		bursts := radar.Simulate(radar.DefaultModel(), asks, last.Add(time.Hour))
		fmt.Fprintf(out, "%s: %d threads from %s to %s; %d burst(s)\n", b.Host, len(asks),
			asks[0].At.Format(time.DateOnly), last.Format(time.DateOnly), len(bursts))
		for _, x := range bursts {
			var where []string
			for _, id := range x.BoardIDs {
				where = append(where, names[id])
			}
			fmt.Fprintf(out, "%s  %d threads since %s  %q  boards: %s  places: %s\n", x.DetectedAt.Format("2006-01-02 15:04"),
				len(x.ThreadIDs), x.StartedAt.Format("15:04"), x.Label, strings.Join(where, ", "), strings.Join(x.Places, ", "))
			for _, i := range x.ThreadIDs {
				fmt.Fprintf(out, "    %s\n", asks[i].Title)
			}
		}
		return nil
	})
}
