package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/schollz/progressbar/v3"

	"mutual/app"
	"mutual/forum/synth"
)

// gen fills a fresh database with a deterministic synthetic community for
// load tests: the same --seed writes the same rows. --posts counts each
// thread's question, so replies = posts - threads.
func gen(ctx context.Context, args []string, out io.Writer) error {
	fs, cfg := newFlags("gen", false)
	threads := fs.Int("threads", 0, "threads to create (required)")
	posts := fs.Int("posts", 0, "posts to create, counting each thread's question (required, at least --threads)")
	seed := fs.Uint64("seed", 1, "random seed; the same seed writes the same data")
	brands := fs.Int("brands", 1, "brands sharing the threads; the first is the default brand (localhost)")
	incidents := fs.Int("incidents", 0, "inject this many incidents (bursts of 10-20 look-alike questions about one outage) in the last four weeks; their truth goes to incidents.json in the data directory")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *threads < 1 || *posts < *threads {
		return usageErr("--threads must be at least 1 and --posts at least --threads (posts include questions)")
	}
	cfg.NoDemo = true
	a, err := app.New(ctx, *cfg, newLogger(io.Discard, "error"))
	if err != nil {
		return err
	}
	defer a.Close()
	bar := progressbar.NewOptions64(int64(*posts),
		progressbar.OptionSetWriter(os.Stderr),
		progressbar.OptionSetDescription("writing posts"),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("posts"),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionFullWidth(),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(os.Stderr) }),
	)
	fmt.Fprintf(os.Stderr, "generating %d threads / %d posts (seed %d) into %s\n", *threads, *posts, *seed, cfg.DatabaseTarget())
	start := time.Now()
	res, err := synth.Generate(ctx, a.DB(), a.Services().Renderer, synth.Options{
		Threads: *threads, Posts: *posts, Seed: *seed, Brands: *brands, Incidents: *incidents,
		Progress: func(n int64) { _ = bar.Set64(n) },
	})
	if err != nil {
		return err
	}
	_ = bar.Finish()
	took := time.Since(start)
	fmt.Fprintf(out, "generated in %s: %d brands, %d boards, %d members, %d threads (%d unanswered, %d solved), %d posts (%d replies), %d kudos, %d distinct bodies\n",
		took.Round(time.Millisecond), res.Brands, res.Boards, res.Members, res.Threads, res.Unanswered, res.Accepted,
		res.Posts, res.Replies, res.Kudos, res.DistinctBodies)
	if len(res.BenchUsernames) > 0 {
		fmt.Fprintf(out, "bench members %s..%s sign in with password %q; make API tokens with `mutual token create --username bench1`\n",
			res.BenchUsernames[0], res.BenchUsernames[len(res.BenchUsernames)-1], res.BenchPassword)
	}
	if len(res.Incidents) > 0 {
		if err := writeIncidents(cfg.DataDir, res.Incidents, out); err != nil {
			return err
		}
	}
	// Escalations are the detector's to make: the server's first run escalates
	// the generated threads that went unanswered past the brand's SLA.
	fmt.Fprintln(out, "escalations: none written; the server's escalation detector makes them on its first run")
	return nil
}

// writeIncidents records the injected incidents' truth as JSON beside the
// database and lists them.
func writeIncidents(dir string, incs []synth.Incident, out io.Writer) error {
	b, err := json.MarshalIndent(incs, "", "  ")
	if err != nil {
		return err
	}
	path := filepath.Join(dir, "incidents.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return err
	}
	for _, inc := range incs {
		fmt.Fprintf(out, "incident: %d questions about %q in %s within %d minutes from %s (board %d)\n",
			len(inc.Threads), inc.Problem, inc.Place, inc.Minutes, inc.Start.Format(time.RFC3339), inc.Board+1)
	}
	fmt.Fprintf(out, "incidents' truth written to %s\n", path)
	return nil
}
