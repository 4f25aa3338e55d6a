package moderation_test

import (
	"context"
	"encoding/csv"
	"os"
	"strings"
	"testing"
	"time"

	"mutual/account"
	"mutual/forum"
	"mutual/internal/testkit"
	"mutual/moderation"
	"mutual/sqldb"
	"mutual/sqldb/sqldbtest"
)

var ctx = context.Background()

// The roles, in the order of the columns of the matrix below.
var roles = []string{"anonymous", "member", "trusted", "moderator", "agent", "client_manager", "editor", "admin", "sales", "integration"}

const (
	Y = true
	N = false
)

// matrix is the expected decision for every role and every (obj, act) pair of
// policy.csv, written out by hand: changing the policy must change this table.
var matrix = []struct {
	obj, act string
	//      anonymous member trusted moderator agent client_manager editor admin sales integration
	allow [10]bool
}{
	{"board", "read", [10]bool{Y, Y, Y, Y, Y, Y, Y, Y, Y, Y}},
	{"thread", "read", [10]bool{Y, Y, Y, Y, Y, Y, Y, Y, Y, Y}},
	{"profile", "read", [10]bool{Y, Y, Y, Y, Y, Y, Y, Y, Y, Y}},
	{"account", "create", [10]bool{Y, Y, Y, Y, Y, Y, Y, Y, Y, Y}},
	{"session", "create", [10]bool{Y, Y, Y, Y, Y, Y, Y, Y, Y, Y}},
	{"thread", "create", [10]bool{N, Y, Y, Y, Y, Y, Y, Y, Y, N}},
	{"post", "create", [10]bool{N, Y, Y, Y, Y, Y, Y, Y, Y, N}},
	{"post", "edit", [10]bool{N, Y, Y, Y, Y, Y, Y, Y, Y, N}},
	{"answer", "accept", [10]bool{N, Y, Y, Y, Y, Y, Y, Y, Y, N}},
	{"kudos", "give", [10]bool{N, Y, Y, Y, Y, Y, Y, Y, Y, N}},
	{"me", "read", [10]bool{N, Y, Y, Y, Y, Y, Y, Y, Y, N}},
	{"session", "delete", [10]bool{N, Y, Y, Y, Y, Y, Y, Y, Y, N}},
	{"post", "edit_any", [10]bool{N, N, N, Y, N, N, N, Y, N, N}},
	{"answer", "accept_any", [10]bool{N, N, N, Y, N, N, N, Y, N, N}},
	{"queue", "read", [10]bool{N, N, N, Y, Y, N, N, Y, N, N}},
	{"report", "read", [10]bool{N, N, N, N, N, Y, N, Y, N, N}},
	{"trends", "read", [10]bool{N, N, N, N, N, Y, N, Y, N, N}}, // the radar's trends page and weekly mail
	{"brand", "manage", [10]bool{N, N, N, N, N, N, N, Y, N, N}},
	{"flag", "create", [10]bool{N, Y, Y, Y, Y, Y, Y, Y, Y, N}},
	{"modqueue", "read", [10]bool{N, N, Y, Y, N, N, N, Y, N, N}},
	{"modqueue", "decide", [10]bool{N, N, Y, Y, N, N, N, Y, N, N}},
	{"post", "moderate", [10]bool{N, N, N, Y, N, N, N, Y, N, N}},
	{"thread", "moderate", [10]bool{N, N, N, Y, N, N, N, Y, N, N}},
	{"member", "moderate", [10]bool{N, N, N, Y, N, N, N, Y, N, N}},
	{"audit", "read", [10]bool{N, N, N, Y, N, Y, N, Y, N, N}},
	{"role", "manage", [10]bool{N, N, N, N, N, N, N, Y, N, N}},
	// notifications
	{"notification", "read", [10]bool{N, Y, Y, Y, Y, Y, Y, Y, Y, N}},
	{"notification", "manage", [10]bool{N, Y, Y, Y, Y, Y, Y, Y, Y, N}},
	{"watch", "manage", [10]bool{N, Y, Y, Y, Y, Y, Y, Y, Y, N}},
	{"notification", "unsubscribe", [10]bool{Y, Y, Y, Y, Y, Y, Y, Y, Y, Y}},
	{"email", "verify", [10]bool{Y, Y, Y, Y, Y, Y, Y, Y, Y, Y}},
	{"survey", "answer", [10]bool{Y, Y, Y, Y, Y, Y, Y, Y, Y, Y}}, // "Did this save you contacting us?"
	{"contact", "visit", [10]bool{Y, Y, Y, Y, Y, Y, Y, Y, Y, Y}}, // counted "Contact us"
	{"leaderboard", "read", [10]bool{Y, Y, Y, Y, Y, Y, Y, Y, Y, Y}},
	{"kudos_ring", "review", [10]bool{N, N, N, Y, N, N, N, Y, N, N}},
	{"reputation_export", "read", [10]bool{N, N, N, N, N, Y, N, Y, N, N}},
	{"escalation", "request", [10]bool{N, Y, Y, Y, Y, Y, Y, Y, Y, N}},
	{"escalation", "read", [10]bool{N, N, N, Y, Y, N, N, Y, N, N}},
	{"escalation", "work", [10]bool{N, N, N, N, Y, N, N, Y, N, N}},
	{"escalation", "supervise", [10]bool{N, N, N, Y, N, N, N, Y, N, N}},
	{"suggestion", "open", [10]bool{N, Y, Y, Y, Y, Y, Y, Y, Y, N}}, // discovery: Ask-page suggestion opens
	// Members' data rights: one's own data, anyone's (administrators), the brand's policy.
	{"account_data", "export", [10]bool{N, Y, Y, Y, Y, Y, Y, Y, Y, N}},
	{"account_data", "erase", [10]bool{N, Y, Y, Y, Y, Y, Y, Y, Y, N}},
	{"member_data", "export", [10]bool{N, N, N, N, N, N, N, Y, N, N}},
	{"member_data", "erase", [10]bool{N, N, N, N, N, N, N, Y, N, N}},
	{"privacy", "manage", [10]bool{N, N, N, N, N, N, N, Y, N, N}},
	// Accounts: anyone may ask for a password reset; members manage their own API tokens.
	{"password", "reset", [10]bool{Y, Y, Y, Y, Y, Y, Y, Y, Y, Y}},
	{"token", "manage", [10]bool{N, Y, Y, Y, Y, Y, Y, Y, Y, N}},
	{"language", "manage", [10]bool{N, Y, Y, Y, Y, Y, Y, Y, Y, N}},
	// Intelligence: client managers read the signals report, the sales team
	// its leads, members choose whether sales may contact them, and a
	// listening tool's account pushes mentions and nothing else.
	{"signals", "read", [10]bool{N, N, N, N, N, Y, N, Y, N, N}},
	{"lead", "read", [10]bool{N, N, N, N, N, N, N, Y, Y, N}},
	{"marketing", "manage", [10]bool{N, Y, Y, Y, Y, Y, Y, Y, Y, N}},
	{"mention", "create", [10]bool{N, N, N, N, N, N, N, N, N, Y}},
	// The brand's ticketing system: its callback secret.
	{"ticketing", "manage", [10]bool{N, N, N, N, N, N, N, Y, N, N}},
	// The knowledge base: everyone reads published articles, members report
	// them out of date, trusted members and staff propose, editors review.
	{"article", "read", [10]bool{Y, Y, Y, Y, Y, Y, Y, Y, Y, Y}},
	{"article", "report", [10]bool{N, Y, Y, Y, Y, Y, Y, Y, Y, N}},
	{"article", "propose", [10]bool{N, N, Y, Y, Y, N, Y, Y, N, N}},
	{"article", "review", [10]bool{N, N, N, N, N, N, Y, Y, N, N}},
	// Incidents: the brand's agents and moderators work them; its administrators set their SLA and contacts.
	{"incident", "read", [10]bool{N, N, N, Y, Y, N, N, Y, N, N}},
	{"incident", "work", [10]bool{N, N, N, Y, Y, N, N, Y, N, N}},
	{"incident", "manage", [10]bool{N, N, N, N, N, N, N, Y, N, N}},
	// Not in the policy at all: default deny for everyone.
	{"brand", "delete", [10]bool{N, N, N, N, N, N, N, N, N, N}},
	{"post", "destroy_everything", [10]bool{N, N, N, N, N, N, N, N, N, N}},
}

type fixture struct {
	db      *sqldb.DB
	members *account.Members
	authz   *moderation.Authorizer
	a, b    forum.Brand
}

// eachStore runs fn on a fresh fixture in every store: a SQLite file, and a
// PostgreSQL schema when MUTUAL_TEST_POSTGRES names a server (required in CI).
func eachStore(t *testing.T, fn func(t *testing.T, f *fixture)) {
	t.Helper()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) { fn(t, newFixture(t, db)) })
}

func newFixture(t *testing.T, db *sqldb.DB) *fixture {
	t.Helper()
	now := func() time.Time { return time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC) }
	brands := forum.NewBrands(db, now)
	f := &fixture{db: db, members: account.NewMembers(db, now)}
	f.a = testkit.Brand(t, brands, forum.NewBrand{Host: "alpha.test", Name: "Alpha", Default: true})
	f.b = testkit.Brand(t, brands, forum.NewBrand{Host: "beta.test", Name: "Beta"})
	var err error
	if f.authz, err = moderation.NewAuthorizer(ctx, db); err != nil {
		t.Fatal(err)
	}
	return f
}

// actorWith makes an account in brand, grants role there (anonymous is the
// visitor) and returns the actor exactly as a session would: roles read back
// through account.Members.RolesOf (testkit.Member).
func (f *fixture) actorWith(t *testing.T, brand forum.Brand, name, role string) account.Actor {
	t.Helper()
	if role == "anonymous" {
		return account.Anonymous(brand.ID)
	}
	return testkit.Member(t, f.members, account.Unclaimed{BrandID: brand.ID, Username: name}, role)
}

func (f *fixture) actorIn(t *testing.T, brand forum.Brand, userID int64, name string) account.Actor {
	t.Helper()
	rs, err := f.members.RolesOf(ctx, brand.ID, userID)
	if err != nil {
		t.Fatal(err)
	}
	return account.Actor{UserID: userID, BrandID: brand.ID, Username: name, Roles: rs}
}

// TestMatrixCoversPolicy: every (obj, act) the policy file names has a row in
// the matrix, so a new rule cannot slip in untested.
func TestMatrixCoversPolicy(t *testing.T) {
	raw, err := os.ReadFile("policy.csv")
	if err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(strings.NewReader(string(raw)))
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	inMatrix := map[string]bool{}
	for _, row := range matrix {
		inMatrix[row.obj+"/"+row.act] = true
	}
	policyRoles := map[string]bool{}
	pairs := 0
	for _, rec := range recs {
		switch rec[0] {
		case "p":
			pairs++
			if !inMatrix[rec[3]+"/"+rec[4]] {
				t.Errorf("policy rule %v has no row in the matrix", rec)
			}
			policyRoles[rec[1]] = true
		case "g":
			policyRoles[rec[1]], policyRoles[rec[2]] = true, true
		}
	}
	if pairs == 0 {
		t.Fatal("no p rules read from policy.csv")
	}
	for r := range policyRoles {
		found := false
		for _, x := range roles {
			found = found || x == r
		}
		if !found {
			t.Errorf("policy role %q is not a column of the matrix", r)
		}
	}
	// account.Roles (what can be granted) plus the visitor are the columns.
	if got := strings.Join(append([]string{"anonymous"}, account.Roles...), ","); got != strings.Join(roles, ",") {
		t.Errorf("account.Roles = %s; the matrix columns are %s", got, strings.Join(roles, ","))
	}
}

// TestRoleMatrix walks every role x every (obj, act), in two brands: the
// default policy applies to every brand alike.
func TestRoleMatrix(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		for _, brand := range []forum.Brand{f.a, f.b} {
			actors := make([]account.Actor, len(roles))
			for i, r := range roles {
				actors[i] = f.actorWith(t, brand, brand.Host[:4]+"_"+strings.ReplaceAll(r, "_", ""), r)
			}
			for _, row := range matrix {
				for i, r := range roles {
					if got := f.authz.Can(actors[i], row.obj, row.act); got != row.allow[i] {
						t.Errorf("%s: %s may %s %s = %v, want %v", brand.Host, r, row.act, row.obj, got, row.allow[i])
					}
				}
			}
		}
	})
}

// TestBrandDenyRule: a brand's own deny row overrides the default there and
// only there, and reaches every role built on the denied one.
func TestBrandDenyRule(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		memberA := f.actorWith(t, f.a, "member_a", "member")
		trustedA := f.actorWith(t, f.a, "trusted_a", "trusted")
		adminA := f.actorWith(t, f.a, "admin_a", "admin")
		memberB := f.actorWith(t, f.b, "member_b", "member")
		for _, a := range []account.Actor{memberA, trustedA, adminA, memberB} {
			if !f.authz.Can(a, "kudos", "give") {
				t.Fatalf("%s cannot give kudos before any brand rule", a.Username)
			}
		}
		if err := f.authz.AddBrandRule(f.a.ID, "member", "kudos", "give", "deny"); err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			actor account.Actor
			want  bool
		}{
			{memberA, false}, {trustedA, false}, {adminA, false}, // inherit member, so inherit the denial
			{memberB, true}, // another brand is untouched
		} {
			if got := f.authz.Can(tt.actor, "kudos", "give"); got != tt.want {
				t.Errorf("after deny in alpha: %s (brand %d) may give kudos = %v, want %v", tt.actor.Username, tt.actor.BrandID, got, tt.want)
			}
		}
		// Other acts in brand A are unaffected.
		if !f.authz.Can(memberA, "post", "create") || !f.authz.Can(adminA, "brand", "manage") {
			t.Error("a kudos denial changed other permissions")
		}

		// The rule is stored: a new authorizer on the same database enforces it.
		again, err := moderation.NewAuthorizer(ctx, f.db)
		if err != nil {
			t.Fatal(err)
		}
		if again.Can(memberA, "kudos", "give") || !again.Can(memberB, "kudos", "give") {
			t.Error("the brand rule did not survive a reload from the database")
		}

		// A brand may also allow what the default does not, for itself only.
		if err := f.authz.AddBrandRule(f.b.ID, "member", "queue", "read", "allow"); err != nil {
			t.Fatal(err)
		}
		if !f.authz.Can(memberB, "queue", "read") || f.authz.Can(memberA, "queue", "read") {
			t.Error("a brand allow rule leaked or did not apply")
		}
		if err := f.authz.Reload(); err != nil {
			t.Fatal(err)
		}
		if !f.authz.Can(memberB, "queue", "read") {
			t.Error("allow rule lost after Reload")
		}
	})
}

// TestRolesDoNotCrossBrands: a role granted in brand A means nothing in
// brand B, where the same person is a plain member (or nobody).
func TestRolesDoNotCrossBrands(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		for _, role := range []string{"moderator", "agent", "client_manager", "admin"} {
			a := f.actorWith(t, f.a, "x_"+strings.ReplaceAll(role, "_", ""), role)
			// The same user id looked up in brand B: only the implicit member role.
			inB := f.actorIn(t, f.b, a.UserID, a.Username)
			if strings.Join(inB.Roles, ",") != "member" {
				t.Errorf("%s of alpha has roles %v in beta", role, inB.Roles)
			}
			for _, row := range matrix {
				memberAllowed := row.allow[1]
				if got := f.authz.Can(inB, row.obj, row.act); got != memberAllowed {
					t.Errorf("%s of alpha, in beta: may %s %s = %v, want %v (a member's right)", role, row.act, row.obj, got, memberAllowed)
				}
			}
			// In its own brand the role keeps its column of the matrix.
			col := 0
			for i, r := range roles {
				if r == role {
					col = i
				}
			}
			for _, row := range matrix {
				if got := f.authz.Can(a, row.obj, row.act); got != row.allow[col] {
					t.Errorf("%s of alpha, in alpha: may %s %s = %v, want %v", role, row.act, row.obj, got, row.allow[col])
				}
			}
		}
		// Brand-level rules are per domain even for the same role name.
		if err := f.authz.AddBrandRule(f.a.ID, "moderator", "report", "read", "allow"); err != nil {
			t.Fatal(err)
		}
		modA := f.actorWith(t, f.a, "mod_alpha", "moderator")
		modB := f.actorWith(t, f.b, "mod_beta", "moderator")
		if !f.authz.Can(modA, "report", "read") || f.authz.Can(modB, "report", "read") {
			t.Error("a brand rule for moderators crossed brands")
		}
	})
}
