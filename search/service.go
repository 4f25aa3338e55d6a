// Package search finds a brand's threads: the full-text index of threads and
// posts (kept in step with the forum inside each writing transaction),
// ranked search with filters and snippets, similar solved questions for the
// Ask page, and the record of which suggestions members opened. It owns the
// tables post_search, post_search_thread, post_search_queue and
// suggestion_opens; it reads the forum's threads and posts to build its
// documents and to show what it found.
package search

import (
	"context"
	"time"

	"mutual/forum"
	"mutual/sqldb"
)

// Service searches a store's threads and records suggestion opens.
type Service struct {
	db    *sqldb.DB
	now   func() time.Time
	cache *state        // word frequencies and solved sets for ranking (rank.go)
	lists *postingCache // each searched word's documents, on SQLite (postings.go)
}

// New makes the search service. now is the clock (tests move it). Subscribe
// its Hook to every forum.Service that writes to db, so the index follows
// each change in the same transaction.
func New(db *sqldb.DB, now func() time.Time) *Service {
	return &Service{db: db, now: now, cache: newState(), lists: newPostingCache()}
}

// Hook keeps the search index in step with a forum change (index.go) and
// links a member's Ask-page suggestion opens to the question they asked
// anyway (suggestions.go), inside the change's transaction. Its errors roll
// the change back.
func (s *Service) Hook(ctx context.Context, tx *sqldb.Tx, ev forum.Event) error {
	if err := s.indexHook(ctx, tx, ev); err != nil {
		return err
	}
	return s.suggestionHook(ctx, tx, ev)
}
