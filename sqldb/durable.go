package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"sync"
)

// On SQLite the writer commits with synchronous=NORMAL: a commit writes its
// frames to the WAL without waiting for the disk. The syncer then fsyncs the
// WAL, and only after that fsync does any caller hear that its write
// succeeded. So an acknowledged write survives power loss exactly as with
// synchronous=FULL, but the single writer no longer waits for the disk
// between transactions: while one fsync runs, the writer commits the next
// group, and one fsync covers every commit made meanwhile (the way
// PostgreSQL's WAL writer groups flushes).
//
// A crash can only lose commits nobody was told about: SQLite's WAL frames
// carry chained checksums, so recovery keeps a prefix of the commits, and
// every acknowledged commit lies inside the prefix that was synced. Readers
// may see a commit a moment before it is durable; a write that depends on
// what they saw commits later, so it can never outlive it.

// syncer fsyncs the WAL for waiting commits, one fsync for all of them.
type syncer struct {
	reqs     chan []chan error
	stopOnce sync.Once
	stop     chan struct{} // closed by Close once the committer has stopped
	done     chan struct{} // closed when the loop has answered everything and stopped

	mu  sync.Mutex
	wal *os.File
}

func newSyncer() syncer {
	return syncer{reqs: make(chan []chan error, 4*maxGroup), stop: make(chan struct{}), done: make(chan struct{})}
}

// fsyncWAL syncs the WAL file to disk. A test may replace it.
var fsyncWAL = func(f *os.File) error { return f.Sync() }

// afterSync answers each of acks with the outcome of an fsync of the WAL
// that starts after this call: the commits behind them are then durable.
// It does not wait.
func (db *DB) afterSync(acks ...chan error) {
	select {
	case db.durable.reqs <- acks:
	case <-db.durable.done:
		db.answer([][]chan error{acks}, errClosed)
	}
}

// waitSync returns once the commits made before it are durable.
func (db *DB) waitSync() error {
	ack := make(chan error, 1)
	db.afterSync(ack)
	select {
	case err := <-ack:
		return err
	case <-db.durable.done:
		// Closing: the syncer answered all it took before it stopped.
		select {
		case err := <-ack:
			return err
		default:
			return errClosed
		}
	}
}

func (db *DB) syncLoop() {
	defer close(db.durable.done)
	_ = pinThread(writerNice) // as the writer's; DB.WriterPriority reports a refusal
	for {
		var first []chan error
		select {
		case first = <-db.durable.reqs:
		case <-db.durable.stop:
			// The committer has stopped, so nothing more is coming from it;
			// answer what is queued (Exec callers included) and stop.
			for {
				select {
				case acks := <-db.durable.reqs:
					db.answer([][]chan error{acks}, db.syncNow())
				default:
					return
				}
			}
		}
		waiting := [][]chan error{first}
	more:
		for {
			select {
			case acks := <-db.durable.reqs:
				waiting = append(waiting, acks)
			default:
				break more
			}
		}
		db.answer(waiting, db.syncNow())
	}
}

func (db *DB) answer(waiting [][]chan error, err error) {
	for _, acks := range waiting {
		for _, a := range acks {
			a <- err
		}
	}
}

// syncNow fsyncs the WAL file, opening it the first time (it exists once
// anything has committed). An fsync that fails means the commits it covers
// may not be on disk, so their callers get an error, not a success.
//
// The handle is checked against the file at the WAL's path on every sync:
// should SQLite ever delete the WAL (it does when the last connection to the
// database closes) and start a new one, syncing the old file would sync
// nothing, so the new one is opened instead.
func (db *DB) syncNow() error {
	s := &db.durable
	s.mu.Lock()
	defer s.mu.Unlock()
	path := db.path + "-wal"
	if s.wal != nil {
		held, err1 := s.wal.Stat()
		now, err2 := os.Stat(path)
		if err1 != nil || err2 != nil || !os.SameFile(held, now) {
			_ = s.wal.Close()
			s.wal = nil
		}
	}
	if s.wal == nil {
		f, err := os.OpenFile(path, os.O_RDWR, 0)
		if err != nil {
			return fmt.Errorf("sqldb: open WAL to sync it: %w", err)
		}
		s.wal = f
	}
	if err := fsyncWAL(s.wal); err != nil {
		return fmt.Errorf("sqldb: sync WAL: %w", err)
	}
	return nil
}

// closeWAL closes the syncer's handle on the WAL, after the syncer stopped.
// The handle is this package's own descriptor: SQLite keeps no locks on the
// WAL file itself (they live in the -shm file), so closing it releases none
// of SQLite's.
func (db *DB) closeWAL() error {
	s := &db.durable
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.wal == nil {
		return nil
	}
	err := s.wal.Close()
	s.wal = nil
	return err
}

// execDurable runs a single statement on SQLite's writer and returns once it
// is on disk.
func (db *DB) execDurable(ctx context.Context, query string, args ...any) (sql.Result, error) {
	r, err := db.writer.ExecContext(db.writeCtx(ctx), query, args...)
	if err != nil {
		return nil, err
	}
	if err := db.waitSync(); err != nil {
		return nil, err
	}
	return r, nil
}
