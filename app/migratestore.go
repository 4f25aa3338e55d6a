package app

import (
	"context"
	"fmt"
	"io"
	"strings"

	"mutual/forum"
	"mutual/migrations"
	"mutual/sqldb"
)

// copyOrder lists the tables in foreign-key order. threads.accepted_post_id
// points forward at posts, so it is copied empty and set once posts exist.
var copyOrder = []string{
	"brands", "settings", "users", "role_assignments", "sessions", "api_tokens", "boards", "threads",
	"posts", "post_revisions", "kudos", "reputation_events", "casbin_rule", "escalations", "jobs", "rate_counters",
	"escalation_events", "suggestion_opens",
	"flags", "moderation_actions",
	"notify_watches", "notify_follows", "notifications", "notify_outbox", "notify_prefs", "notify_reminders",
	"report_settings", "thread_view_days", "report_view_rollup", "deflection_survey", "contact_clicks", "report_accepts", "report_salts",
	"reputation_settings", "reputation_ranks", "reputation_rollups", "reputation_rings", "reputation_ring_members",
	"escalation_settings", "agents", "escalation_webhooks", "escalation_webhook_attempts",
}

// TableCount is one table's rows in the source and the target after a copy.
type TableCount struct {
	Table          string
	Source, Target int64
}

// CopyStore copies every row of a migrated SQLite database into an empty,
// migrated PostgreSQL database in one transaction, resets the identity
// sequences, and returns the counts per table. It refuses a target that
// already holds brands, and fails if any count differs after the copy.
func CopyStore(ctx context.Context, src, dst *sqldb.DB, progress io.Writer) ([]TableCount, error) {
	if src.Dialect() != sqldb.SQLite || dst.Dialect() != sqldb.Postgres {
		return nil, fmt.Errorf("migrate-store copies SQLite into PostgreSQL (got %s into %s)", src.Dialect(), dst.Dialect())
	}
	var n int64
	if err := dst.QueryRow(ctx, `SELECT COUNT(*) FROM brands`).Scan(&n); err != nil {
		return nil, err
	}
	if n > 0 {
		return nil, fmt.Errorf("the PostgreSQL database already has %d brand(s); migrate-store only fills an empty database", n)
	}
	var counts []TableCount
	err := dst.InTx(ctx, func(tx *sqldb.Tx) error {
		for _, table := range copyOrder {
			copied, err := copyTable(ctx, src, tx, table)
			if err != nil {
				return fmt.Errorf("copy %s: %w", table, err)
			}
			fmt.Fprintf(progress, "  %-18s %d rows\n", table, copied)
			counts = append(counts, TableCount{Table: table, Source: copied})
		}
		// Now that posts exist, restore the accepted answers.
		rows, err := src.Query(ctx, `SELECT id, accepted_post_id FROM threads WHERE accepted_post_id IS NOT NULL`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, post int64
			if err := rows.Scan(&id, &post); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE threads SET accepted_post_id = ? WHERE id = ?`, post, id); err != nil {
				return err
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		// The next id PostgreSQL hands out must follow the copied ones.
		var withIDs []string
		for _, table := range copyOrder {
			if hasIDColumn(table) {
				withIDs = append(withIDs, table)
			}
		}
		if err := dst.ResetSequences(ctx, tx, withIDs...); err != nil {
			return err
		}
		return forum.RebuildSearch(ctx, tx) // search documents are derived, not copied
	})
	if err != nil {
		return nil, err
	}
	if _, err := forum.IndexAllSearch(ctx, dst); err != nil {
		return nil, err
	}
	for i := range counts {
		if err := dst.QueryRow(ctx, `SELECT COUNT(*) FROM `+counts[i].Table).Scan(&counts[i].Target); err != nil {
			return counts, err
		}
		if counts[i].Target != counts[i].Source {
			return counts, fmt.Errorf("table %s: copied %d rows but PostgreSQL has %d", counts[i].Table, counts[i].Source, counts[i].Target)
		}
	}
	return counts, nil
}

func hasIDColumn(table string) bool {
	switch table {
	case "settings", "role_assignments", "sessions", "kudos", "jobs", "rate_counters", "escalation_settings",
		"reputation_settings", "reputation_rollups", "reputation_ring_members":
		return false
	case "report_settings", "thread_view_days", "report_view_rollup", "report_accepts", "report_salts": // issue 8
		return false
	}
	return true
}

// columns reads a SQLite table's column names, so the copy follows the schema
// the migrations made rather than a second list kept by hand.
func columns(ctx context.Context, db *sqldb.DB, table string) ([]string, error) {
	rows, err := db.Query(ctx, `SELECT name FROM pragma_table_info(?) ORDER BY cid`, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		cols = append(cols, c)
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("no such table %s", table)
	}
	return cols, rows.Err()
}

func copyTable(ctx context.Context, src *sqldb.DB, tx *sqldb.Tx, table string) (int64, error) {
	cols, err := columns(ctx, src, table)
	if err != nil {
		return 0, err
	}
	sel := make([]string, len(cols))
	for i, c := range cols {
		sel[i] = c
		if table == "threads" && c == "accepted_post_id" {
			sel[i] = "NULL"
		}
	}
	// Rows go over in insertion order, so ids referenced by later rows
	// exist first; a WITHOUT ROWID table has no rowid and goes in key order.
	var withoutRowid bool
	if err := src.QueryRow(ctx, `SELECT wr FROM pragma_table_list WHERE name = ? AND schema = 'main'`, table).Scan(&withoutRowid); err != nil {
		return 0, fmt.Errorf("table %s: %w", table, err)
	}
	order := " ORDER BY rowid"
	if withoutRowid {
		order = ""
	}
	rows, err := src.Query(ctx, `SELECT `+strings.Join(sel, ", ")+` FROM `+table+order)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	// Stay well under PostgreSQL's 65,535 parameters per statement.
	per := max(1, 10000/len(cols))
	var batch []any
	var copied int64
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		nrows := len(batch) / len(cols)
		var b strings.Builder
		b.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
		one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
		for i := 0; i < nrows; i++ {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(one)
		}
		if _, err := tx.Exec(ctx, b.String(), batch...); err != nil {
			return err
		}
		copied += int64(nrows)
		batch = batch[:0]
		return nil
	}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return 0, err
		}
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				vals[i] = string(b) // SQLite hands TEXT back as bytes; PostgreSQL wants text
			}
		}
		batch = append(batch, vals...)
		if len(batch)/len(cols) >= per {
			if err := flush(); err != nil {
				return 0, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	return copied, flush()
}

// CmdMigrateStore copies a SQLite database into PostgreSQL.
func CmdMigrateStore(ctx context.Context, args []string, out io.Writer) error {
	fs, cfg, err := newFlags("migrate-store", false)
	if err != nil {
		return err
	}
	to := fs.String("to", "", "postgres:// URL of an empty database")
	if err := parse(fs, args); err != nil {
		return err
	}
	if !strings.HasPrefix(*to, "postgres://") && !strings.HasPrefix(*to, "postgresql://") {
		return usageErr("--to must be a postgres:// URL")
	}
	srcCfg := *cfg
	srcCfg.DatabaseURL = ""
	src, err := Open(ctx, srcCfg)
	if err != nil {
		return fmt.Errorf("open SQLite %s: %w", srcCfg.DatabaseTarget(), err)
	}
	defer src.Close()
	dst, err := sqldb.Open(ctx, *to)
	if err != nil {
		return err
	}
	defer dst.Close()
	if _, err := migrations.Up(ctx, dst); err != nil {
		return err
	}
	fmt.Fprintf(out, "copying %s into PostgreSQL\n", srcCfg.DatabaseTarget())
	counts, err := CopyStore(ctx, src, dst, out)
	if err != nil {
		return err
	}
	var total int64
	fmt.Fprintf(out, "\n%-18s %10s %10s\n", "table", "sqlite", "postgres")
	for _, c := range counts {
		fmt.Fprintf(out, "%-18s %10d %10d\n", c.Table, c.Source, c.Target)
		total += c.Target
	}
	fmt.Fprintf(out, "copied %d rows; start Mutual with --db %s\n", total, redact(*to))
	return nil
}

// redact hides a password in a database URL before printing it.
func redact(u string) string {
	at := strings.LastIndex(u, "@")
	scheme := strings.Index(u, "://")
	if at < 0 || scheme < 0 {
		return u
	}
	cred := u[scheme+3 : at]
	if user, _, ok := strings.Cut(cred, ":"); ok {
		return u[:scheme+3] + user + ":***" + u[at:]
	}
	return u
}
