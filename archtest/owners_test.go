package archtest

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// TestOwnersCoverEveryTable keeps the map in step with the migrations: every
// table has an owner, and every owner names a table that exists.
func TestOwnersCoverEveryTable(t *testing.T) {
	root := moduleRoot(t)
	for _, dialect := range []string{"sqlite", "postgres"} {
		tables := migrationTables(t, filepath.Join(root, "migrations", dialect))
		for name := range tables {
			if _, ok := Owners[name]; !ok {
				t.Errorf("%s: table %s has no owner in archtest.Owners", dialect, name)
			}
		}
		for name := range Owners {
			if name == "post_search" && dialect == "postgres" {
				continue // SQLite's FTS table; PostgreSQL searches post_search_thread
			}
			if !tables[name] {
				t.Errorf("%s: archtest.Owners names %s, which no migration creates", dialect, name)
			}
		}
	}
}

var (
	createTable = regexp.MustCompile(`(?i)CREATE\s+(?:VIRTUAL\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?([a-z_][a-z0-9_]*)`)
	renameTable = regexp.MustCompile(`(?i)ALTER\s+TABLE\s+([a-z_][a-z0-9_]*)\s+RENAME\s+TO\s+([a-z_][a-z0-9_]*)`)
	dropTable   = regexp.MustCompile(`(?i)DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?([a-z_][a-z0-9_]*)`)
)

// migrationTables replays the CREATE, RENAME and DROP TABLE statements of
// a dialect's migrations, in order, and returns the tables left.
func migrationTables(t *testing.T, dir string) map[string]bool {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.sql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("migrations in %s: %v", dir, err)
	}
	sort.Strings(files)
	tables := map[string]bool{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		up, _, _ := strings.Cut(string(b), "-- +goose Down")
		for _, stmt := range strings.Split(sqlComment.ReplaceAllString(up, ""), ";") {
			if m := createTable.FindStringSubmatch(stmt); m != nil {
				tables[strings.ToLower(m[1])] = true
			}
			if m := renameTable.FindStringSubmatch(stmt); m != nil {
				delete(tables, strings.ToLower(m[1]))
				tables[strings.ToLower(m[2])] = true
			}
			if m := dropTable.FindStringSubmatch(stmt); m != nil {
				delete(tables, strings.ToLower(m[1]))
			}
		}
	}
	return tables
}

// TestOnlyOwnersWrite fails, naming file and line, when a package writes a
// table it does not own, or reads one across owners without a listed reason.
func TestOnlyOwnersWrite(t *testing.T) {
	root := moduleRoot(t)
	problems, used := check(statements(t, root, "mutual"))
	for _, p := range problems {
		t.Error(p)
	}
	for _, e := range WriteExceptions {
		if !used["w "+e.Package] {
			t.Errorf("archtest.WriteExceptions lists %s, which writes no other owner's table now: remove it", e.Package)
		}
	}
	for _, r := range AllowedReads {
		for _, table := range r.Tables {
			if !used["r "+r.Package+" "+table] {
				t.Errorf("archtest.AllowedReads lets %s read %s, which it no longer does: remove it", r.Package, table)
			}
		}
	}
}

// check returns what breaks the ownership rules in stmts, and which
// exceptions and allowed reads were needed.
func check(stmts []statement) (problems []string, used map[string]bool) {
	used = map[string]bool{}
	for _, s := range stmts {
		if testSupport(s.pkg) {
			continue
		}
		for _, a := range accesses(s.text, Owners) {
			owner, known := Owners[a.table]
			switch {
			case !known:
				problems = append(problems, s.pos+": "+s.pkg+" writes "+a.table+", which has no owner in archtest.Owners")
			case owner == s.pkg:
			case a.write:
				if e, ok := writeException(s.pkg, a.table); ok {
					used["w "+e.Package] = true
					continue
				}
				problems = append(problems, s.pos+": "+s.pkg+" writes "+a.table+", owned by "+owner+": call the owner, or declare an interface it satisfies")
			default:
				if allowedRead(s.pkg, a.table) {
					used["r "+s.pkg+" "+a.table] = true
					continue
				}
				if _, ok := writeException(s.pkg, a.table); ok {
					continue
				}
				problems = append(problems, s.pos+": "+s.pkg+" reads "+a.table+", owned by "+owner+": ask the owner, or list the read in archtest.AllowedReads with its reason")
			}
		}
	}
	return problems, used
}

func testSupport(pkg string) bool {
	return strings.HasSuffix(pkg[strings.LastIndex(pkg, "/")+1:], TestSupport)
}

func writeException(pkg, table string) (Exception, bool) {
	for _, e := range WriteExceptions {
		if e.Package == pkg && (e.Tables == nil || slices.Contains(e.Tables, table)) {
			return e, true
		}
	}
	return Exception{}, false
}

func allowedRead(pkg, table string) bool {
	for _, r := range AllowedReads {
		if r.Package == pkg && slices.Contains(r.Tables, table) {
			return true
		}
	}
	return false
}

// TestCheckFindsForeignWrites proves the detector on a synthetic source: each
// form of write a package might add to another's table is reported with its
// line, and an owner's own writes, prose and reads of its own are not.
func TestCheckFindsForeignWrites(t *testing.T) {
	src := []byte("package escalation\n" + `
func f() {
	_ = "UPDATE threads SET escalated_at = ? WHERE id = ?"
	_ = ` + "`INSERT OR IGNORE INTO\n kudos (post_id) VALUES (?)`" + `
	_ = "DELETE FROM users " + where + " AND id IN (" + placeholders(n) + ")"
	_ = "INSERT INTO escalations (thread_id) VALUES (?) ON CONFLICT (thread_id) DO UPDATE SET priority = excluded.priority"
	_ = "insert into posts (body_md) values (?)"
	_ = "REPLACE INTO settings (key, value) VALUES (?, ?)"
	_ = "WITH x AS (SELECT 1) UPDATE OR REPLACE boards SET post_count = 0"
	_ = "UPDATE escalations SET " + col + " = ? WHERE id = ?"
	_ = "INSERT INTO brand_stickers (id) VALUES (?)"
	_ = fmt.Errorf("update threads: delete from users failed: %w", err)
	_ = "SELECT e.id FROM escalations e WHERE e.brand_id = ?"
	_ = "SELECT t.title FROM escalations e JOIN threads t ON t.id = e.thread_id"
}
`)
	stmts := sourceStatements(t, "mutual/escalation", "escalation/synthetic.go", src)
	problems, _ := check(stmts)
	want := []string{
		"synthetic.go:4:6: mutual/escalation writes threads",
		"synthetic.go:5:6: mutual/escalation writes kudos",
		"synthetic.go:7:6: mutual/escalation writes users",
		"synthetic.go:9:6: mutual/escalation writes posts",
		"synthetic.go:10:6: mutual/escalation writes settings",
		"synthetic.go:11:6: mutual/escalation writes boards",
		"synthetic.go:13:6: mutual/escalation writes brand_stickers, which has no owner",
		// Line 14 is an error message, not SQL; escalation may read threads
		// (AllowedReads), so line 16 is not reported either.
	}
	if len(problems) != len(want) {
		t.Errorf("got %d problems, want %d:\n%s", len(problems), len(want), strings.Join(problems, "\n"))
	}
	for _, w := range want {
		found := false
		for _, p := range problems {
			found = found || strings.Contains(p, w)
		}
		if !found {
			t.Errorf("no problem reported like %q in:\n%s", w, strings.Join(problems, "\n"))
		}
	}

	// A read across owners that is not listed is reported too.
	stmts = sourceStatements(t, "mutual/forum/notify", "notify/synthetic.go", []byte("package notify\nconst q = `SELECT a.id FROM agents a`\n"))
	if problems, _ := check(stmts); len(problems) != 1 || !strings.Contains(problems[0], "synthetic.go:2:11: mutual/forum/notify reads agents") {
		t.Errorf("unlisted read: got %q", problems)
	}
}
