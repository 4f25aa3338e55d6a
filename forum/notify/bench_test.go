package notify_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"mutual/account"
	"mutual/forum"
	"mutual/forum/notify"
	"mutual/markup"
	"mutual/migrations"
	"mutual/sqldb"
)

// BenchmarkReply measures what notifications add to posting a reply: the
// same reply without the hook, and with it for threads of 1, 100 and 1,000
// watchers (all with confirmed addresses and immediate mail, the most
// expensive case: a notification and an outbox row each). Fan-out is one
// INSERT ... SELECT per kind, so the statements per reply stay fixed and only
// the rows written grow.
//
//	go test ./forum/notify -run '^$' -bench BenchmarkReply -benchtime 2s
func BenchmarkReply(b *testing.B) {
	for _, tc := range []struct {
		name     string
		hook     bool
		watchers int
	}{
		{"without-notify", false, 0},
		{"watchers=1", true, 1},
		{"watchers=100", true, 100},
		{"watchers=1000", true, 1000},
	} {
		b.Run(tc.name, func(b *testing.B) {
			db := sqldbOpen(b)
			f := benchFixture(b, db, tc.hook)
			asker := f.benchMember(b, "asker")
			peer := f.benchMember(b, "peer")
			th, err := f.svc.Ask(ctx, asker, forum.NewThread{BoardID: f.board.ID, Title: "A busy thread with watchers", Body: "Everyone watches this one."})
			if err != nil {
				b.Fatal(err)
			}
			if tc.watchers > 1 {
				// Watchers in bulk (the asker is the first).
				now := f.clock.Now().UnixMilli()
				err := db.InTx(ctx, func(tx *sqldb.Tx) error {
					for i := 1; i < tc.watchers; i++ {
						var id int64
						if err := tx.QueryRow(ctx, `INSERT INTO users (brand_id, username, username_key, email, email_key, password_hash, created_at, email_verified_at)
VALUES (?, ?, ?, ?, ?, 'x', ?, ?) RETURNING id`, f.brand.ID, fmt.Sprintf("w%d", i), fmt.Sprintf("w%d", i), fmt.Sprintf("w%d@example.com", i),
							fmt.Sprintf("w%d@example.com", i), now, now).Scan(&id); err != nil {
							return err
						}
						if _, err := tx.Exec(ctx, `INSERT INTO notify_watches (brand_id, thread_id, user_id, created_at) VALUES (?, ?, ?, ?)`, f.brand.ID, th.ID, id, now); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				if _, err := f.svc.Reply(ctx, peer, th.ID, forum.NewReply{Body: fmt.Sprintf("Reply number %d to the busy thread.", i)}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func sqldbOpen(b *testing.B) *sqldb.DB {
	b.Helper()
	return sqldbtestOpen(b)
}

// BenchmarkReplyLargeDB is BenchmarkReply on a copy of the generated
// 100k-thread / 1M-post database: replies by one member into random threads,
// without and with notifications (each reply then watches the replier and the
// asker and notifies the asker, with mail queued when their address is
// confirmed).
//
//	cp -r /work/benchdata/100k /tmp/notify-bench
//	NOTIFY_BENCH_DB=/tmp/notify-bench/mutual.db go test ./forum/notify -run '^$' -bench ReplyLargeDB -benchtime 300x
func BenchmarkReplyLargeDB(b *testing.B) {
	path := os.Getenv("NOTIFY_BENCH_DB")
	if path == "" {
		b.Skip("set NOTIFY_BENCH_DB to a copy of a generated database")
	}
	db, err := sqldb.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := migrations.Up(ctx, db); err != nil {
		b.Fatal(err)
	}
	var brandID, userID, threads int64
	if err := db.QueryRow(ctx, `SELECT brand_id, id FROM users WHERE username_key = 'bench1'`).Scan(&brandID, &userID); err != nil {
		b.Fatal(err)
	}
	if err := db.QueryRow(ctx, `SELECT MAX(id) FROM threads`).Scan(&threads); err != nil {
		b.Fatal(err)
	}
	actor := account.Actor{UserID: userID, BrandID: brandID, Username: "bench1", Roles: []string{"member"}}
	for _, hook := range []bool{false, true} {
		name := "without-notify"
		if hook {
			name = "with-notify"
		}
		b.Run(name, func(b *testing.B) {
			svc := forum.NewService(db, markup.NewRenderer(), time.Now)
			if hook {
				st := notify.New(db, time.Now)
				st.Mail = true
				svc.Subscribe(st.Hook)
			}
			rng := rand.New(rand.NewPCG(1, 2))
			for i := 0; b.Loop(); i++ {
				th := 1 + rng.Int64N(threads)
				if _, err := svc.Reply(ctx, actor, th, forum.NewReply{Body: fmt.Sprintf("Benchmark reply %d with some words about roaming and data plans.", i)}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
