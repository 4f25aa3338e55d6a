package account_test

import (
	"strings"
	"testing"
	"time"

	"mutual/sqldb"
)

// A session, a bearer token and RolesOf read a member's roles each in their
// own statement; all three must agree at every turn of the member's
// standing, and each change must count at the next request.
func TestRolesAlikeOnEverySignIn(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		a := f.actor(t, f.brand.ID, "standing")
		sess, err := f.members.StartSession(ctx, f.brand.ID, a.UserID)
		if err != nil {
			t.Fatal(err)
		}
		tok, err := f.members.CreateToken(ctx, f.brand.ID, a.UserID, "standing")
		if err != nil {
			t.Fatal(err)
		}
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := f.db.Exec(ctx, q, args...); err != nil {
				t.Fatal(err)
			}
		}
		now := sqldb.Millis(f.clock.Now())
		steps := []struct {
			name   string
			change func()
			want   string
		}{
			{"new member", func() {}, "member"},
			{"earns trust", func() {
				exec(`UPDATE users SET reputation = 600 WHERE id = ?`, a.UserID)
				exec(`UPDATE brands SET rep_trusted = 500 WHERE id = ?`, f.brand.ID)
			}, "member,trusted"},
			{"granted roles too", func() {
				for _, r := range []string{"moderator", "trusted", "agent"} {
					if err := f.members.Grant(ctx, f.brand.ID, a.UserID, r); err != nil {
						t.Fatal(err)
					}
				}
			}, "member,agent,moderator,trusted"},
			{"suspended", func() {
				exec(`UPDATE users SET suspended_until = ? WHERE id = ?`, now+int64(time.Hour/time.Millisecond), a.UserID)
			}, "anonymous"},
			{"suspension over", func() {
				exec(`UPDATE users SET suspended_until = ? WHERE id = ?`, now-1, a.UserID)
			}, "member,agent,moderator,trusted"},
			{"banned", func() { exec(`UPDATE users SET banned_at = ? WHERE id = ?`, now, a.UserID) }, "anonymous"},
			{"unbanned, trust raised past them", func() {
				exec(`UPDATE users SET banned_at = NULL WHERE id = ?`, a.UserID)
				exec(`UPDATE brands SET rep_trusted = 1000 WHERE id = ?`, f.brand.ID)
				exec(`DELETE FROM role_assignments WHERE user_id = ? AND role = 'trusted'`, a.UserID)
			}, "member,agent,moderator"},
			{"a listening tool", func() {
				exec(`INSERT INTO role_assignments (brand_id, user_id, role, created_at) VALUES (?, ?, 'integration', ?)`, f.brand.ID, a.UserID, now)
			}, "integration"},
		}
		for _, st := range steps {
			st.change()
			roles, err := f.members.RolesOf(ctx, f.brand.ID, a.UserID)
			if err != nil {
				t.Fatalf("%s: RolesOf: %v", st.name, err)
			}
			s, err := f.members.Session(ctx, f.brand.ID, sess.Token)
			if err != nil {
				t.Fatalf("%s: Session: %v", st.name, err)
			}
			ta, err := f.members.TokenActor(ctx, f.brand.ID, tok)
			if err != nil {
				t.Fatalf("%s: TokenActor: %v", st.name, err)
			}
			for via, got := range map[string][]string{"RolesOf": roles, "Session": s.Actor.Roles, "TokenActor": ta.Roles} {
				if strings.Join(got, ",") != st.want {
					t.Errorf("%s: %s roles = %v, want %s", st.name, via, got, st.want)
				}
			}
		}
	})
}
