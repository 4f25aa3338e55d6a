package reputation_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"mutual/account"
	"mutual/forum"
	"mutual/internal/testkit"
	"mutual/markup"
	"mutual/reputation"
	"mutual/sqldb"
	"mutual/sqldb/sqldbtest"
)

// kudosGraph builds a window's kudos for FindRings: counts by giver and
// receiver.
type kudosGraph map[[2]int64]int64

func (g kudosGraph) give(from, to, n int64) {
	if from != to {
		g[[2]int64{from, to}] += n
	}
}

// both has a and b give each other n kudos.
func (g kudosGraph) both(a, b, n int64) { g.give(a, b, n); g.give(b, a, n) }

// dense has every member give every other n kudos.
func (g kudosGraph) dense(members []int64, n int64) {
	for _, a := range members {
		for _, b := range members {
			g.give(a, b, n)
		}
	}
}

// edges lists the graph in a random order (FindRings must not care).
func (g kudosGraph) edges(rng *rand.Rand) reputation.KudosEdges {
	var ts [][3]int64
	for k, n := range g {
		ts = append(ts, [3]int64{k[0], k[1], n})
	}
	slices.SortFunc(ts, func(x, y [3]int64) int { return slices.Compare(x[:], y[:]) })
	rng.Shuffle(len(ts), func(i, j int) { ts[i], ts[j] = ts[j], ts[i] })
	return reputation.MakeKudosEdges(ts)
}

func ids(from, to int64) []int64 {
	var out []int64
	for id := from; id <= to; id++ {
		out = append(out, id)
	}
	return out
}

// honest adds members from..to who each give one kudos to the next two and
// to a helper (id 999), and get one back from the next: a sparse community
// with many single mutual kudos.
func (g kudosGraph) honest(from, to int64) {
	for id := from; id <= to; id++ {
		next := from + (id-from+1)%(to-from+1)
		g.give(id, next, 1)
		g.give(next, id, 1)
		g.give(id, from+(id-from+2)%(to-from+1), 1)
		g.give(id, 999, 1)
	}
}

func ringsOf(found []reputation.FoundRing) string {
	var out []string
	for _, f := range found {
		out = append(out, fmt.Sprint(f.Members))
	}
	return fmt.Sprint(out)
}

// The shapes a community takes around a ring, at the default rules (at
// least 10 kudos inside, 60% share, at most 6 accounts), in memory.
func TestFindRingsShapes(t *testing.T) {
	cases := []struct {
		name  string
		build func(g kudosGraph)
		want  string
	}{
		{"a ring alone", func(g kudosGraph) { g.dense(ids(1, 3), 4) }, "[[1 2 3]]"},
		{"a pair", func(g kudosGraph) { g.both(1, 2, 5) }, "[[1 2]]"},
		{"a pair below the minimum kudos", func(g kudosGraph) { g.both(1, 2, 4) }, "[]"},
		{"one way is not a tie", func(g kudosGraph) { g.give(1, 2, 20); g.give(2, 1, 1) }, "[]"},
		{"a ring of single kudos is not tied", func(g kudosGraph) { g.dense(ids(1, 6), 1) }, "[]"},
		{"one mutual kudos with a sparse community", func(g kudosGraph) {
			g.dense(ids(1, 3), 4)
			g.honest(100, 150)
			g.both(1, 100, 1)
		}, "[[1 2 3]]"},
		{"a tie of 3 each way to an honest member", func(g kudosGraph) {
			g.dense(ids(1, 3), 4)
			g.honest(100, 150)
			g.both(1, 100, 3)
			g.both(2, 120, 2)
		}, "[[1 2 3]]"},
		{"a tie to a tight circle larger than the limit", func(g kudosGraph) {
			g.dense(ids(1, 3), 4)
			g.dense(ids(100, 107), 3)
			g.both(1, 100, 3)
		}, "[[1 2 3]]"},
		{"a ring of six, one close to an honest member", func(g kudosGraph) {
			g.dense(ids(1, 6), 3)
			g.both(1, 100, 4)
			for id := int64(101); id < 105; id++ {
				g.give(100, id, 1)
			}
		}, "[[1 2 3 4 5 6]]"},
		{"an associate who gives the ring all their kudos joins it", func(g kudosGraph) {
			g.dense(ids(1, 3), 4)
			g.both(1, 4, 2)
			g.both(2, 4, 2)
		}, "[[1 2 3 4]]"},
		{"two rings", func(g kudosGraph) {
			g.dense(ids(1, 3), 4)
			g.dense(ids(4, 5), 6)
			g.honest(100, 120)
			g.both(5, 110, 1)
		}, "[[1 2 3] [4 5]]"},
		{"two rings tied together fit as one", func(g kudosGraph) {
			g.dense(ids(1, 3), 4)
			g.dense(ids(4, 6), 4)
			g.both(3, 4, 2)
		}, "[[1 2 3 4 5 6]]"},
		{"honest friends who mostly give to others", func(g kudosGraph) {
			g.both(1, 2, 5)
			for id := int64(10); id < 18; id++ {
				g.give(1, id, 1)
				g.give(2, id+10, 1)
			}
		}, "[]"},
		{"a popular helper thanked back once", func(g kudosGraph) {
			for id := int64(10); id < 40; id++ {
				g.give(id, 1, 3)
				g.give(1, id, 1)
			}
		}, "[]"},
		{"a popular helper thanked back twice", func(g kudosGraph) {
			for id := int64(10); id < 40; id++ {
				g.give(id, 1, 3)
				g.give(1, id, 2)
			}
		}, "[]"},
		{"a dense group of 7", func(g kudosGraph) { g.dense(ids(1, 7), 3) }, "[]"},
		{"a dense group of 12", func(g kudosGraph) { g.dense(ids(1, 12), 3) }, "[]"},
		{"a chain", func(g kudosGraph) {
			for id := int64(1); id < 20; id++ {
				g.both(id, id+1, 3)
			}
		}, "[]"},
		{"a ring that gives half elsewhere", func(g kudosGraph) {
			g.dense(ids(1, 3), 4)
			g.honest(100, 150)
			for id := int64(1); id <= 3; id++ {
				for k := range int64(8) {
					g.give(id, 100+10*id+k, 1)
				}
			}
		}, "[]"},
	}
	rules := reputation.DefaultRules()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := kudosGraph{}
			tc.build(g)
			rng := rand.New(rand.NewPCG(1, 2))
			got := ringsOf(reputation.FindRings(g.edges(rng), rules))
			if got != tc.want {
				t.Errorf("rings = %s, want %s", got, tc.want)
			}
			if again := ringsOf(reputation.FindRings(g.edges(rng), rules)); again != got {
				t.Errorf("another order of the same kudos found %s, then %s", got, again)
			}
		})
	}
}

// synthCommunity is a brand's month of kudos at scale: members honest
// accounts (ids 1..members) giving about kudos kudos in all, a third of them
// to a hundredth of the members (the helpers), with pairs of friends and
// a few tight circles larger than the ring limit; and planted rings (ids
// above members), each tied to the community by single mutual kudos, some by
// stronger ties too. It returns the kudos and the planted rings.
func synthCommunity(members, kudos int, seed uint64) (kudosGraph, [][]int64) {
	rng := rand.New(rand.NewPCG(seed, 7))
	g := kudosGraph{}
	m := int64(members)
	member := func() int64 { return 1 + rng.Int64N(m) }
	helpers := m / 100
	// Friends: disjoint pairs who exchange 2..4 each way.
	for a := int64(1); a+1 <= m/10; a += 2 {
		g.both(a, a+1, 2+rng.Int64N(3))
	}
	// Circles of 8, all giving each other 3.
	for c := range int64(5) {
		g.dense(ids(m/2+10*c, m/2+10*c+7), 3)
	}
	var rings [][]int64
	next := m + 1
	for i := range 12 {
		size := int64(2 + i%4)
		ring := ids(next, next+size-1)
		next += size
		rings = append(rings, ring)
		g.dense(ring, 6)
		for _, id := range ring {
			g.give(id, member(), 1)
			g.give(member(), id, 1)
		}
		g.both(ring[0], member(), 1)
		if size > 2 {
			g.both(ring[1], 1+rng.Int64N(m/10), 2) // a friend, tied
		}
	}
	for n := total(g); n < int64(kudos); {
		from, to := member(), member()
		if rng.IntN(3) == 0 {
			to = 1 + rng.Int64N(helpers)
		}
		if from != to {
			g.give(from, to, 1)
			n++
		}
	}
	return g, rings
}

func total(g kudosGraph) int64 {
	var n int64
	for _, k := range g {
		n += k
	}
	return n
}

// At scale the planted rings are found, each exactly, and nobody else.
func TestFindRingsAtScale(t *testing.T) {
	g, rings := synthCommunity(20_000, 200_000, 1)
	edges := g.edges(rand.New(rand.NewPCG(3, 4)))
	start := time.Now()
	found := reputation.FindRings(edges, reputation.DefaultRules())
	t.Logf("%d edges, %d kudos: %d rings in %v", len(edges), total(g), len(found), time.Since(start))
	var want []string
	for _, r := range rings {
		want = append(want, fmt.Sprint(r))
	}
	if got := ringsOf(found); got != fmt.Sprint(want) {
		t.Errorf("rings = %s\nwant %s", got, fmt.Sprint(want))
	}
}

// BenchmarkFindRings measures the search over a month of kudos (200k among
// 20k members, and 1M among 100k), once the grouped query has read them.
func BenchmarkFindRings(b *testing.B) {
	for _, size := range []struct{ members, kudos int }{{20_000, 200_000}, {100_000, 1_000_000}} {
		b.Run(fmt.Sprintf("%dk-members-%dk-kudos", size.members/1000, size.kudos/1000), func(b *testing.B) {
			g, rings := synthCommunity(size.members, size.kudos, 1)
			edges := g.edges(rand.New(rand.NewPCG(3, 4)))
			rules := reputation.DefaultRules()
			b.ReportAllocs()
			for b.Loop() {
				if found := reputation.FindRings(edges, rules); len(found) != len(rings) {
					b.Fatalf("%d rings, want %d", len(found), len(rings))
				}
			}
		})
	}
}

// kudos is n kudos from one member to another, by username.
type kudos struct {
	from, to string
	n        int
}

// giveKudos creates the members named in gives (in order of mention) and
// has each give through the service, on replies in one thread: each member
// writes as many replies as the most kudos one giver gives them.
func (c *community) giveKudos(t *testing.T, gives []kudos) {
	t.Helper()
	actors := map[string]account.Actor{}
	var names []string
	posts := map[string]int{}
	for _, k := range gives {
		for _, name := range []string{k.from, k.to} {
			if _, ok := actors[name]; !ok {
				actors[name] = c.actor(t, name)
				names = append(names, name)
			}
		}
		posts[k.to] = max(posts[k.to], k.n)
	}
	th := c.ask(t, actors[names[0]], "Kudos everywhere")
	replies := map[string][]forum.Post{}
	for _, name := range names {
		for i := range posts[name] {
			replies[name] = append(replies[name], c.reply(t, actors[name], th, fmt.Sprintf("%s reply %d", name, i)))
		}
	}
	for _, k := range gives {
		for _, p := range replies[k.to][:k.n] {
			if _, err := c.svc.GiveKudos(ctx, actors[k.from], p.ID); err != nil {
				t.Fatalf("%s gives %s kudos: %v", k.from, k.to, err)
			}
		}
		c.clk.Add(time.Minute)
	}
}

// ring has every member give every other n kudos.
func ring(n int, members ...string) []kudos {
	var out []kudos
	for _, a := range members {
		for _, b := range members {
			if a != b {
				out = append(out, kudos{a, b, n})
			}
		}
	}
	return out
}

// both has a and b give each other n kudos.
func both(a, b string, n int) []kudos { return []kudos{{a, b, n}, {b, a, n}} }

// sparse is a community of members prefix00.. who each give one kudos to
// either neighbour (so each pair of neighbours exchanges one each way) and
// one to the member seven along.
func sparse(prefix string, members int) []kudos {
	name := func(i int) string { return fmt.Sprintf("%s%02d", prefix, (i+members)%members) }
	var out []kudos
	for i := range members {
		out = append(out, kudos{name(i), name(i + 1), 1}, kudos{name(i), name(i - 1), 1}, kudos{name(i), name(i + 7), 1})
	}
	return out
}

// Rings inside a wider community, through the service and the store, at the
// default rules (at least 10 kudos inside, 60% share, at most 6 accounts).
func TestKudosRingsInCommunity(t *testing.T) {
	cases := []struct {
		name  string
		gives [][]kudos
		want  []string // each ring's members, sorted
	}{
		{"a ring tied by one mutual kudos to a community of 50", [][]kudos{
			ring(4, "rr1", "rr2", "rr3"), sparse("h", 50), both("rr1", "h00", 1),
		}, []string{"rr1 rr2 rr3"}},
		{"two separate rings", [][]kudos{
			ring(4, "ra1", "ra2", "ra3"), ring(6, "rb1", "rb2"), sparse("h", 10),
			both("ra1", "h00", 1), both("rb1", "h05", 1),
		}, []string{"ra1 ra2 ra3", "rb1 rb2"}},
		{"honest friends who mostly give to others", [][]kudos{
			both("friend1", "friend2", 5),
			{{"friend1", "other0", 1}, {"friend1", "other1", 1}, {"friend1", "other2", 1}, {"friend1", "other3", 1}, {"friend1", "other4", 1}, {"friend1", "other5", 1}, {"friend1", "other6", 1}, {"friend1", "other7", 1}},
			{{"friend2", "other0", 1}, {"friend2", "other1", 1}, {"friend2", "other2", 1}, {"friend2", "other3", 1}, {"friend2", "other4", 1}, {"friend2", "other5", 1}, {"friend2", "other6", 1}, {"friend2", "other7", 1}},
		}, nil},
		// A dense group of 7 is past ring_max_size (6): neither it nor any
		// 6 of it is a ring; a ring tied to it is one.
		{"a dense group larger than the limit", [][]kudos{
			ring(2, "dense0", "dense1", "dense2", "dense3", "dense4", "dense5", "dense6"), ring(4, "rr1", "rr2", "rr3"), both("rr1", "dense0", 2),
		}, []string{"rr1 rr2 rr3"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			eachStore(t, func(t *testing.T, f *fixture) {
				c := newCommunity(t, f)
				c.configure(t, relaxed)
				c.giveKudos(t, slices.Concat(tc.gives...))
				n, err := reputation.DetectRings(ctx, c.db, c.brand.ID, c.clk.Now())
				if err != nil || n != len(tc.want) {
					t.Errorf("DetectRings = %d, %v; want %d", n, err, len(tc.want))
				}
				rings, err := reputation.Rings(ctx, c.db, c.brand.ID, reputation.RingOpen, 10)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, g := range rings {
					var names []string
					for _, m := range g.Members {
						names = append(names, m.Username)
					}
					got = append(got, strings.Join(names, " "))
					if g.SharePct() < 60 || g.KudosInside < 10 {
						t.Errorf("ring %s: %d kudos inside, %d%% of what they gave", got[len(got)-1], g.KudosInside, g.SharePct())
					}
				}
				slices.Sort(got)
				if fmt.Sprint(got) != fmt.Sprint(tc.want) {
					t.Errorf("rings = %q, want %q", got, tc.want)
				}
			})
		})
	}
}

// BenchmarkDetectRings measures a whole scan of a SQLite brand holding a
// month of 200k kudos among 20k members (synthCommunity): the grouped query,
// the search and recording the 12 rings.
func BenchmarkDetectRings(b *testing.B) {
	f := newFixture(b, sqldbtest.Open(b, sqldb.SQLite))
	now := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	g, rings := synthCommunity(20_000, 200_000, 1)
	asker, err := f.members.CreateUnclaimed(ctx, account.Unclaimed{BrandID: f.brand.ID, Username: "asker", CreatedAt: now})
	if err != nil {
		b.Fatal(err)
	}
	svc := forum.NewService(f.db, markup.NewRenderer(), func() time.Time { return now.Add(-40 * 24 * time.Hour) })
	board := testkit.Board(b, svc, f.brand.ID, forum.NewBoard{Name: "Help", Description: "Help"})
	th := testkit.Ask(b, svc, account.Actor{UserID: asker.ID, BrandID: f.brand.ID, Username: "asker"}, forum.NewThread{BoardID: board.ID, Title: "Many kudos", Body: "Many kudos"})
	// Members are users 1000+id; each gets as many replies as the most
	// kudos one giver gives them, numbered from 1,000,000.
	members, posts := map[int64]bool{}, map[int64]int64{}
	for k, n := range g {
		members[k[0]], members[k[1]] = true, true
		posts[k[1]] = max(posts[k[1]], n)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	err = f.db.InTx(ctx, func(tx *sqldb.Tx) error {
		for id := range members {
			if _, err := tx.Exec(ctx, `INSERT INTO users (id, brand_id, username, username_key, created_at) VALUES (?, ?, ?, ?, ?)`,
				1000+id, f.brand.ID, fmt.Sprint("m", id), fmt.Sprint("m", id), now.Add(-60*24*time.Hour).UnixMilli()); err != nil {
				return err
			}
		}
		first, next := map[int64]int64{}, int64(1_000_000)
		for id, n := range posts {
			first[id] = next
			for range n {
				if _, err := tx.Exec(ctx, `INSERT INTO posts (id, brand_id, thread_id, author_id, body_md, body_html, created_at) VALUES (?, ?, ?, ?, 'x', '<p>x</p>', ?)`,
					next, f.brand.ID, th.ID, 1000+id, now.Add(-35*24*time.Hour).UnixMilli()); err != nil {
					return err
				}
				next++
			}
		}
		var rows []any
		flush := func() error {
			if len(rows) == 0 {
				return nil
			}
			q := `INSERT INTO kudos (brand_id, post_id, user_id, created_at) VALUES ` + strings.Repeat("(?, ?, ?, ?), ", len(rows)/4-1) + `(?, ?, ?, ?)`
			_, err := tx.Exec(ctx, q, rows...)
			rows = rows[:0]
			return err
		}
		for k, n := range g {
			for i := range n {
				at := now.Add(-time.Duration(rng.Int64N(int64(29 * 24 * time.Hour)))).UnixMilli()
				rows = append(rows, f.brand.ID, first[k[1]]+i, 1000+k[0], at)
				if len(rows) == 4*500 {
					if err := flush(); err != nil {
						return err
					}
				}
			}
		}
		return flush()
	})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if n, err := reputation.DetectRings(ctx, f.db, f.brand.ID, now); err != nil || n != len(rings) {
			b.Fatalf("DetectRings = %d, %v; want %d", n, err, len(rings))
		}
	}
}
