package jobs_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"mutual/jobs"
	"mutual/sqldb"
	"mutual/sqldb/sqldbtest"
)

// Two instances share a job: one holds it at a time, a finished job waits
// for its next run, and a lease left to run out is taken over.
func TestLeaseIsHeldByOneInstance(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		now := time.Unix(1_700_000_000, 0)
		clock := func() time.Time { return now }
		a, b := jobs.New(db, clock), jobs.New(db, clock)
		claim := func(j *jobs.Leases, want bool) {
			t.Helper()
			got, err := j.Claim(ctx, "job")
			if err != nil || got != want {
				t.Fatalf("claim = %v, %v; want %v", got, err, want)
			}
		}
		claim(a, true)
		claim(b, false)
		if held, err := b.Renew(ctx, "job"); held || err != nil {
			t.Fatalf("renew by a non-owner = %v, %v", held, err)
		}
		if err := a.Finish(ctx, "job", now.Add(time.Minute), errors.New("boom")); err != nil {
			t.Fatal(err)
		}
		claim(b, false) // not due until its next run
		now = now.Add(time.Minute)
		claim(b, true)
		now = now.Add(2 * time.Minute) // b's lease runs out
		claim(a, true)
		if held, err := a.Renew(ctx, "job"); !held || err != nil {
			t.Fatalf("renew by the owner = %v, %v", held, err)
		}
	})
}
