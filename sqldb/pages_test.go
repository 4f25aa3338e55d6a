package sqldb_test

import (
	"context"
	"strings"
	"testing"

	"mutual/sqldb"
)

// TestPagesWrittenCountsWhatCommitsWrite checks the writer's page count
// against writes whose page counts are known: nothing for a read, one page
// for a row in a small table, and for a thousand rows of 1 KB each, at
// least the 250 pages they fill (4 KB pages).
func TestPagesWrittenCountsWhatCommitsWrite(t *testing.T) {
	ctx := context.Background()
	db := openFile(t)
	mustExec(t, db, `CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)`)
	pages := func() int64 {
		t.Helper()
		n, err := db.PagesWritten(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	start := pages()
	var n int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM notes`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if got := pages() - start; got != 0 {
		t.Fatalf("a read wrote %d pages, want 0", got)
	}
	mustExec(t, db, `INSERT INTO notes (body) VALUES ('one')`)
	if got := pages() - start; got != 1 {
		t.Fatalf("one small row wrote %d pages, want 1", got)
	}
	start = pages()
	body := strings.Repeat("x", 1000)
	err := db.InTx(ctx, func(tx *sqldb.Tx) error {
		for range 1000 {
			if _, err := tx.Exec(ctx, `INSERT INTO notes (body) VALUES (?)`, body); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := pages() - start; got < 250 || got > 300 {
		t.Fatalf("a megabyte of rows wrote %d pages, want 250-300", got)
	}
}
