package sqldb

import (
	"context"
	"fmt"
	"os"
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
// more often still while the WAL is long, and syncs the database file after
// each copy. Once the WAL has passed the policy's length and the
// checkpointer has nearly caught up, it asks the writer, which between two
// groups runs a RESTART checkpoint: it copies the last frames, syncs the
// database file, waits for readers still in the WAL, and the next commit
// writes from the top of the file again. That pause, 2-13 ms under the kudos
// benchmark's load (it was 10-30 ms, see checkpointLoop and restartWAL),
// comes once per 256 MB of commits.

// walRestartBytes is how long the WAL may grow before the writer starts it
// over; the file is kept (journal_size_limit), so it is reused.
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
	dbFile, err := os.Open(db.path)
	if err == nil {
		defer dbFile.Close()
	}
	p := db.wal
	wait := p.idle
	last, lastCopied := -1, -1
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
		if err == nil && copied != lastCopied && dbFile != nil {
			// SQLite syncs the database file only when a checkpoint copies
			// the WAL to its end, which under steady commits never happens:
			// the pages copied piled up unsynced, and the writer's restart,
			// which must sync them all, stalled every write for 10-20 ms.
			// Synced here, a little at a time, they leave the restart only
			// the last few milliseconds' to sync. A failed sync costs
			// nothing but that: the restart syncs again and reports it.
			lastCopied = copied
			_ = syncDB(dbFile)
		}
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
			// the writer copies the rest. Copy what was committed while the
			// file synced first (without syncing; the restart does), so
			// the writer, which holds every write back meanwhile, has only
			// the last moment's frames to copy.
			if err := db.checkpointer.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &copied); err != nil {
				wait = p.active
				continue
			}
			db.restartAt.Store(int64(frames))
			wait = p.active
		default:
			wait = p.busy
		}
	}
}

// syncDB syncs the database file for the checkpointer. A test may replace it.
var syncDB = func(f *os.File) error { return f.Sync() }

// restartWAL runs on the writer between groups once the checkpointer asked
// for it. An ask that names the WAL's length at the last restart is stale:
// until the next commit the WAL still reports its old length, and a
// checkpoint in that moment once asked for a second, needless restart.
//
// The RESTART must wait for readers still reading frames from the WAL.
// They take well under a millisecond, but SQLite's own busy handler sleeps
// 1, 2, 5, then 10 ms between tries. So the writer asks without waiting and
// tries again every restartPoll, for at most restartWait: the first try
// copied every frame, readers that start meanwhile read the database file,
// and those in the WAL soon leave. A reader that stays longer (a long
// report) makes the writer give up and go on writing; the checkpointer
// asks again on its next turn.
func (db *DB) restartWAL() {
	asked := db.restartAt.Swap(0)
	if asked == 0 || asked == db.restarted {
		return
	}
	ctx := context.Background()
	if _, err := db.writer.ExecContext(ctx, "PRAGMA busy_timeout = 0"); err != nil {
		return
	}
	defer db.writer.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", busyTimeout.Milliseconds()))
	wait := restartWait
	if asked >= int64(2*db.wal.restartFrames) {
		wait = restartWaitLong
	}
	var deadline time.Time
	for {
		var busy, frames, copied int
		err := db.writer.QueryRowContext(ctx, "PRAGMA wal_checkpoint(RESTART)").Scan(&busy, &frames, &copied)
		if err == nil && busy == 0 {
			db.restarted = int64(frames)
			return
		}
		if deadline.IsZero() {
			// The first try copied the last frames and synced the file;
			// the wait for readers starts now.
			deadline = time.Now().Add(wait)
		} else if time.Now().After(deadline) {
			return
		}
		time.Sleep(restartPoll)
	}
}

// restartWait bounds the writer's pause for readers during a restart, and
// restartPoll is how often it looks whether they have left. Once readers
// have kept the WAL from starting over until it is twice its length (long
// reports, back to back), the writer waits up to restartWaitLong: a rare
// longer pause rather than a WAL that never stops growing.
const (
	restartWait     = 5 * time.Millisecond
	restartWaitLong = 100 * time.Millisecond
	restartPoll     = 100 * time.Microsecond
)
