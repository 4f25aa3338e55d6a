package sqldb_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"mutual/migrations"
	"mutual/sqldb"
	"mutual/sqldb/sqldbtest"
)

// openFile opens a fresh SQLite database in a temporary directory. Tests use a
// real file: behind a pool, :memory: would give each connection its own
// empty database.
func openFile(t *testing.T) *sqldb.DB {
	t.Helper()
	db, err := sqldb.Open(context.Background(), filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func mustExec(t *testing.T, db *sqldb.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(context.Background(), q, args...); err != nil {
		t.Fatalf("exec %q: %v", q, err)
	}
}

// TestPragmasOnEveryPooledConnection holds several reader connections open at
// once and checks each of them, and the writer, got the DSN's settings.
func TestPragmasOnEveryPooledConnection(t *testing.T) {
	ctx := context.Background()
	db := openFile(t)

	want := map[string]string{
		"journal_mode": "wal",
		"foreign_keys": "1",
		"synchronous":  "2", // FULL
		"busy_timeout": "10000",
	}
	for pragma, v := range want {
		if pragma == "synchronous" {
			// The writer commits with NORMAL and the syncer fsyncs the WAL
			// before acknowledging (TestWriteIsAcknowledgedOnlyAfterSync).
			v = "1"
		}
		var got string
		if err := db.Writer().QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
			t.Fatalf("writer PRAGMA %s: %v", pragma, err)
		}
		if got != v {
			t.Errorf("writer PRAGMA %s = %q, want %q", pragma, got, v)
		}
	}
	var qo string
	if err := db.Writer().QueryRowContext(ctx, "PRAGMA query_only").Scan(&qo); err != nil || qo != "0" {
		t.Errorf("writer PRAGMA query_only = %q (%v), want 0", qo, err)
	}

	// Each open *sql.Rows pins its own connection, so holding n of them open
	// forces the pool to hand out n distinct connections.
	const n = 4
	for pragma, v := range map[string]string{
		"journal_mode": want["journal_mode"],
		"foreign_keys": want["foreign_keys"],
		"synchronous":  want["synchronous"],
		"busy_timeout": want["busy_timeout"],
		"query_only":   "1",
	} {
		var open []*sql.Rows
		for i := range n {
			rows, err := db.Query(ctx, "PRAGMA "+pragma)
			if err != nil {
				t.Fatalf("reader %d PRAGMA %s: %v", i, pragma, err)
			}
			open = append(open, rows)
		}
		for i, rows := range open {
			if !rows.Next() {
				t.Fatalf("reader %d PRAGMA %s: no row (%v)", i, pragma, rows.Err())
			}
			var got string
			if err := rows.Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != v {
				t.Errorf("reader connection %d PRAGMA %s = %q, want %q", i, pragma, got, v)
			}
		}
		for _, rows := range open {
			_ = rows.Close()
		}
	}
}

func TestReadersAreQueryOnly(t *testing.T) {
	ctx := context.Background()
	db := openFile(t)
	mustExec(t, db, `CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)`)

	// Query and QueryRow go to the reader pool: a write through them must fail.
	var id int64
	err := db.QueryRow(ctx, `INSERT INTO t (v) VALUES ('x') RETURNING id`).Scan(&id)
	if err == nil {
		t.Fatal("insert through a reader connection succeeded; readers must be query-only")
	}
	if !strings.Contains(strings.ToLower(err.Error()), "readonly") && !strings.Contains(strings.ToLower(err.Error()), "read-only") {
		t.Errorf("insert through reader: got %v, want a read-only error", err)
	}
	var n int
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM t`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("count = %d (%v), want 0 rows after the refused write", n, err)
	}

	// The writer does write, and readers see the committed row.
	mustExec(t, db, `INSERT INTO t (v) VALUES ('y')`)
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM t`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("count = %d (%v), want 1", n, err)
	}
}

func TestForeignKeysEnforced(t *testing.T) {
	db := openFile(t)
	mustExec(t, db, `CREATE TABLE parent (id INTEGER PRIMARY KEY)`)
	mustExec(t, db, `CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent (id))`)
	_, err := db.Exec(context.Background(), `INSERT INTO child (parent_id) VALUES (42)`)
	if err == nil {
		t.Fatal("insert with a dangling foreign key succeeded; foreign_keys must be on")
	}
	if sqldb.IsUniqueViolation(err) {
		t.Errorf("a foreign key failure must not count as a unique violation: %v", err)
	}
}

func TestRebind(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", ""},
		{"SELECT 1", "SELECT 1"},
		{"SELECT * FROM t WHERE a = ?", "SELECT * FROM t WHERE a = $1"},
		{"INSERT INTO t (a, b, c) VALUES (?, ?, ?)", "INSERT INTO t (a, b, c) VALUES ($1, $2, $3)"},
		{"SELECT '?' FROM t WHERE a = ?", "SELECT '?' FROM t WHERE a = $1"},
		{"SELECT 'it''s ?' , ? FROM t", "SELECT 'it''s ?' , $1 FROM t"},
		{"WHERE a = ? AND b = '??' AND c = ?", "WHERE a = $1 AND b = '??' AND c = $2"},
		{"?,?,?,?,?,?,?,?,?,?,?", "$1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11"},
		{"UPDATE t SET v = ? WHERE id = ? RETURNING id", "UPDATE t SET v = $1 WHERE id = $2 RETURNING id"},
	}
	for _, tt := range tests {
		if got := sqldb.Rebind(tt.in); got != tt.want {
			t.Errorf("Rebind(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestConcurrentReadThenWrite runs many transactions that read a counter and
// then write it back, from many goroutines, while readers query. Each
// transaction begins IMMEDIATE on the single writer, so none may fail with
// "database is locked" and no increment may be lost.
func TestConcurrentReadThenWrite(t *testing.T) {
	ctx := context.Background()
	db := openFile(t)
	mustExec(t, db, `CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)`)
	mustExec(t, db, `CREATE TABLE log (id INTEGER PRIMARY KEY, worker INTEGER NOT NULL)`)
	mustExec(t, db, `INSERT INTO counter (id, n) VALUES (1, 0)`)

	const workers, each = 16, 25
	var wg sync.WaitGroup
	errc := make(chan error, workers*each+workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				err := db.InTx(ctx, func(tx *sqldb.Tx) error {
					var n int
					if err := tx.QueryRow(ctx, `SELECT n FROM counter WHERE id = 1`).Scan(&n); err != nil {
						return err
					}
					if _, err := tx.Exec(ctx, `INSERT INTO log (worker) VALUES (?)`, w); err != nil {
						return err
					}
					_, err := tx.Exec(ctx, `UPDATE counter SET n = ? WHERE id = 1`, n+1)
					return err
				})
				if err != nil {
					errc <- err
				}
			}
		}()
		// Readers run alongside the writers.
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				var n int
				if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM log`).Scan(&n); err != nil {
					errc <- fmt.Errorf("reader: %w", err)
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Errorf("concurrent transaction failed: %v", err)
	}
	var n, logged int
	if err := db.QueryRow(ctx, `SELECT n FROM counter WHERE id = 1`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM log`).Scan(&logged); err != nil {
		t.Fatal(err)
	}
	if n != workers*each || logged != workers*each {
		t.Errorf("counter = %d, log rows = %d, want %d each (lost updates)", n, logged, workers*each)
	}
}

// TestTwoHandlesOnOneFile is the multi-process case: two DBs (two writer
// connections) on the same file. BEGIN IMMEDIATE plus busy_timeout makes the
// second wait instead of failing with "database is locked".
func TestTwoHandlesOnOneFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shared.db")
	var dbs []*sqldb.DB
	for range 2 {
		db, err := sqldb.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		dbs = append(dbs, db)
	}
	mustExec(t, dbs[0], `CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)`)
	mustExec(t, dbs[0], `INSERT INTO counter (id, n) VALUES (1, 0)`)

	const each = 40
	var wg sync.WaitGroup
	errc := make(chan error, 4*each)
	for i := range 4 {
		db := dbs[i%2]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				err := db.InTx(ctx, func(tx *sqldb.Tx) error {
					var n int
					if err := tx.QueryRow(ctx, `SELECT n FROM counter WHERE id = 1`).Scan(&n); err != nil {
						return err
					}
					_, err := tx.Exec(ctx, `UPDATE counter SET n = ? WHERE id = 1`, n+1)
					return err
				})
				if err != nil {
					errc <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Errorf("transaction failed: %v", err)
	}
	var n int
	if err := dbs[1].QueryRow(ctx, `SELECT n FROM counter WHERE id = 1`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 4*each {
		t.Errorf("counter = %d, want %d", n, 4*each)
	}
}

func TestInTxRollsBackOnError(t *testing.T) {
	ctx := context.Background()
	db := openFile(t)
	mustExec(t, db, `CREATE TABLE t (id INTEGER PRIMARY KEY)`)
	boom := errors.New("boom")
	err := db.InTx(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO t (id) VALUES (1)`); err != nil {
			return err
		}
		// The transaction sees its own write.
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM t`).Scan(&n); err != nil || n != 1 {
			return fmt.Errorf("inside tx count = %d (%v)", n, err)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx returned %v, want the function's error", err)
	}
	var n int
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM t`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("after rollback count = %d (%v), want 0", n, err)
	}

	// A panic rolls back too, and the writer is usable afterwards.
	func() {
		defer func() { _ = recover() }()
		_ = db.InTx(ctx, func(tx *sqldb.Tx) error {
			_, _ = tx.Exec(ctx, `INSERT INTO t (id) VALUES (2)`)
			panic("oops")
		})
	}()
	mustExec(t, db, `INSERT INTO t (id) VALUES (3)`)
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM t`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("after panic count = %d (%v), want 1", n, err)
	}
}

func TestIsUniqueViolation(t *testing.T) {
	ctx := context.Background()
	db := openFile(t)
	mustExec(t, db, `CREATE TABLE u (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, note TEXT NOT NULL)`)
	mustExec(t, db, `INSERT INTO u (id, name, note) VALUES (1, 'a', '')`)

	_, uniqueErr := db.Exec(ctx, `INSERT INTO u (id, name, note) VALUES (2, 'a', '')`)
	_, pkErr := db.Exec(ctx, `INSERT INTO u (id, name, note) VALUES (1, 'b', '')`)
	_, notNullErr := db.Exec(ctx, `INSERT INTO u (id, name, note) VALUES (3, 'c', NULL)`)
	_, syntaxErr := db.Exec(ctx, `INSERT INTO nowhere VALUES (1)`)
	var txErr error
	_ = db.InTx(ctx, func(tx *sqldb.Tx) error {
		_, txErr = tx.Exec(ctx, `INSERT INTO u (id, name, note) VALUES (4, 'a', '')`)
		return txErr
	})

	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"unique index", uniqueErr, true},
		{"primary key", pkErr, true},
		{"inside a transaction", txErr, true},
		{"wrapped", fmt.Errorf("store: %w", uniqueErr), true},
		{"postgres 23505", fmt.Errorf("store: %w", &pgconn.PgError{Code: "23505", Message: `duplicate key value violates unique constraint "x"`}), true},
		{"not null", notNullErr, false},
		{"no such table", syntaxErr, false},
		{"postgres other", &pgconn.PgError{Code: "23502", Message: "null value"}, false},
		{"postgres text only", errors.New(`ERROR: duplicate key value (SQLSTATE 23505)`), false},
		{"nil", nil, false},
	}
	for _, tt := range tests {
		if tt.name != "nil" && !strings.HasPrefix(tt.name, "postgres") && tt.err == nil {
			t.Fatalf("%s: expected the statement to fail", tt.name)
		}
		if got := sqldb.IsUniqueViolation(tt.err); got != tt.want {
			t.Errorf("%s: IsUniqueViolation(%v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
}

func TestBackupIsReadableCopy(t *testing.T) {
	ctx := context.Background()
	db := openFile(t)
	mustExec(t, db, `CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)`)
	for i := range 50 {
		mustExec(t, db, `INSERT INTO t (v) VALUES (?)`, fmt.Sprintf("row %d", i))
	}
	dest := filepath.Join(t.TempDir(), "backup.db")
	if err := db.Backup(ctx, dest); err != nil {
		t.Fatalf("Backup: %v", err)
	}
	// The source keeps working after a backup.
	mustExec(t, db, `INSERT INTO t (v) VALUES ('after')`)

	cp, err := sqldb.Open(ctx, dest)
	if err != nil {
		t.Fatalf("open backup: %v", err)
	}
	defer cp.Close()
	var n int
	var last string
	if err := cp.QueryRow(ctx, `SELECT COUNT(*), MAX(v) FROM t WHERE v LIKE 'row %'`).Scan(&n, &last); err != nil {
		t.Fatalf("read backup: %v", err)
	}
	if n != 50 {
		t.Errorf("backup has %d rows, want 50", n)
	}
	var after int
	if err := cp.QueryRow(ctx, `SELECT COUNT(*) FROM t WHERE v = 'after'`).Scan(&after); err != nil || after != 0 {
		t.Errorf("backup has %d rows written after it (%v), want 0", after, err)
	}
	var ok string
	if err := cp.QueryRow(ctx, `PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		t.Errorf("backup integrity_check = %q (%v)", ok, err)
	}

	// A second backup to the same file is refused rather than overwriting it.
	if err := db.Backup(ctx, dest); err == nil {
		t.Error("Backup over an existing file succeeded; want an error")
	}
}

func TestMigrationsTwiceIsNoOp(t *testing.T) {
	ctx := context.Background()
	db := openFile(t)
	n, err := migrations.Up(ctx, db)
	if err != nil {
		t.Fatalf("first Up: %v", err)
	}
	if n < 1 || int64(n) > migrations.Latest() {
		t.Fatalf("first Up applied %d migrations, want 1..%d", n, migrations.Latest())
	}
	var tables int
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('brands', 'users', 'threads', 'posts', 'reputation_events', 'casbin_rule')`).Scan(&tables); err != nil || tables != 6 {
		t.Fatalf("core tables present: %d (%v), want 6", tables, err)
	}
	n, err = migrations.Up(ctx, db)
	if err != nil || n != 0 {
		t.Fatalf("second Up = %d, %v; want 0, nil", n, err)
	}

	// A fresh handle on the same file also finds nothing to do.
	path := db.Path()
	db.Close()
	again, err := sqldb.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if n, err := migrations.Up(ctx, again); err != nil || n != 0 {
		t.Fatalf("Up on reopened database = %d, %v; want 0, nil", n, err)
	}
}

func TestMigrationsRefuseNewerSchema(t *testing.T) {
	ctx := context.Background()
	db := openFile(t)
	if _, err := migrations.Up(ctx, db); err != nil {
		t.Fatal(err)
	}
	// Pretend a newer binary migrated this database.
	future := migrations.Latest() + 1
	mustExec(t, db, `INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, 1)`, future)
	n, err := migrations.Up(ctx, db)
	if !errors.Is(err, migrations.ErrUnknownSchema) {
		t.Fatalf("Up on a newer schema = %d, %v; want ErrUnknownSchema", n, err)
	}
	if !strings.Contains(err.Error(), fmt.Sprint(future)) {
		t.Errorf("error %q should name the database's version %d", err, future)
	}
}

// TestPostgresUniqueAndMigrations checks the PostgreSQL side of the same
// contracts: ? placeholders are rebound, unique violations are recognised,
// migrations are idempotent and a newer schema is refused.
func TestPostgresUniqueAndMigrations(t *testing.T) {
	ctx := context.Background()
	db := sqldbtest.Open(t, sqldb.Postgres) // migrated once already
	if db.Dialect() != sqldb.Postgres {
		t.Fatalf("dialect %s", db.Dialect())
	}
	if n, err := migrations.Up(ctx, db); err != nil || n != 0 {
		t.Fatalf("second Up = %d, %v; want 0, nil", n, err)
	}
	mustExec(t, db, `CREATE TABLE u (id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL UNIQUE)`)
	mustExec(t, db, `INSERT INTO u (name) VALUES (?)`, "a")
	_, dup := db.Exec(ctx, `INSERT INTO u (name) VALUES (?)`, "a")
	if !sqldb.IsUniqueViolation(dup) {
		t.Errorf("duplicate on PostgreSQL: IsUniqueViolation(%v) = false", dup)
	}
	_, notNull := db.Exec(ctx, `INSERT INTO u (name) VALUES (?)`, nil)
	if notNull == nil || sqldb.IsUniqueViolation(notNull) {
		t.Errorf("NOT NULL failure on PostgreSQL: %v", notNull)
	}
	var name string
	if err := db.QueryRow(ctx, `SELECT name FROM u WHERE name = ? AND '?' = '?'`, "a").Scan(&name); err != nil || name != "a" {
		t.Errorf("rebound query = %q, %v", name, err)
	}
	mustExec(t, db, `INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, true)`, migrations.Latest()+1)
	if _, err := migrations.Up(ctx, db); !errors.Is(err, migrations.ErrUnknownSchema) {
		t.Errorf("Up on a newer PostgreSQL schema = %v, want ErrUnknownSchema", err)
	}
	if err := db.Backup(ctx, filepath.Join(t.TempDir(), "x.db")); err == nil {
		t.Error("Backup on PostgreSQL succeeded; it is for SQLite only")
	}
}

// Two transactions that lock the same rows in opposite orders deadlock on
// PostgreSQL; the server aborts one, and InTx runs it again in a fresh
// transaction, so both writes succeed and neither caller sees an error. The
// aborted try's AfterCommit hook is dropped: only the committed try acts.
func TestPostgresDeadlockIsRetried(t *testing.T) {
	ctx := context.Background()
	db := sqldbtest.Open(t, sqldb.Postgres)
	mustExec(t, db, `CREATE TABLE acct (id BIGINT PRIMARY KEY, n BIGINT NOT NULL)`)
	mustExec(t, db, `INSERT INTO acct (id, n) VALUES (1, 0), (2, 0)`)

	// Each transaction locks its first row, waits until the other has
	// locked its own (first run only), then locks the other row.
	var firstRuns sync.WaitGroup
	firstRuns.Add(2)
	var runs, hooks [2]int
	var mu sync.Mutex
	move := func(i int, first, second int64) error {
		return db.InTx(ctx, func(tx *sqldb.Tx) error {
			mu.Lock()
			runs[i]++
			initial := runs[i] == 1
			mu.Unlock()
			tx.AfterCommit(func() { mu.Lock(); hooks[i]++; mu.Unlock() })
			if _, err := tx.Exec(ctx, `UPDATE acct SET n = n + 1 WHERE id = ?`, first); err != nil {
				return err
			}
			if initial {
				firstRuns.Done()
				firstRuns.Wait()
			}
			_, err := tx.Exec(ctx, `UPDATE acct SET n = n + 1 WHERE id = ?`, second)
			return err
		})
	}
	errs := make(chan error, 2)
	go func() { errs <- move(0, 1, 2) }()
	go func() { errs <- move(1, 2, 1) }()
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatalf("a deadlocked transaction was not retried: %v", err)
		}
	}
	if runs[0]+runs[1] < 3 {
		t.Fatalf("runs = %v: the transactions did not deadlock, so the test proves nothing", runs)
	}
	if hooks != [2]int{1, 1} {
		t.Fatalf("AfterCommit hooks ran %v times, want once each: an aborted try's hooks must be dropped", hooks)
	}
	var a, b int64
	if err := db.QueryRow(ctx, `SELECT (SELECT n FROM acct WHERE id = 1), (SELECT n FROM acct WHERE id = 2)`).Scan(&a, &b); err != nil {
		t.Fatal(err)
	}
	if a != 2 || b != 2 {
		t.Fatalf("balances %d, %d; want 2, 2 (each transaction counted once)", a, b)
	}
}

// Int64s reads a column of ids, empty (not nil) when no row matches, and
// passes a query's error through.
func TestInt64s(t *testing.T) {
	ctx := context.Background()
	db := openFile(t)
	mustExec(t, db, `CREATE TABLE n (id INTEGER PRIMARY KEY)`)
	mustExec(t, db, `INSERT INTO n (id) VALUES (3), (1), (2)`)
	got, err := sqldb.Int64s(db.Query(ctx, `SELECT id FROM n ORDER BY id`))
	if err != nil || fmt.Sprint(got) != "[1 2 3]" {
		t.Fatalf("Int64s = %v, %v; want [1 2 3]", got, err)
	}
	none, err := sqldb.Int64s(db.Query(ctx, `SELECT id FROM n WHERE id > 10`))
	if err != nil || none == nil || len(none) != 0 {
		t.Fatalf("no rows: %#v, %v; want an empty slice", none, err)
	}
	if _, err := sqldb.Int64s(db.Query(ctx, `SELECT id FROM missing`)); err == nil {
		t.Fatal("a failing query's error was lost")
	}
}

// On both stores: a function runs once whether it commits or fails, its
// AfterCommit hooks run in order before InTx returns when it commits, and
// are dropped when it fails, panics or its writes are rolled back.
func TestInTxRunsOnceAndHooksFollowTheCommit(t *testing.T) {
	ctx := context.Background()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		mustExec(t, db, `CREATE TABLE hooked (id BIGINT PRIMARY KEY)`)
		boom := errors.New("boom")
		for _, tc := range []struct {
			name string
			end  func() error
			want error
		}{
			{"commits", func() error { return nil }, nil},
			{"fails after writing", func() error { return boom }, boom},
			{"panics after writing", func() error { panic("oops") }, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				mustExec(t, db, `DELETE FROM hooked`)
				runs := 0
				var order []int
				var err error
				func() {
					defer func() { _ = recover() }() // PostgreSQL runs fn on this goroutine: the panic is ours
					err = db.InTx(ctx, func(tx *sqldb.Tx) error {
						runs++
						tx.AfterCommit(func() { order = append(order, 1) })
						if _, err := tx.Exec(ctx, `INSERT INTO hooked (id) VALUES (1)`); err != nil {
							return err
						}
						tx.AfterCommit(func() {
							// The write is visible to others by the time any hook runs.
							var n int
							_ = db.QueryRow(ctx, `SELECT COUNT(*) FROM hooked`).Scan(&n)
							order = append(order, 1+n)
						})
						return tc.end()
					})
				}()
				if runs != 1 {
					t.Fatalf("fn ran %d times, want once", runs)
				}
				var n int
				if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM hooked`).Scan(&n); err != nil {
					t.Fatal(err)
				}
				if tc.name == "commits" {
					if err != nil || n != 1 || fmt.Sprint(order) != "[1 2]" {
						t.Fatalf("InTx = %v, %d rows, hooks %v; want nil, 1, [1 2]", err, n, order)
					}
					return
				}
				if tc.want != nil && !errors.Is(err, tc.want) {
					t.Errorf("InTx = %v, want %v", err, tc.want)
				}
				if n != 0 || len(order) != 0 {
					t.Fatalf("%d rows, hooks %v after a failed transaction; want none", n, order)
				}
			})
		}
	})
}
