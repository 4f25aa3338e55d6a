package forum

import (
	"context"
	"time"

	"mutual/sqldb"
)

// EventKind names a committed-together change that other packages react to:
// escalations cancel on a peer reply, notifications fill their outbox, and so
// on, each inside the same transaction as the change itself.
type EventKind string

// The forum's events. Other packages (moderation) emit their own kinds
// through Emit.
const (
	ThreadAsked     EventKind = "thread.asked"
	PostReplied     EventKind = "post.replied"
	PostEdited      EventKind = "post.edited"
	AnswerAccepted  EventKind = "answer.accepted"
	AnswerWithdrawn EventKind = "answer.withdrawn"
	KudosGiven      EventKind = "kudos.given"
	KudosTaken      EventKind = "kudos.taken"
)

// Event is one domain change, described well enough that a hook rarely needs
// to read the rows again.
type Event struct {
	Kind           EventKind
	BrandID        int64
	BoardID        int64
	ThreadID       int64
	PostID         int64
	ActorID        int64 // who acted
	ActorStaff     bool  // the actor held a staff role (agent, moderator, admin)
	AuthorID       int64 // author of PostID
	ThreadAuthorID int64 // who asked the thread
	At             time.Time
	Note           string
}

// Hook runs inside the transaction that made the change; an error rolls the
// whole change back, so a hook must fail only when the change must not stand.
type Hook func(ctx context.Context, tx *sqldb.Tx, ev Event) error

// Subscribe adds a hook. Call it while wiring, before serving requests.
func (s *Service) Subscribe(h Hook) { s.hooks = append(s.hooks, h) }

// Emit runs every hook for ev inside tx. Packages that change forum rows in
// their own transactions (moderation) call it so hooks hear of those too.
func (s *Service) Emit(ctx context.Context, tx *sqldb.Tx, ev Event) error {
	if ev.At.IsZero() {
		ev.At = s.now()
	}
	for _, h := range s.hooks {
		if err := h(ctx, tx, ev); err != nil {
			return err
		}
	}
	return nil
}
