package sqldb

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// Every SQLite connection, writer, readers and checkpointer alike, plans
// with the query planner stability guarantee on (see onConnect).
func TestSQLiteConnectionsKeepPlansStable(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "stable.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for name, pool := range map[string]*sql.DB{"writer": db.writer, "reader": db.reader, "checkpointer": db.checkpointer} {
		conn, err := pool.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		err = conn.Raw(func(dc any) error {
			c, ok := dc.(*sqlite3.SQLiteConn)
			if !ok {
				t.Fatalf("%s: driver connection is %T", name, dc)
			}
			on, err := planStable(c)
			if err != nil {
				return err
			}
			if !on {
				t.Errorf("%s: query planner stability guarantee is off", name)
			}
			return nil
		})
		conn.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
}
