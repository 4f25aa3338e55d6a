// Package escalation hands questions to paid agents only when the community
// has failed to answer them in time, and releases the agents the moment a peer
// does (DESIGN.md "Peers first"). It owns the detector, routing to agents,
// the lifecycle of an escalation with its append-only event log, the webhook
// outbox and the replay of history. It knows nothing of HTTP.
package escalation

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"mutual/fault"
	"mutual/sqldb"
)

// Status is where an escalation stands now (escalations.status).
const (
	StatusEscalated = "escalated" // in the brand queue, no agent yet
	StatusAssigned  = "assigned"  // routed to an agent who has not claimed it
	StatusClaimed   = "claimed"   // an agent is working on it
	StatusAnswered  = "answered"  // staff replied; waiting for the asker
	StatusResolved  = "resolved"  // ended with an answer (see Resolution)
	StatusCancelled = "cancelled" // ended without agent work (late peer, withdrawn)
)

// Event states written to escalation_events, one row per transition.
const (
	EvEscalated = "escalated"
	EvAssigned  = "assigned"
	EvClaimed   = "claimed"
	EvReleased  = "released"
	EvAnswered  = "answered"
	EvCancelled = "cancelled"
	EvResolved  = "resolved"
	EvTimedOut  = "timed_out"
)

// Kinds of escalation: why it was raised.
const (
	KindSLA           = "sla"
	KindStillNeedHelp = "still_need_help"
	KindManual        = "manual"
	KindFastLane      = "fast_lane"
	KindMention       = "mention" // a mention on another channel that needs an answer
)

// Resolutions: how an escalation ended.
const (
	ResAgent               = "agent"
	ResPeerAfterEscalation = "peer_after_escalation"
	ResLatePeer            = "late_peer"
	ResWithdrawn           = "withdrawn"
)

// openStatuses are the states an escalation is still live in.
var openStatuses = []string{StatusEscalated, StatusAssigned, StatusClaimed, StatusAnswered}

// Priority points (higher is served first).
const (
	PrioFastLane     = 100
	PrioDistress     = 20
	PrioStillNeed    = 10
	PrioManual       = 5
	PrioAgeMax       = 10 // one point per hour waited past the SLA, up to this
	defaultPageLimit = 50
)

// Escalation is a thread handed to agents.
type Escalation struct {
	ID           int64
	BrandID      int64
	ThreadID     int64
	BoardID      int64
	Language     string // the thread's: routing wants an agent who reads it
	Title        string
	Slug         string
	Status       string
	Kind         string
	Priority     int
	Reason       Note
	Resolution   string
	EscalatedAt  time.Time
	DueAt        time.Time // the agent's answer is due by then (agent SLA)
	AssignedTo   int64
	AssigneeName string
	AssignedAt   time.Time
	ClaimedBy    int64
	ClaimedAt    time.Time
	AnsweredAt   time.Time
	ClosedAt     time.Time
	PeerReplyAt  time.Time // a peer replied after the claim: the agent may close without replying
	HandoverNote string
	Detector     string
	// A mention from another channel: where it was said, by whom there.
	Channel      string
	ExternalURL  string
	AuthorHandle string
}

// Open reports whether the escalation still needs an agent or the asker.
func (x Escalation) Open() bool {
	return x.Status != StatusResolved && x.Status != StatusCancelled
}

// Unclaimed reports whether no agent has taken it yet.
func (x Escalation) Unclaimed() bool {
	return x.Status == StatusEscalated || x.Status == StatusAssigned
}

// Breached reports whether the agent SLA passed without a staff answer. An
// escalation held by an incident is not: the incident has an SLA of its own.
func (x Escalation) Breached(now time.Time) bool {
	if x.DueAt.IsZero() || x.Status == StatusHeld {
		return false
	}
	if !x.AnsweredAt.IsZero() {
		return x.AnsweredAt.After(x.DueAt)
	}
	return x.Open() && now.After(x.DueAt)
}

// TimeLeft is how long until the agent SLA is breached (negative when past).
func (x Escalation) TimeLeft(now time.Time) time.Duration { return x.DueAt.Sub(now) }

// Event is one row of the escalation's history.
type Event struct {
	ID        int64
	State     string
	ActorID   int64
	ActorName string
	Note      Note
	At        time.Time
}

// Service is the escalation store and lifecycle.
type Service struct {
	db  *sqldb.DB
	now func() time.Time

	// termsCache keeps each brand's settings for a few seconds for the
	// hooks, which run inside every ask, reply and edit: a changed term list
	// applies within termsTTL, and writes cost no extra reads meanwhile.
	termsMu    sync.Mutex
	termsCache map[int64]cachedSettings
}

type cachedSettings struct {
	st Settings
	at time.Time
}

const termsTTL = 5 * time.Second

// hookSettings returns a brand's settings, cached for termsTTL.
func (s *Service) hookSettings(ctx context.Context, q sqldb.Querier, brandID int64) (Settings, error) {
	now := time.Now()
	s.termsMu.Lock()
	c, ok := s.termsCache[brandID]
	s.termsMu.Unlock()
	if ok && now.Sub(c.at) < termsTTL {
		return c.st, nil
	}
	st, err := s.Settings(ctx, q, brandID)
	if err != nil {
		return st, err
	}
	s.termsMu.Lock()
	if s.termsCache == nil || len(s.termsCache) > 10000 {
		s.termsCache = map[int64]cachedSettings{}
	}
	s.termsCache[brandID] = cachedSettings{st: st, at: now}
	s.termsMu.Unlock()
	return st, nil
}

// New returns the escalation service on db, with now as its clock.
func New(db *sqldb.DB, now func() time.Time) *Service {
	return &Service{db: db, now: now}
}

// Errors are forum errors, so app maps them to statuses in its one place.
func conflict(msg string) error { return &fault.Error{Kind: fault.ErrConflict, Msg: msg} }
func denied(msg string) error   { return &fault.Error{Kind: fault.ErrForbidden, Msg: msg} }
func notFound(msg string) error { return &fault.Error{Kind: fault.ErrNotFound, Msg: msg} }
func invalid(field, msg string) error {
	return &fault.ValidationError{Fields: map[string]string{field: msg}}
}

func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("escalation: %s: %w", what, err)
}

func notFoundOr(err error, msg string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return notFound(msg)
	}
	return err
}
