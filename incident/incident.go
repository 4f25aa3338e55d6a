// Package incident is the brand-defence lane: when many members hit one
// problem at once (a burst the radar found, or threads an agent picked), an
// incident gathers their threads, must be acknowledged by an agent within
// minutes, and is answered once for all of them: one pinned "known issue"
// thread, one staff reply in each thread linking to it, and their peer SLAs
// paused so the escalation queue does not fill with one outage. Closing it
// resolves the threads or resumes their SLAs. Every act is in the audit log,
// goes out on the brand's signed webhook, and raising mails the brand's
// incident contacts. It knows nothing of HTTP.
package incident

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"mutual/escalation"
	"mutual/fault"
	"mutual/forum"
	"mutual/forum/notify"
	"mutual/i18n"
	"mutual/sqldb"
)

// Status is where an incident stands.
const (
	StatusOpen         = "open"         // raised, no agent has acknowledged it
	StatusAcknowledged = "acknowledged" // an agent is on it
	StatusClosed       = "closed"
)

// Outcomes of closing an incident: what happens to its threads.
const (
	OutcomeResolved = "resolved" // answered by the incident; their escalations resolved
	OutcomeResumed  = "resumed"  // back to the peers: SLAs run again, escalations return to the queue
)

// Sources of an incident.
const (
	SourceRadar = "radar"
	SourceAgent = "agent"
)

// Webhook events.
const (
	EventRaised       = "incident.raised"
	EventAcknowledged = "incident.acknowledged"
	EventClosed       = "incident.closed"
)

// Incident is one problem many members hit at once.
type Incident struct {
	ID                 int64
	BrandID            int64
	GroupKey           string
	Label              string
	Terms              []string
	Places             []string
	BoardIDs           []int64
	Score              float64
	Source             string
	RaisedBy           int64
	RaisedByName       string
	Status             string
	StartedAt          time.Time
	DetectedAt         time.Time
	RaisedAt           time.Time
	AckDueAt           time.Time
	AcknowledgedAt     time.Time
	AcknowledgedBy     int64
	AcknowledgedByName string
	StatusThreadID     int64
	StatusThreadTitle  string
	StatusThreadSlug   string
	RepliesBy          int64
	ReplyNote          string // what the agent wrote above the link in each thread
	ClosedAt           time.Time
	ClosedBy           int64
	Outcome            string
	ThreadCount        int
	Replied            int      // threads that have the staff reply linking to the status thread
	Threads            []Thread // filled by Get
}

// Thread is one thread of an incident's group.
type Thread struct {
	ID          int64
	BoardID     int64
	Title       string
	Slug        string
	AddedAt     time.Time
	ReplyPostID int64 // the staff reply linking to the status thread, 0 before it
}

// Open reports whether the incident is not closed yet.
func (x Incident) Open() bool { return x.Status != StatusClosed }

// Breached reports whether the acknowledgement SLA passed: acknowledged
// late, or still waiting past it.
func (x Incident) Breached(now time.Time) bool {
	if !x.AcknowledgedAt.IsZero() {
		return x.AcknowledgedAt.After(x.AckDueAt)
	}
	if !x.ClosedAt.IsZero() {
		return x.ClosedAt.After(x.AckDueAt)
	}
	return now.After(x.AckDueAt)
}

// TimeLeft is how long until the acknowledgement is late (negative past it).
func (x Incident) TimeLeft(now time.Time) time.Duration { return x.AckDueAt.Sub(now) }

// StatusURL is the path of the pinned status thread ("" before it is posted).
func (x Incident) StatusURL() string {
	if x.StatusThreadID == 0 {
		return ""
	}
	return fmt.Sprintf("/t/%d/%s", x.StatusThreadID, x.StatusThreadSlug)
}

// Service is the incident store and lifecycle.
type Service struct {
	db     *sqldb.DB
	now    func() time.Time
	forum  *forum.Service
	esc    *escalation.Service
	notify *notify.Store
}

// New returns the incident service on db with now as its clock. It posts
// through forum, holds escalations and sends webhooks through esc, and tells
// the brand's contacts through notes (nil: nobody is told by mail).
func New(db *sqldb.DB, now func() time.Time, f *forum.Service, esc *escalation.Service, notes *notify.Store) *Service {
	return &Service{db: db, now: now, forum: f, esc: esc, notify: notes}
}

func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("incident: %s: %w", what, err)
}

func notFound(ctx context.Context) error {
	return &fault.Error{Kind: fault.ErrNotFound, ID: "incident.err_not_found", Msg: i18n.T(ctx, "incident.err_not_found")}
}

func conflict(ctx context.Context, id string, args ...any) error {
	return &fault.Error{Kind: fault.ErrConflict, ID: id, Msg: i18n.T(ctx, id, args...)}
}

func denied(ctx context.Context) error {
	return &fault.Error{Kind: fault.ErrForbidden, ID: "incident.err_staff_only", Msg: i18n.T(ctx, "incident.err_staff_only")}
}

func invalid(ctx context.Context, field, id string, args ...any) error {
	return &fault.ValidationError{Fields: map[string]string{field: i18n.T(ctx, id, args...)}}
}

func joinList(xs []string) string {
	var out []string
	for _, x := range xs {
		if x = strings.TrimSpace(strings.ReplaceAll(x, ",", " ")); x != "" {
			out = append(out, x)
		}
	}
	return strings.Join(out, ",")
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
