package app

import (
	"context"
	"time"

	"mutual/search"
	"mutual/signals"
)

// startBackground starts the work tied to the App's life, which Close
// stops: view counting, and either the listener for other instances'
// changes (PostgreSQL) or the search indexer (SQLite).
func (a *App) startBackground() {
	bg, cancel := context.WithCancel(context.Background())
	a.stopBackground = cancel
	a.background.Go(func() { a.reports.RunViews(bg, 2*time.Second) })
	a.background.Go(func() { a.labelThreads(bg) })
	a.background.Go(func() { a.scoreSignals(bg) })
	a.background.Go(func() { a.groupThreads(bg) })
	if a.cfg.DatabaseURL != "" {
		listening := make(chan struct{})
		a.background.Go(func() { a.listenChanges(bg, listening) })
		// Serve only once changes from other instances are heard; a change
		// missed here would leave a stale page until the cache's TTL.
		select {
		case <-listening:
		case <-time.After(5 * time.Second):
			a.log.Warn("change listener not connected yet; cached pages may lag other instances for a few seconds")
		}
	} else {
		a.background.Go(func() { a.indexSearch(bg) })
	}
}

// indexSearch keeps SQLite's full-text index up with new posts, in batches,
// until ctx ends.
func (a *App) indexSearch(ctx context.Context) {
	a.drainEvery(ctx, 100*time.Millisecond, 250, "search indexer", func(n int) (int, error) { return search.Index(ctx, a.db, n) })
}

// drainEvery runs step in batches of batch until a batch comes back short,
// then waits for the next tick, until ctx ends. A failure is logged and
// tried again at the next tick.
func (a *App) drainEvery(ctx context.Context, every time.Duration, batch int, what string, step func(batch int) (int, error)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		for {
			n, err := step(batch)
			if err != nil && ctx.Err() == nil {
				a.log.Error(what, "err", err)
			}
			if err != nil || n < batch {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// labelThreads records the language of every thread that has none yet
// (those written before threads were labelled, and any a bulk writer left
// unlabelled), a batch per transaction, then stops. Doing it here rather
// than in the migration keeps detection in Go and start-up quick: a large
// community is labelled in the first seconds of serving, and a thread not
// yet labelled is only missing from language filters meanwhile (escalation
// routing falls back to the brand's language). Another instance doing the
// same at once does no harm: only unlabelled threads are written.
func (a *App) labelThreads(ctx context.Context) {
	total := 0
	for ctx.Err() == nil {
		n, err := a.forum.LabelThreads(ctx, 500)
		if err != nil {
			if ctx.Err() == nil {
				a.log.Error("label thread languages", "err", err)
			}
			return
		}
		if total += n; n == 0 {
			break
		}
	}
	if total > 0 {
		a.log.Info("labelled thread languages", "threads", total)
	}
}

// scoreSignals reads the signals of new posts just after they commit (and,
// on a database written before signals existed, of every older post, a
// batch at a time), so posting pays nothing for them, until ctx ends.
// Another instance doing the same at once does no harm: a post scored
// twice keeps its first row.
func (a *App) scoreSignals(ctx context.Context) {
	a.drainEvery(ctx, 250*time.Millisecond, 500, "score post signals", func(n int) (int, error) { return a.signals.ScoreNew(ctx, n) })
}

// Signals is the signals service, for commands and tests that score posts
// without waiting for the background scorer.
func (a *App) Signals() *signals.Service { return a.signals }

// groupThreads puts in radar groups the threads the radar never saw (a bulk
// load, an import, a database from before it), then each new thread just
// after it commits, a batch per transaction, until ctx ends. With NoRadar
// only the radar's pass groups new threads, once a minute.
func (a *App) groupThreads(ctx context.Context) {
	n, err := a.radar.Backfill(ctx, 500)
	if err != nil && ctx.Err() == nil {
		a.log.Error("radar catch-up", "err", err)
	}
	if n > 0 {
		a.log.Info("radar grouped earlier threads", "threads", n)
	}
	if !a.cfg.NoRadar {
		a.drainEvery(ctx, 250*time.Millisecond, 500, "radar grouping", func(n int) (int, error) { return a.radar.GroupNew(ctx, n) })
	}
}
