// Package jobs owns the jobs table: leases on named background jobs (the
// escalation detector, webhook delivery, the kudos ring detector, mail
// digests), so that with many instances each run happens once.
//
// A claim is a lease: the owner must finish (or renew) before it runs out,
// or another instance takes the job over. On PostgreSQL the claim skips a
// row another instance holds locked (FOR UPDATE SKIP LOCKED), so instances
// never queue behind each other; SQLite has one writer, so a conditional
// UPDATE suffices.
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"time"

	"mutual/sqldb"
)

// Leases claims and records background work for one instance.
type Leases struct {
	db    *sqldb.DB
	owner string
	now   func() time.Time
	lease time.Duration
}

// New returns the leases of this instance, named by host, process and start.
func New(db *sqldb.DB, now func() time.Time) *Leases {
	host, _ := os.Hostname()
	return &Leases{db: db, owner: fmt.Sprintf("%s/%d/%d", host, os.Getpid(), time.Now().UnixNano()%1e6), now: now, lease: time.Minute}
}

// Owner names this instance in the jobs it holds (and, for audit, in the
// escalations its detector makes).
func (j *Leases) Owner() string { return j.owner }

// Claim takes the named job if it is due and nobody holds a live lease.
func (j *Leases) Claim(ctx context.Context, name string) (bool, error) {
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
		if errors.Is(err, sql.ErrNoRows) {
			got = "" // due to someone else, or not due
			return nil
		}
		return err
	})
	if err != nil {
		return false, fmt.Errorf("jobs: claim %s: %w", name, err)
	}
	return got == name, nil
}

// Renew extends a lease this owner holds; false means it was lost.
func (j *Leases) Renew(ctx context.Context, name string) (bool, error) {
	now := j.now().UnixMilli()
	res, err := j.db.Exec(ctx, `UPDATE jobs SET lease_until = ?, updated_at = ? WHERE name = ? AND owner = ?`,
		now+j.lease.Milliseconds(), now, name, j.owner)
	if err != nil {
		return false, fmt.Errorf("jobs: renew %s: %w", name, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// Finish releases the lease and schedules the next run at next; runErr,
// if any, is kept as the job's last error.
func (j *Leases) Finish(ctx context.Context, name string, next time.Time, runErr error) error {
	msg := ""
	if runErr != nil {
		msg = runErr.Error()
	}
	_, err := j.db.Exec(ctx, `UPDATE jobs SET lease_until = 0, owner = '', run_after = ?, last_error = ?, updated_at = ?
WHERE name = ? AND owner = ?`, next.UnixMilli(), msg, j.now().UnixMilli(), name, j.owner)
	if err != nil {
		return fmt.Errorf("jobs: finish %s: %w", name, err)
	}
	return nil
}
