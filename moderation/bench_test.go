package moderation_test

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"mutual/account"
	"mutual/fault"
	"mutual/forum"
	"mutual/markup"
	"mutual/migrations"
	"mutual/moderation"
	"mutual/sqldb"
)

// The moderation benchmarks run on a copy of the big shared database:
//
//	cp -r /work/benchdata/100k /tmp/mod-bench
//	MUTUAL_BENCH_DB=/tmp/mod-bench/mutual.db go test -run '^$' -bench Moderation -benchtime 200x ./moderation/
//
// The first run migrates the copy and adds 300 open flags, 100 held posts
// and 5,000 audit rows; later runs reuse them.
type benchStore struct {
	db     *sqldb.DB
	member account.Actor // an established member: every admission check applies
	svc    *forum.Service
	mod    *moderation.Service
	brand  forum.Brand
	modr   account.Actor
	posts  []int64
	th     int64
}

var (
	benchOnce sync.Once
	benchS    *benchStore
	benchErr  error
)

func openBench(b *testing.B) *benchStore {
	b.Helper()
	path := os.Getenv("MUTUAL_BENCH_DB")
	if path == "" {
		b.Skip("set MUTUAL_BENCH_DB to a copy of /work/benchdata/100k/mutual.db")
	}
	benchOnce.Do(func() { benchS, benchErr = setupBench(path) })
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchS
}

func setupBench(path string) (*benchStore, error) {
	db, err := sqldb.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	if _, err := migrations.Up(ctx, db); err != nil {
		return nil, err
	}
	now := func() time.Time { return time.Now().UTC() }
	s := &benchStore{db: db, svc: forum.NewService(db, markup.NewRenderer(), now)}
	s.mod = moderation.NewService(db, s.svc)
	members := account.NewMembers(db, now)
	if s.brand, err = forum.NewBrands(db, now).Default(ctx); err != nil {
		return nil, err
	}
	actor := func(name string) (account.Actor, error) {
		u, err := members.ByUsername(ctx, s.brand.ID, name)
		if err != nil {
			return account.Actor{}, fmt.Errorf("%s: %w", name, err)
		}
		rs, err := members.RolesOf(ctx, s.brand.ID, u.ID)
		return account.Actor{UserID: u.ID, BrandID: s.brand.ID, Username: name, Roles: rs}, err
	}
	if err := members.Grant(ctx, s.brand.ID, mustID(members, s.brand.ID, "bench1"), "moderator"); err != nil {
		return nil, err
	}
	if s.modr, err = actor("bench1"); err != nil {
		return nil, err
	}
	if s.member, err = actor("bench5"); err != nil {
		return nil, err
	}
	rows, err := db.Query(ctx, `SELECT id FROM posts WHERE brand_id = ? AND is_question = 0 AND status = 'visible' ORDER BY id DESC LIMIT 600`, s.brand.ID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		s.posts = append(s.posts, id)
	}
	rows.Close()
	if err := db.QueryRow(ctx, `SELECT thread_id FROM posts WHERE id = ?`, s.posts[0]).Scan(&s.th); err != nil {
		return nil, err
	}
	var flags int
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM flags`).Scan(&flags); err != nil {
		return nil, err
	}
	if flags > 0 {
		return s, nil
	}
	flaggers := []account.Actor{}
	for _, n := range []string{"bench2", "bench3", "bench4"} {
		a, err := actor(n)
		if err != nil {
			return nil, err
		}
		flaggers = append(flaggers, a)
	}
	for i, id := range s.posts[300:600] {
		if _, err := s.mod.FlagPost(ctx, flaggers[i%3], id, "spam", "benchmark"); err != nil && !isOwn(err) {
			return nil, err
		}
	}
	if _, err := db.Exec(ctx, `UPDATE posts SET status = 'pending' WHERE id IN (SELECT id FROM posts WHERE brand_id = ? AND is_question = 0 ORDER BY id LIMIT 100)`, s.brand.ID); err != nil {
		return nil, err
	}
	for i := range 5000 {
		if _, err := s.mod.ActOnPerson(ctx, s.modr, fmt.Sprintf("bench%d", 2+i%15), moderation.Warn, time.Time{}, "benchmark warning"); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// isOwn: a flagger's own post, or one they flagged already, is refused; skip it.
func isOwn(err error) bool {
	return errors.Is(err, fault.ErrForbidden) || errors.Is(err, fault.ErrConflict)
}

func mustID(m *account.Members, brandID int64, name string) int64 {
	u, err := m.ByUsername(ctx, brandID, name)
	if err != nil {
		panic(err)
	}
	return u.ID
}

func BenchmarkModerationQueue(b *testing.B) {
	s := openBench(b)
	for b.Loop() {
		items, _, err := s.mod.Queue(ctx, s.brand.ID, forum.Cursor{}, moderation.QueueLimit, false)
		if err != nil || len(items) == 0 {
			b.Fatal(len(items), err)
		}
	}
}

func BenchmarkModerationAuditPage(b *testing.B) {
	s := openBench(b)
	for b.Loop() {
		rows, _, err := s.mod.Audit(ctx, s.brand.ID, moderation.AuditFilter{}, moderation.AuditLimit)
		if err != nil || len(rows) == 0 {
			b.Fatal(err)
		}
	}
}

func BenchmarkModerationAuditByActor(b *testing.B) {
	s := openBench(b)
	for b.Loop() {
		if _, _, err := s.mod.Audit(ctx, s.brand.ID, moderation.AuditFilter{Actor: "bench1", Act: moderation.ActUserWarned}, moderation.AuditLimit); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkModerationHideUnhide: two audited acts per op, each its own
// transaction with counters, flags and event.
func BenchmarkModerationHideUnhide(b *testing.B) {
	s := openBench(b)
	id := s.posts[10]
	for b.Loop() {
		if _, err := s.mod.ActOnPost(ctx, s.modr, id, moderation.Hide, "bench"); err != nil {
			b.Fatal(err)
		}
		if _, err := s.mod.ActOnPost(ctx, s.modr, id, moderation.Unhide, "bench"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkModerationReplyAdmission: a reply with every admission check on
// (standing, lock, links, duplicates, spam bursts, new-member limits).
func BenchmarkModerationReplyAdmission(b *testing.B) {
	s := openBench(b)
	s.svc.Limits = forum.DefaultPostLimits()
	defer func() { s.svc.Limits = nil }()
	i := 0
	for b.Loop() {
		i++
		if _, err := s.svc.Reply(ctx, s.member, s.th, forum.NewReply{Body: fmt.Sprintf("Benchmark reply %d %d", time.Now().UnixNano(), i)}); err != nil {
			b.Fatal(err)
		}
	}
}
