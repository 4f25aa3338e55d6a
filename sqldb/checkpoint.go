package sqldb

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"os"
	"sync"
	"time"
)

// How SQLite's WAL is kept short. Commits append frames to the WAL; a
// checkpoint copies them into the database file; and only once every frame
// is copied and no reader still reads from the WAL can a writer start it
// over from the top. Under a steady stream of commits that moment never
// comes on its own: each checkpoint ends with newer frames still to copy,
// and with readers that never pause there is always one in the WAL.
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
//
// A restart always succeeds if the writer waits long enough, however many
// readers there are: once its checkpoint has copied every frame, readers
// that start read the database file, not the WAL (SQLite's read mark 0),
// so only those already in the WAL hold it up, and no new one joins them.
// The wait is bounded by the longest reader transaction, not by the read
// load. The writer once gave up after 5 ms (100 ms at twice the length);
// with readers that never pause, each of whose queries took longer than
// that under a loaded CPU, every restart gave up and the WAL grew to
// 699 MB. Now the writer waits up to restartWaitMax, and the checkpointer
// asks by 5/4 of the restart length even if it has not caught up, so the
// WAL stays under twice its length unless a single reader transaction
// outlasts that wait.

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
		case frames-copied <= p.backlog || frames >= p.restartFrames+p.restartFrames/4:
			// Nearly caught up, or past 5/4 of the length because readers
			// or the pace of commits keep the checkpointer behind: the
			// writer copies the rest, with room to spare before twice the
			// length. Copy what was committed while the
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
// SQLite's own busy handler sleeps 1, 2, 5, then 10 ms between tries, so
// the writer asks without waiting and tries again, every restartPoll at
// first and less often as the wait grows, until the readers have left (the
// first try copied every frame it could, and readers that start meanwhile
// read the database file). Only a reader that stays in the WAL past
// restartWaitMax (a report held open, a stuck client) makes the writer
// give up and go on writing; the checkpointer asks again on its next turn.
func (db *DB) restartWAL() {
	asked := db.restartAt.Swap(0)
	if asked == 0 {
		// The checkpointer runs at a low priority: under a flood of
		// readers it asked late, or not at all, while the WAL grew past
		// twice its length. The writer sees the length itself.
		if frames := db.walFrames(); frames >= int64(db.wal.restartFrames+db.wal.restartFrames/2) {
			asked = frames
		}
	}
	if asked == 0 || asked == db.restarted {
		return
	}
	if frames, ok := startOver(db.writer, "RESTART", restartWaitMax); ok {
		db.restarted = frames
	}
}

// startOver runs RESTART (or TRUNCATE) checkpoints on the writer w, without
// SQLite's busy handler, until one succeeds or wait has passed since the
// first, and reports the WAL's length it started over at.
func startOver(w *sql.DB, mode string, wait time.Duration) (int64, bool) {
	ctx := context.Background()
	if _, err := w.ExecContext(ctx, "PRAGMA busy_timeout = 0"); err != nil {
		return 0, false
	}
	defer w.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", busyTimeout.Milliseconds()))
	deadline := time.Now().Add(wait)
	for pause := restartPoll; ; pause = min(2*pause, restartPollMax) {
		var busy, frames, copied int
		err := w.QueryRowContext(ctx, "PRAGMA wal_checkpoint("+mode+")").Scan(&busy, &frames, &copied)
		if err == nil && busy == 0 {
			return int64(frames), true
		}
		if time.Now().After(deadline) {
			return 0, false
		}
		time.Sleep(pause)
	}
}

// restartWaitMax bounds the writer's pause for readers during a restart:
// readers of a page take milliseconds, so a wait this long is one reader
// that will not leave, and writes should not wait for it. restartPoll is
// how soon the writer looks again whether the readers have left, doubling
// up to restartPollMax.
const (
	restartWaitMax = 500 * time.Millisecond
	restartPoll    = 100 * time.Microsecond
	restartPollMax = time.Millisecond
)

// startOverLongWAL copies a WAL longer than the restart length into the
// database file and truncates it, before anything else uses the database.
// Only a crash (or an older binary, which let the WAL grow) leaves one:
// opening it already cost reading all of it (SQLite's recovery), and
// restarting it under load would wait for readers while it grew further.
// No reader of this process is in it yet; should another process be
// using the database, it is left to the checkpointer.
func startOverLongWAL(w *sql.DB, path string, p walPolicy) {
	fi, err := os.Stat(path + "-wal")
	if err != nil || fi.Size() <= int64(p.restartFrames)*4096 {
		return
	}
	_, _ = startOver(w, "TRUNCATE", 0)
}

// walFrames reads the WAL's length in frames (mxFrame) from the header of
// the WAL index in the -shm file, as SQLite keeps it (native byte order;
// https://sqlite.org/walformat.html). It runs on the writer between
// groups, when no one else changes it, and costs one pread rather than a
// checkpoint; 0 if the index cannot be read.
func (db *DB) walFrames() int64 {
	if db.shm == nil {
		db.shm = openShm(db.path)
		if db.shm == nil {
			return 0
		}
	}
	var b [4]byte
	if _, err := db.shm.ReadAt(b[:], 16); err != nil {
		return 0
	}
	return int64(binary.NativeEndian.Uint32(b[:]))
}

// SQLite locks the -shm file with POSIX record locks, which belong to the
// process: closing any descriptor of the file drops every lock the process
// holds on it, SQLite's included. So each -shm file is opened once per
// process, shared by every DB on it, and closed only by closeShm once the
// last of them has closed its connections.
var shms struct {
	sync.Mutex
	open map[string]*shmFile
}

type shmFile struct {
	f     *os.File
	users int
}

func openShm(path string) *os.File {
	shms.Lock()
	defer shms.Unlock()
	if s, ok := shms.open[path]; ok {
		s.users++
		return s.f
	}
	f, err := os.Open(path + "-shm")
	if err != nil {
		return nil
	}
	if shms.open == nil {
		shms.open = map[string]*shmFile{}
	}
	shms.open[path] = &shmFile{f: f, users: 1}
	return f
}

// closeShm lets go of the DB's -shm descriptor, after its connections closed.
func closeShm(path string) error {
	shms.Lock()
	defer shms.Unlock()
	s, ok := shms.open[path]
	if !ok {
		return nil
	}
	if s.users--; s.users > 0 {
		return nil
	}
	delete(shms.open, path)
	return s.f.Close()
}
