package escalation_test

import (
	"fmt"
	"testing"
	"time"

	"mutual/escalation"
	"mutual/migrations"
	"mutual/sqldb"
	"mutual/sqldb/sqldbtest"
)

// The report settings kept their own agent SLA beside the escalation
// settings'. Moving to one setting keeps what an admin chose on the report
// page when the escalation SLA was never set, keeps the escalation SLA where
// both were set, and leaves a brand that set neither on the default.
func TestAgentSLAMigratesToEscalationSettings(t *testing.T) {
	for _, d := range sqldbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			db, err := sqldb.Open(ctx, sqldbtest.Target(t, d))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			if err := migrations.UpTo(ctx, db, 22); err != nil {
				t.Fatal(err)
			}
			exec := func(q string, args ...any) {
				t.Helper()
				if _, err := db.Exec(ctx, q, args...); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			// 1: changed on the report page only; 2: set in both places;
			// 3: saved the report page with its 4-hour default; 4: neither.
			for id := 1; id <= 4; id++ {
				exec(`INSERT INTO brands (id, host, name, created_at) VALUES (?, ?, ?, 0)`, id, fmt.Sprintf("b%d.test", id), "Brand")
			}
			exec(`INSERT INTO report_settings (brand_id, agent_sla_seconds, updated_at) VALUES (1, 7200, 5), (2, 10800, 5), (3, 14400, 5)`)
			exec(`INSERT INTO escalation_settings (brand_id, agent_sla_seconds, updated_at) VALUES (2, 1800, 5)`)
			if _, err := migrations.Up(ctx, db); err != nil {
				t.Fatal(err)
			}
			svc := escalation.New(db, time.Now)
			for id, want := range map[int64]time.Duration{1: 2 * time.Hour, 2: 30 * time.Minute, 3: escalation.DefaultAgentSLA, 4: escalation.DefaultAgentSLA} {
				st, err := svc.Settings(ctx, db, id)
				if err != nil {
					t.Fatal(err)
				}
				if st.AgentSLA != want {
					t.Errorf("brand %d: agent SLA %s, want %s", id, st.AgentSLA, want)
				}
			}
			var n int
			if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM report_settings`).Scan(&n); err != nil || n != 3 {
				t.Errorf("report settings rows = %d, %v; want the 3 kept", n, err)
			}
		})
	}
}
