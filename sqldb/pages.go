package sqldb

/*
// sqlite3_db_status is SQLite's, compiled into mattn/go-sqlite3's package;
// the final link resolves it there.
extern int sqlite3_db_status(void *db, int op, int *cur, int *hi, int reset);

// cache_writes is SQLITE_DBSTATUS_CACHE_WRITE: pages the connection has
// written out (to the WAL, in WAL mode) since it opened; -1 on failure.
static long long cache_writes(void *db) {
	int cur = 0, hi = 0;
	if (sqlite3_db_status(db, 9, &cur, &hi, 0) != 0) return -1;
	return cur;
}
*/
import "C"

import (
	"context"
	"errors"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// PagesWritten is how many pages the writer has written to the WAL since it
// opened, by SQLite's own count, background work included. Every page
// written is later copied into the database file and synced, so pages per
// write is what a write costs the disk and the checkpointer; benchmarks
// report it because, unlike time on a shared machine, no noise moves it.
// It waits for the writer between two transactions. PostgreSQL: always 0.
func (db *DB) PagesWritten(ctx context.Context) (int64, error) {
	if db.dialect == Postgres {
		return 0, nil
	}
	c, err := db.writer.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	var n int64
	err = c.Raw(func(dc any) error {
		sc, ok := dc.(*sqlite3.SQLiteConn)
		if !ok {
			return errors.New("sqldb: the writer is not a SQLite connection")
		}
		h, err := connHandle(sc)
		if err != nil {
			return err
		}
		if n = int64(C.cache_writes(h)); n < 0 {
			return errors.New("sqldb: SQLite refused its page count")
		}
		return nil
	})
	return n, err
}
