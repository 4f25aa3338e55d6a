// Package storecopy moves a Mutual database from SQLite to PostgreSQL: every
// row of every table, in one transaction, checked by counting afterwards.
// It serves `mutual migrate-store`; the table list follows the migrations.
package storecopy

import (
	"context"
	"fmt"
	"io"
	"strings"

	"mutual/search"
	"mutual/sqldb"
)

// copyOrder lists the tables in foreign-key order. threads.accepted_post_id
// points forward at posts, so it is copied empty and set once posts exist.
var copyOrder = []string{
	"brands", "settings", "users", "role_assignments", "sessions", "api_tokens", "password_resets", "boards", "threads",
	"posts", "post_revisions", "kudos", "reputation_events", "casbin_rule", "escalations", "jobs", "rate_counters",
	"escalation_events", "suggestion_opens",
	"flags", "moderation_actions",
	"notify_watches", "notify_follows", "notifications", "notify_outbox", "notify_prefs", "notify_reminders",
	"report_settings", "thread_view_days", "report_view_rollup", "deflection_survey", "contact_clicks", "report_accepts", "report_salts",
	"reputation_settings", "reputation_ranks", "reputation_rollups", "reputation_rings", "reputation_ring_members",
	"escalation_settings", "agents", "incidents", "incident_threads", "incident_settings", "escalation_webhooks", "escalation_webhook_attempts",
	"sso_providers", "sso_identities", "sso_flows", "sso_settings",
	"username_holds", "privacy_settings",
	"copilot_settings",
	"ticketing_settings", "ticketing_updates", "ticketing_signatures", "holdout_exposures",
	"post_signals",
	// The knowledge base and its readers.
	"kb_articles", "kb_article_revisions", "kb_article_sources", "kb_article_credits", "kb_article_reports", "article_view_days",
	"radar_groups", "radar_threads", "radar_bands", "radar_term_days", "radar_bursts",
}

// TableCount is one table's rows in the source and the target after a copy.
type TableCount struct {
	Table          string
	Source, Target int64
}

// Copy copies every row of a migrated SQLite database into an empty,
// migrated PostgreSQL database in one transaction, resets the identity
// sequences, and returns the counts per table. It refuses a target that
// already holds brands, and fails if any count differs after the copy.
// Each table's count goes to progress as it is copied.
func Copy(ctx context.Context, src, dst *sqldb.DB, progress io.Writer) ([]TableCount, error) {
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
		var err error
		counts, err = copyAll(ctx, src, dst, tx, progress)
		return err
	})
	if err != nil {
		return nil, err
	}
	if _, err := search.IndexAll(ctx, dst); err != nil {
		return nil, err
	}
	return counts, verify(ctx, dst, counts)
}

// copyAll copies the tables in order inside the target's transaction, then
// restores what the order could not carry: accepted answers, the identity
// sequences and the derived search documents.
func copyAll(ctx context.Context, src, dst *sqldb.DB, tx *sqldb.Tx, progress io.Writer) ([]TableCount, error) {
	var counts []TableCount
	for _, table := range copyOrder {
		copied, err := copyTable(ctx, src, tx, table)
		if err != nil {
			return nil, fmt.Errorf("copy %s: %w", table, err)
		}
		fmt.Fprintf(progress, "  %-18s %d rows\n", table, copied)
		counts = append(counts, TableCount{Table: table, Source: copied})
	}
	if err := restoreAccepted(ctx, src, tx); err != nil {
		return nil, err
	}
	// The next id PostgreSQL hands out must follow the copied ones.
	var withIDs []string
	for _, table := range copyOrder {
		if hasIDColumn(table) {
			withIDs = append(withIDs, table)
		}
	}
	if err := dst.ResetSequences(ctx, tx, withIDs...); err != nil {
		return nil, err
	}
	return counts, search.Rebuild(ctx, tx) // search documents are derived, not copied
}

// restoreAccepted sets threads' accepted answers, now that posts exist.
func restoreAccepted(ctx context.Context, src *sqldb.DB, tx *sqldb.Tx) error {
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
	return rows.Err()
}

// verify counts each table in the target after the commit and fills in
// counts' Target; a count that differs from the source fails the copy.
func verify(ctx context.Context, dst *sqldb.DB, counts []TableCount) error {
	for i := range counts {
		if err := dst.QueryRow(ctx, `SELECT COUNT(*) FROM `+counts[i].Table).Scan(&counts[i].Target); err != nil {
			return err
		}
		if counts[i].Target != counts[i].Source {
			return fmt.Errorf("table %s: copied %d rows but PostgreSQL has %d", counts[i].Table, counts[i].Source, counts[i].Target)
		}
	}
	return nil
}

func hasIDColumn(table string) bool {
	switch table {
	case "settings", "role_assignments", "sessions", "kudos", "jobs", "rate_counters", "escalation_settings",
		"reputation_settings", "reputation_rollups", "reputation_ring_members":
		return false
	case "report_settings", "thread_view_days", "report_view_rollup", "report_accepts", "report_salts":
		return false
	case "sso_flows", "sso_settings", "username_holds", "privacy_settings":
		return false
	case "ticketing_settings", "ticketing_signatures", "kb_article_revisions", "kb_article_sources", "kb_article_credits", "article_view_days", "radar_threads", "radar_bands", "radar_term_days":
		return false
	case "incident_threads", "incident_settings":
		return false
	case "copilot_settings", "post_signals":
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

// blobColumns are a SQLite table's BLOB columns, copied as bytes (BYTEA),
// not as text.
func blobColumns(ctx context.Context, db *sqldb.DB, table string) (map[string]bool, error) {
	rows, err := db.Query(ctx, `SELECT name FROM pragma_table_info(?) WHERE upper(type) = 'BLOB'`, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out[n] = true
	}
	return out, rows.Err()
}

// copyTable copies one table's rows in batched INSERTs and returns how many.
func copyTable(ctx context.Context, src *sqldb.DB, tx *sqldb.Tx, table string) (int64, error) {
	cols, err := columns(ctx, src, table)
	if err != nil {
		return 0, err
	}
	blobs, err := blobColumns(ctx, src, table)
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
	order, err := rowOrder(ctx, src, table)
	if err != nil {
		return 0, err
	}
	rows, err := src.Query(ctx, `SELECT `+strings.Join(sel, ", ")+` FROM `+table+order)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	ins := inserter{tx: tx, table: table, cols: cols}
	// Stay well under PostgreSQL's 65,535 parameters per statement.
	per := max(1, 10000/len(cols))
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
			if b, ok := v.([]byte); ok && !blobs[cols[i]] {
				vals[i] = string(b) // SQLite hands TEXT back as bytes; PostgreSQL wants text
			}
		}
		ins.batch = append(ins.batch, vals...)
		if len(ins.batch)/len(cols) >= per {
			if err := ins.flush(ctx); err != nil {
				return 0, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	return ins.copied, ins.flush(ctx)
}

// rowOrder is the ORDER BY that sends rows over in insertion order, so ids
// referenced by later rows exist first; a WITHOUT ROWID table has no rowid
// and goes in key order.
func rowOrder(ctx context.Context, src *sqldb.DB, table string) (string, error) {
	var withoutRowid bool
	if err := src.QueryRow(ctx, `SELECT wr FROM pragma_table_list WHERE name = ? AND schema = 'main'`, table).Scan(&withoutRowid); err != nil {
		return "", fmt.Errorf("table %s: %w", table, err)
	}
	if withoutRowid {
		return "", nil
	}
	return " ORDER BY rowid", nil
}

// inserter writes a batch of rows as one multi-row INSERT.
type inserter struct {
	tx     *sqldb.Tx
	table  string
	cols   []string
	batch  []any // len(cols) values per row
	copied int64
}

func (in *inserter) flush(ctx context.Context) error {
	if len(in.batch) == 0 {
		return nil
	}
	nrows := len(in.batch) / len(in.cols)
	var b strings.Builder
	b.WriteString("INSERT INTO " + in.table + " (" + strings.Join(in.cols, ", ") + ") VALUES ")
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(in.cols)), ", ") + ")"
	for i := 0; i < nrows; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(one)
	}
	if _, err := in.tx.Exec(ctx, b.String(), in.batch...); err != nil {
		return err
	}
	in.copied += int64(nrows)
	in.batch = in.batch[:0]
	return nil
}
