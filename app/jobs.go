package app

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"time"

	"mutual/moderation/escalation"
	"mutual/sqldb"
)

// jobs claims and records background work in the jobs table. A claim is a
// lease: the owner must finish (or renew) before it runs out, or another
// instance takes the job over. On PostgreSQL the claim skips a row another
// instance holds locked (FOR UPDATE SKIP LOCKED), so instances never queue
// behind each other; SQLite has one writer, so a conditional UPDATE suffices.
type jobs struct {
	db    *sqldb.DB
	owner string
	now   func() time.Time
	lease time.Duration
}

func newJobs(db *sqldb.DB, now func() time.Time) *jobs {
	host, _ := os.Hostname()
	return &jobs{db: db, owner: fmt.Sprintf("%s/%d/%d", host, os.Getpid(), time.Now().UnixNano()%1e6), now: now, lease: time.Minute}
}

// claim takes the named job if it is due and nobody holds a live lease.
func (j *jobs) claim(ctx context.Context, name string) (bool, error) {
	now := j.now().UnixMilli()
	until := now + j.lease.Milliseconds()
	var got string
	err := j.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO jobs (name, updated_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`, name, now); err != nil {
			return err
		}
		q := `UPDATE jobs SET owner = ?, lease_until = ?, runs = runs + 1, updated_at = ?
WHERE name = ? AND run_after <= ? AND lease_until <= ? RETURNING name`
		args := []any{j.owner, until, now, name, now, now}
		if tx.Dialect() == sqldb.Postgres {
			q = `WITH due AS (SELECT name FROM jobs WHERE name = ? AND run_after <= ? AND lease_until <= ? FOR UPDATE SKIP LOCKED)
UPDATE jobs SET owner = ?, lease_until = ?, runs = runs + 1, updated_at = ? FROM due WHERE jobs.name = due.name RETURNING jobs.name`
			args = []any{name, now, now, j.owner, until, now}
		}
		err := tx.QueryRow(ctx, q, args...).Scan(&got)
		if errors.Is(err, errNoRows) {
			return nil
		}
		return err
	})
	if err != nil {
		return false, fmt.Errorf("app: claim job %s: %w", name, err)
	}
	return got == name, nil
}

// renew extends a lease this owner holds; false means it was lost.
func (j *jobs) renew(ctx context.Context, name string) (bool, error) {
	now := j.now().UnixMilli()
	res, err := j.db.Exec(ctx, `UPDATE jobs SET lease_until = ?, updated_at = ? WHERE name = ? AND owner = ?`,
		now+j.lease.Milliseconds(), now, name, j.owner)
	if err != nil {
		return false, fmt.Errorf("app: renew job %s: %w", name, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// finish releases the lease and schedules the next run.
func (j *jobs) finish(ctx context.Context, name string, next time.Time, runErr error) error {
	msg := ""
	if runErr != nil {
		msg = runErr.Error()
	}
	_, err := j.db.Exec(ctx, `UPDATE jobs SET lease_until = 0, owner = '', run_after = ?, last_error = ?, updated_at = ?
WHERE name = ? AND owner = ?`, next.UnixMilli(), msg, j.now().UnixMilli(), name, j.owner)
	if err != nil {
		return fmt.Errorf("app: finish job %s: %w", name, err)
	}
	return nil
}

// errJobAbandoned is what a BatchHook returns to stop a run the way a crash
// would: without finishing, the lease left to run out.
var errJobAbandoned = errors.New("job abandoned")

// RunEscalations runs the escalation detector once if this instance can claim
// it. For every brand: claims left idle past the claim timeout go back to the
// queue, queued escalations are offered to agents now on shift, then overdue
// threads are escalated page by page from the candidate indexes (no peer
// reply within the SLA; "still need help" past the resolution SLA). It
// reports whether it ran.
func (a *App) RunEscalations(ctx context.Context) (bool, error) {
	const name = "escalation-detector"
	ok, err := a.jobs.claim(ctx, name)
	if err != nil || !ok {
		return false, err
	}
	start := time.Now()
	runErr := a.escalateAll(ctx, name)
	a.escObserveTick(time.Since(start), runErr)
	if errors.Is(runErr, errJobAbandoned) {
		return true, runErr
	}
	if err := a.jobs.finish(ctx, name, a.cfg.Now().Add(a.cfg.JobInterval), runErr); err != nil {
		return true, err
	}
	return true, runErr
}

func (a *App) escalateAll(ctx context.Context, name string) error {
	brands, err := a.brands.All(ctx)
	if err != nil {
		return err
	}
	batch := 0
	for _, b := range brands {
		if n, err := a.escalations.TimeOutClaims(ctx, b.ID); err != nil {
			return err
		} else if n > 0 {
			a.log.Info("escalation claims timed out", "brand", b.ID, "count", n)
		}
		if err := a.escalations.RouteQueue(ctx, b.ID); err != nil {
			return err
		}
		for rule := 1; rule <= 2; rule++ {
			cur := escalation.Cursor{}
			for {
				tick, next, more, err := a.escalations.Detect(ctx, b.ID, rule, cur, a.cfg.JobBatch, a.jobs.owner)
				if err != nil {
					return err
				}
				if tick.Escalated > 0 {
					a.log.Info("escalated threads", "brand", b.ID, "rule", rule, "count", tick.Escalated)
				}
				batch++
				if a.cfg.BatchHook != nil {
					if err := a.cfg.BatchHook(name, batch); err != nil {
						return fmt.Errorf("%w: %v", errJobAbandoned, err)
					}
				}
				if !more {
					break
				}
				cur = next
				if held, err := a.jobs.renew(ctx, name); err != nil || !held {
					return fmt.Errorf("app: lost the lease on %s: %v", name, err)
				}
			}
		}
	}
	return nil
}

// Escalations exposes the escalation service to commands and tests.
func (a *App) Escalations() *escalation.Service { return a.escalations }

var errNoRows = sql.ErrNoRows
