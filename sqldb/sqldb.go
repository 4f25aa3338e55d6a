// Package sqldb opens Mutual's database and gives the domain packages one small
// surface over it: a reader pool, a single writer, transactions, and placeholder
// rebinding so the same hand-written SQL serves SQLite and PostgreSQL.
//
// Every write transaction (InTx) runs its function once; on SQLite it is
// group-committed with others, each writing in a savepoint of its own
// unless it is the group's first writer (group.go),
// and acknowledged only once its commit is on disk (durable.go). Effects
// outside the database go in Tx.AfterCommit. The WAL is kept under twice
// its restart length (checkpoint.go).
package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver, registered as "pgx"
	sqlite3 "github.com/mattn/go-sqlite3"
)

// Dialect names the SQL flavour behind a DB.
type Dialect string

// The dialects Mutual speaks.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Querier is satisfied by both the DB's reader and a transaction, so helpers can
// run inside a caller's transaction or on their own.
type Querier interface {
	Exec(ctx context.Context, query string, args ...any) (sql.Result, error)
	Query(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRow(ctx context.Context, query string, args ...any) *sql.Row
	Dialect() Dialect
}

// DB is an open Mutual database: one writer connection (SQLite allows a single
// writer; queueing in Go is cheaper than spinning on busy_timeout) and a pool of
// readers. On PostgreSQL both are the same pool.
type DB struct {
	writer       *sql.DB
	reader       *sql.DB
	checkpointer *sql.DB // SQLite only: moves the WAL into the database file
	dialect      Dialect
	path         string

	rebindMu sync.RWMutex
	rebound  map[string]string

	commit    committer
	wal       walPolicy    // SQLite: when the WAL is started over (checkpoint.go)
	restartAt atomic.Int64 // SQLite: the WAL's length in frames when the checkpointer asked for a restart
	restarted int64        // SQLite, writer only: the WAL's length at the last restart
	shm       *os.File     // SQLite, writer only: the WAL index, read for the WAL's length
	durable   syncer       // SQLite: makes commits durable before they are acknowledged
	closeOnce sync.Once
	closed    chan struct{}
	ckDone    chan struct{}
	loopDone  chan struct{}
}

// SQLiteDSN returns the DSN for a SQLite file. Settings live in the DSN so every
// pooled connection gets them. synchronous=FULL fsyncs the WAL at each commit:
// a commit that returned survives power loss, not only a process crash. (Open
// lowers the writer to NORMAL and syncs the WAL itself before acknowledging
// any write; see durable.go.)
func SQLiteDSN(path string, readOnly bool) string {
	if readOnly {
		// Readers are several and read the same hot pages; 2 MB each holds
		// those, and the OS page cache the rest (8 MB each made a third of
		// the server's memory after a busy minute).
		return sqliteDSN(path, true, 2000)
	}
	return sqliteDSN(path, false, writerCacheKiB)
}

// writerCacheKiB is the writer's page cache: the index pages a reply
// touches stay in it; the OS page cache holds the rest. 8 MB kept the 95/5
// mix's peak RSS over 128 MB (133-136 MB) for no throughput it could show:
// three interleaved pairs, 10,556 req/s median at 4 MB, 11,226 at 8 MB,
// each pair's order moving the figures more.
const writerCacheKiB = 4000

// sqliteDSN is SQLiteDSN with a page cache of cacheKiB.
func sqliteDSN(path string, readOnly bool, cacheKiB int) string {
	v := url.Values{}
	v.Set("_journal_mode", "WAL")
	v.Set("_busy_timeout", strconv.FormatInt(busyTimeout.Milliseconds(), 10))
	v.Set("_foreign_keys", "on")
	v.Set("_synchronous", "FULL")
	v.Set("_txlock", "immediate")
	v.Set("_cache_size", "-"+strconv.Itoa(cacheKiB))
	// Our SQL is a fixed set of strings: keeping them prepared per connection
	// saves re-parsing on every request (15% of CPU when posting).
	v.Set("_stmt_cache_size", "128")
	if readOnly {
		v.Set("_query_only", "1")
	}
	return "file:" + uriPath.Replace(path) + "?" + v.Encode()
}

// busyTimeout is how long a connection waits for a lock another holds
// (another process writing, or the writer restarting the WAL).
const busyTimeout = 10 * time.Second

// uriPath escapes what a SQLite URI filename would otherwise read as a query
// or fragment ("?", "#") or as an escape ("%").
var uriPath = strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")

// Open opens the database named by target: a postgres:// URL, or otherwise a
// path to a SQLite file (its directory is created).
func Open(ctx context.Context, target string) (*DB, error) {
	return open(ctx, target, defaultWALPolicy)
}

func open(ctx context.Context, target string, wal walPolicy) (*DB, error) {
	if strings.HasPrefix(target, "postgres://") || strings.HasPrefix(target, "postgresql://") {
		return openPostgres(ctx, target)
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o750); err != nil {
		return nil, fmt.Errorf("sqldb: create data directory: %w", err)
	}
	w, err := openWriter(ctx, target, wal)
	if err != nil {
		return nil, err
	}
	startOverLongWAL(w, target, wal)
	// The checkpointer copies WAL frames into the file: a page cache of its
	// own would only hold what it copied last.
	ck, err := sql.Open(driverName, sqliteDSN(target, false, 500))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqldb: open sqlite checkpointer: %w", err)
	}
	ck.SetMaxOpenConns(1)
	r, err := sql.Open(driverName, SQLiteDSN(target, true))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqldb: open sqlite readers: %w", err)
	}
	n := max(4, 2*runtime.NumCPU())
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	db := &DB{writer: w, reader: r, checkpointer: ck, dialect: SQLite, path: target, rebound: map[string]string{},
		closed: make(chan struct{}), loopDone: make(chan struct{}), ckDone: make(chan struct{}), durable: newSyncer(),
		wal: wal}
	go db.checkpointLoop()
	go db.syncLoop()
	db.startCommitter()
	return db, nil
}

func openPostgres(ctx context.Context, target string) (*DB, error) {
	pool, err := sql.Open("pgx", target)
	if err != nil {
		return nil, fmt.Errorf("sqldb: open postgres: %w", err)
	}
	pool.SetMaxOpenConns(4 * runtime.NumCPU())
	pool.SetMaxIdleConns(4 * runtime.NumCPU())
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("sqldb: connect postgres: %w", err)
	}
	return &DB{writer: pool, reader: pool, dialect: Postgres, rebound: map[string]string{}, closed: make(chan struct{})}, nil

}

// openWriter opens SQLite's one writer connection with its settings.
func openWriter(ctx context.Context, target string, wal walPolicy) (*sql.DB, error) {
	if err := walbufOnce(); err != nil {
		return nil, err
	}
	// The writer alone writes the WAL, so it alone needs the VFS (walbuf.go).
	w, err := sql.Open(driverName, SQLiteDSN(target, false)+"&vfs="+walbufVFS)
	if err != nil {
		return nil, fmt.Errorf("sqldb: open sqlite: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	// The writer opens first so WAL mode is set before any reader connects.
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("sqldb: open sqlite %s: %w", target, err)
	}

	// The writer leaves syncing to the syncer (durable.go), which fsyncs the
	// WAL before any write is acknowledged. Should the connection ever be
	// reopened, it comes back with the DSN's FULL: slower, never less safe.
	if _, err := w.ExecContext(ctx, "PRAGMA synchronous=NORMAL"); err != nil {
		w.Close()
		return nil, fmt.Errorf("sqldb: sqlite settings: %w", err)
	}
	// A job's savepoint keeps the pages it changes in a statement journal,
	// which past 64 KB spills to a temporary file: one kudos in seven
	// created, wrote and deleted a file. In memory it stays a copy.
	if _, err := w.ExecContext(ctx, "PRAGMA temp_store=MEMORY"); err != nil {
		w.Close()
		return nil, fmt.Errorf("sqldb: sqlite settings: %w", err)
	}

	// Checkpoints run in the background on their own connection, not inside
	// whichever commit crosses the WAL threshold: a checkpoint into a large
	// database file fsyncs it, and every writer queued behind that commit
	// stalled for seconds.
	// journal_size_limit keeps the WAL file at twice the length the writer
	// starts it over at (checkpoint.go): overwriting a file's cached pages
	// costs the kernel far less than growing it again after every restart,
	// and a WAL that overshot its restart length by a few megabytes is not
	// cut back (freeing blocks, on a disk mounted with discard, stalled the
	// commit that did it) only to grow again.
	if _, err := w.ExecContext(ctx, fmt.Sprintf("PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit=%d", 2*wal.restartFrames*4096)); err != nil {
		w.Close()
		return nil, fmt.Errorf("sqldb: sqlite settings: %w", err)
	}
	return w, nil
}

// Close closes both pools. On SQLite the writer closes last so the final
// checkpoint sees no readers.
func (db *DB) Close() error {
	db.closeOnce.Do(func() { close(db.closed) })
	// Let the group committer finish what it has accepted before closing.
	started := false
	db.commit.once.Do(func() {}) // no committer after close
	if db.commit.jobs != nil {
		started = true
	}
	if started {
		<-db.loopDone
	}
	var errs []error
	if db.durable.stop != nil {
		// The committer has handed over its last commits: sync them, then stop.
		db.durable.stopOnce.Do(func() { close(db.durable.stop) })
		<-db.durable.done
		errs = append(errs, db.closeWAL())
	}
	if db.checkpointer != nil {
		<-db.ckDone
		errs = append(errs, db.checkpointer.Close())
	}
	if db.reader != db.writer {
		errs = append(errs, db.reader.Close())
	}
	errs = append(errs, db.writer.Close())
	if db.shm != nil {
		errs = append(errs, closeShm(db.path))
	}
	return errors.Join(errs...)
}

// Dialect reports the SQL flavour.
func (db *DB) Dialect() Dialect { return db.dialect }

// Lookback is how far below the newest id it has handled a background job
// must look again for rows it has not seen. On PostgreSQL transactions take
// ids from a sequence, and one may commit a lower id after a higher one has
// committed: there it is window. SQLite's one writer gives each new row the
// next id above every row already there, so no row can appear below the
// newest: there it is 0, and the job reads only what is new instead of the
// window again on every turn.
func (db *DB) Lookback(window int64) int64 {
	if db.dialect == Postgres {
		return window
	}
	return 0
}

// Path is the SQLite file's path, or "" on PostgreSQL.
func (db *DB) Path() string { return db.path }

// Writer exposes the writer pool for the migration runner and bulk loaders.
// On SQLite its commits are durable only once a later write acknowledged
// through Exec or InTx (or Close's final checkpoint) has synced the WAL:
// fine for loaders that finish before anyone is told of their work.
func (db *DB) Writer() *sql.DB { return db.writer }

// Exec runs a single write statement in its own transaction on the writer.
func (db *DB) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if db.dialect == SQLite {
		return db.execDurable(ctx, query, args...)
	}
	return db.writer.ExecContext(ctx, db.rebind(query), args...)
}

// writeCtx is the context for a statement on SQLite's writer: ctx without its
// cancellation. A write that has started runs to its end (a queued job
// always does, see InTx), and the driver runs every statement under a
// cancellable context on a goroutine of its own: on the single writer that
// was a goroutine hand-off per statement, and under load the writer waited
// for the scheduler after each one.
func (db *DB) writeCtx(ctx context.Context) context.Context {
	if db.dialect != SQLite {
		return ctx
	}
	return context.WithoutCancel(ctx)
}

// Query reads from the reader pool.
func (db *DB) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return db.reader.QueryContext(ctx, db.rebind(query), args...)
}

// QueryRow reads one row from the reader pool.
func (db *DB) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return db.reader.QueryRowContext(ctx, db.rebind(query), args...)
}

// Tx is a write transaction, or on SQLite one job's part of a group's
// transaction (group.go).
type Tx struct {
	tx *sql.Tx
	db *DB
	// grouped: other jobs share tx, so this one writes only inside its
	// own savepoint, taken just before its first statement that may write.
	grouped bool
	// first: no job before this one has written in the group's
	// transaction, so this one needs no savepoint: should it fail after
	// writing, the whole transaction is rolled back and holds nobody
	// else's work (group.go). Most groups under load are one job, and a
	// savepoint copies every page the job changes.
	first   bool
	wrote   bool  // first: a statement that may write has run
	saved   bool  // the savepoint is open
	saveErr error // taking the savepoint failed: the job fails with this
	hooks   []func()
}

// savepoint names the savepoint each job of a group writes under. A fixed
// name keeps the statements in the connection's prepared-statement cache;
// one a job's own SQL would never use keeps ROLLBACK TO and RELEASE from
// reaching a savepoint of the job's.
const savepoint = "sqldb_job"

// Exec runs a statement inside the transaction.
func (t *Tx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := t.beforeWrite(); err != nil {
		return nil, err
	}
	return t.tx.ExecContext(t.db.writeCtx(ctx), t.db.rebind(query), args...)
}

// Query reads inside the transaction (it sees the transaction's own writes).
// A statement with RETURNING may write; it counts as a write.
func (t *Tx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if !isSelect(query) {
		if err := t.beforeWrite(); err != nil {
			return nil, err
		}
	}
	return t.tx.QueryContext(t.db.writeCtx(ctx), t.db.rebind(query), args...)
}

// QueryRow reads one row inside the transaction.
func (t *Tx) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if !isSelect(query) && t.beforeWrite() != nil {
		// A *sql.Row cannot be made to carry an error; a cancelled context
		// makes database/sql return one without running the statement, and
		// the job fails with saveErr whatever it does with this one.
		gone, cancel := context.WithCancel(ctx)
		cancel()
		return t.tx.QueryRowContext(gone, t.db.rebind(query), args...)
	}
	return t.tx.QueryRowContext(t.db.writeCtx(ctx), t.db.rebind(query), args...)
}

// beforeWrite opens a grouped job's savepoint before its first statement
// that may write. Taken lazily, a job that reads and refuses costs its
// group nothing, and one that fails after writing is undone alone.
func (t *Tx) beforeWrite() error {
	if t.first {
		t.wrote = true
		return nil
	}
	if !t.grouped || t.saved {
		return t.saveErr
	}
	if t.saveErr != nil {
		return t.saveErr
	}
	if _, err := t.tx.ExecContext(context.Background(), "SAVEPOINT "+savepoint); err != nil {
		t.saveErr = fmt.Errorf("sqldb: savepoint: %w", err)
		return t.saveErr
	}
	t.saved = true
	return nil
}

// isSelect reports whether query starts with SELECT, which in Mutual's SQL
// never changes a row. Anything else (WITH, INSERT ... RETURNING) may.
func isSelect(query string) bool {
	q := strings.TrimLeft(query, " \t\r\n")
	return len(q) >= 6 && strings.EqualFold(q[:6], "SELECT")
}

// Dialect reports the SQL flavour.
func (t *Tx) Dialect() Dialect { return t.db.dialect }

// AfterCommit registers fn to run once the transaction's commit is durable:
// on SQLite after the WAL holding the group's commit is synced, on
// PostgreSQL after COMMIT returned. Hooks run in the order registered, on
// the goroutine that called InTx, before InTx returns nil. If the
// transaction (or, on SQLite, this job's savepoint) is rolled back, or its
// commit or sync fails, they never run. This is where anything outside the
// database (an email, a webhook, a cache entry) acts on a write: before
// that, a crash could still lose it.
func (t *Tx) AfterCommit(fn func()) { t.hooks = append(t.hooks, fn) }

// runHooks runs a committed transaction's AfterCommit hooks.
func runHooks(hooks []func()) {
	for _, h := range hooks {
		h()
	}
}

// InTx runs fn once in a write transaction and commits when fn returns nil.
// The commit has returned (and, on SQLite, the WAL is synced) before InTx
// does, so a caller may acknowledge the write; side effects outside the
// database belong in Tx.AfterCommit.
//
// On SQLite, concurrent callers are group-committed: one writer goroutine
// runs their functions one after another in one shared transaction and
// commits them together, so many writes share one fsync instead of
// weakening durability. Each function writes inside a savepoint of its own
// (but the group's first writer, which rolls back the whole transaction
// instead, since it holds nobody else's work): one that fails (or panics,
// which InTx reports as an error) is rolled back alone, and the others
// commit. Every function runs exactly once. If
// the group's commit fails, every function in it gets that error and none
// of its writes remain.
//
// On PostgreSQL each call is a transaction of its own. When the server
// aborts it to break a deadlock or a serialisation conflict (SQLSTATE
// 40P01, 40001), InTx rolls it back and calls fn again in a fresh
// transaction, up to txAttempts times: nothing of the aborted try was
// committed and its AfterCommit hooks were dropped, so nothing outside the
// database acted on it. Lock orders cross package lines (hiding a post
// locks its thread, then members; a reply locks its author, then the
// thread), and a deadlock the server resolves is no fault of the caller's
// write: it should succeed, not fail with an internal error. The only
// thing this asks of fn is what any function asks: results it hands back
// through variables are assigned on the path that returns nil.
func (db *DB) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	if db.dialect == SQLite {
		return db.group(ctx, fn)
	}
	var err error
	for attempt := 1; ; attempt++ {
		err = db.inOwnTx(ctx, fn)
		if attempt == txAttempts || !retryable(err) {
			return err
		}
		// A short, growing pause lets the other transaction finish.
		select {
		case <-time.After(time.Duration(attempt*attempt) * time.Millisecond):
		case <-ctx.Done():
			return err
		}
	}
}

// txAttempts bounds how often InTx runs a transaction PostgreSQL aborted.
const txAttempts = 5

// retryable reports whether PostgreSQL aborted the transaction to resolve a
// deadlock or a serialisation conflict, so running it again may succeed.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40P01" || pe.Code == "40001")
}

// inOwnTx runs fn in a transaction of its own (PostgreSQL) and, once it
// committed, its AfterCommit hooks.
func (db *DB) inOwnTx(ctx context.Context, fn func(tx *Tx) error) (err error) {
	sqlTx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqldb: begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = sqlTx.Rollback()
			panic(p)
		}
	}()
	tx := &Tx{tx: sqlTx, db: db}
	if err := fn(tx); err != nil {
		_ = sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("sqldb: commit: %w", err)
	}
	runHooks(tx.hooks)
	return nil
}

// rebind turns ? placeholders into $n for PostgreSQL. Queries are constants, so
// the result is cached.
func (db *DB) rebind(q string) string {
	if db.dialect != Postgres {
		return q
	}
	db.rebindMu.RLock()
	out, ok := db.rebound[q]
	db.rebindMu.RUnlock()
	if ok {
		return out
	}
	out = Rebind(q)
	db.rebindMu.Lock()
	db.rebound[q] = out
	db.rebindMu.Unlock()
	return out
}

// Rebind rewrites ? placeholders as $1, $2, ... skipping quoted strings.
func Rebind(q string) string {
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	inQuote := false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'':
			inQuote = !inQuote
			b.WriteByte(c)
		case c == '?' && !inQuote:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// IsUniqueViolation reports whether err is a unique-constraint failure.
func IsUniqueViolation(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505" // unique_violation
}

// Backup writes a consistent copy of a SQLite database to dest while it is in use.
func (db *DB) Backup(ctx context.Context, dest string) error {
	if db.dialect != SQLite {
		return errors.New("sqldb: backup is for SQLite; use pg_dump for PostgreSQL")
	}
	if _, err := os.Stat(dest); err == nil {
		return fmt.Errorf("sqldb: backup: %s already exists", dest)
	}
	// VACUUM INTO writes a new file, which readers (query_only) refuse; it
	// runs on the writer, holding off other writes while it copies.
	_, err := db.writer.ExecContext(ctx, "VACUUM INTO ?", dest)
	if err != nil {
		return fmt.Errorf("sqldb: backup: %w", err)
	}
	return nil
}

// ResetSequences makes PostgreSQL's identity sequences continue after the
// largest id in each table, for bulk loaders that wrote explicit ids. On
// SQLite, INTEGER PRIMARY KEY always follows the largest id, so it does nothing.
func (db *DB) ResetSequences(ctx context.Context, q Querier, tables ...string) error {
	if db.dialect != Postgres {
		return nil
	}
	for _, t := range tables {
		if _, err := q.Exec(ctx, fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%s', 'id'), COALESCE((SELECT MAX(id) FROM %s), 0) + 1, false)`, t, t)); err != nil {
			return fmt.Errorf("sqldb: reset %s id sequence: %w", t, err)
		}
	}
	return nil
}

// Int64s reads the one int64 column of every row (ids, mostly) and closes
// rows. It takes a query's two results as they come, so a caller writes
// ids, err := sqldb.Int64s(q.Query(ctx, ...)); the slice is empty, not nil,
// when there are no rows.
func Int64s(rows *sql.Rows, err error) ([]int64, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []int64{}
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Ping reports whether the database answers a read.
func (db *DB) Ping(ctx context.Context) error {
	return db.reader.PingContext(ctx)
}
