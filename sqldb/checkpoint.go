package sqldb

import (
	"context"
	"fmt"
	"time"
)

// How SQLite's WAL is kept short. Commits append frames to the WAL; a
// checkpoint copies them into the database file; and only once every frame
// is copied and no reader still reads from the WAL can a writer start it
// over from the top. Under a steady stream of commits that moment never
// comes on its own: each checkpoint ends with newer frames still to copy.
// The WAL then grew without end (1.3 GB in 15 seconds of the kudos
// benchmark), and every commit paid the kernel for growing the file: a
// third of the writer's time went to pwrite allocating pages and blocks.
//
// So the checkpointer (its own connection, never blocking the writer)
// copies frames in the background, every 20 ms while commits come in, and
// more often still while the WAL is long.
// Once the WAL has passed the policy's length and the checkpointer has
// nearly caught up, it asks the writer, which between two groups runs a
// RESTART checkpoint: it copies the last frames, syncs the database file,
// waits for readers still in the WAL (milliseconds), and the next commit
// writes from the top of the file again. That pause, 10-25 ms under the
// kudos benchmark's load, comes once per 256 MB of commits.

// walRestartBytes is how long the WAL may grow before the writer starts it
// over; the file is kept at that size (journal_size_limit), so it is reused.
const walRestartBytes = 256 << 20

// walPolicy says when the WAL is checkpointed and started over.
type walPolicy struct {
	restartFrames int           // the WAL's length, in frames, that asks for a restart
	backlog       int           // frames the checkpointer may leave for the writer to copy
	idle          time.Duration // between checkpoints while nothing is written
	active        time.Duration // while commits come in
	busy          time.Duration // while the WAL is long: catch up before asking
}

// defaultWALPolicy checkpoints every 20 ms while commits come in. Each
// checkpoint ends with an fsync of the database file, and commits wait for
// fsyncs of the WAL on the same disk: checkpoints of half a second's commits
// made fsyncs that stalled the commits behind them for tens of
// milliseconds (kudos at a steady 2,000 a second: p99 45-54 ms checkpointing
// every 500 ms, 22-33 ms every 20 ms).
var defaultWALPolicy = walPolicy{
	restartFrames: walRestartBytes / 4096, // SQLite's default page size
	backlog:       256,
	idle:          500 * time.Millisecond,
	active:        20 * time.Millisecond,
	busy:          10 * time.Millisecond,
}

// checkpointLoop copies the WAL into the database file without blocking
// readers or the writer (PASSIVE) until the DB closes, and asks the writer
// to start the WAL over once it is long. Closing the last connection
// checkpoints whatever is left.
func (db *DB) checkpointLoop() {
	defer close(db.ckDone)
	_ = pinThread(checkpointNice) // background work: others run first
	ctx := context.Background()
	p := db.wal
	wait := p.idle
	last := -1
	for {
		select {
		case <-db.closed:
			return
		case <-time.After(wait):
		}
		// A checkpoint that cannot finish now (a reader still needs old
		// frames) finishes on a later turn.
		var busy, frames, copied int
		err := db.checkpointer.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &copied)
		changed := frames != last
		last = frames
		switch {
		case err != nil || (frames < p.restartFrames && !changed):
			wait = p.idle
		case frames < p.restartFrames:
			wait = p.active
		case frames-copied <= p.backlog || frames >= 2*p.restartFrames:
			// Nearly caught up, or the WAL is twice its length because
			// readers or the pace of commits keep the checkpointer behind:
			// the writer copies the rest.
			db.restart.Store(true)
			wait = p.active
		default:
			wait = p.busy
		}
	}
}

// restartWAL runs on the writer between groups once the checkpointer asked
// for it. The RESTART waits for readers still in the WAL for at most
// restartWait (they take milliseconds; a stream of readers sharing an old
// snapshot could otherwise hold every write back for the whole busy
// timeout); one that cannot finish, or finds the checkpointer mid-copy
// (busy = 1), is tried again after the next group.
func (db *DB) restartWAL() {
	if !db.restart.Load() {
		return
	}
	ctx := context.Background()
	var busy, frames, copied int
	_, err := db.writer.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", restartWait.Milliseconds()))
	if err == nil {
		err = db.writer.QueryRowContext(ctx, "PRAGMA wal_checkpoint(RESTART)").Scan(&busy, &frames, &copied)
	}
	if _, err := db.writer.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", busyTimeout.Milliseconds())); err != nil {
		return
	}
	if err == nil && busy == 0 {
		db.restart.Store(false)
	}
}

// restartWait bounds the writer's pause for readers during a restart.
const restartWait = 100 * time.Millisecond
