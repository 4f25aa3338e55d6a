package storecopy

import (
	"context"
	"slices"
	"testing"

	"mutual/sqldb"
	"mutual/sqldb/sqldbtest"
)

// Every table the migrations create is copied by migrate-store (or is named
// here as deliberately left behind), so a new table cannot be lost in a move
// to PostgreSQL.
func TestCopyOrderCoversEveryTable(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	rows, err := db.Query(context.Background(), `SELECT name FROM sqlite_master WHERE type = 'table'
AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'post_search%' AND name <> 'goose_db_version'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(copyOrder, name) {
			t.Errorf("table %s is not in copyOrder: migrate-store would leave its rows behind", name)
		}
	}
}
