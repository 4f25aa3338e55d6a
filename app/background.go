package app

import (
	"context"
	"time"

	"mutual/search"
)

// startBackground starts the work tied to the App's life, which Close
// stops: view counting, and either the listener for other instances'
// changes (PostgreSQL) or the search indexer (SQLite).
func (a *App) startBackground() {
	bg, cancel := context.WithCancel(context.Background())
	a.stopBackground = cancel
	a.background.Go(func() { a.reports.RunViews(bg, 2*time.Second) })
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
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		for {
			n, err := search.Index(ctx, a.db, 250)
			if err != nil && ctx.Err() == nil {
				a.log.Error("search indexer", "err", err)
			}
			if err != nil || n < 250 {
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
