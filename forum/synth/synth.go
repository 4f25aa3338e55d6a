// Package synth generates a deterministic synthetic community for load tests
// and benchmarks: brands, boards, members, threads, replies, kudos, accepted
// answers and view counts, with the skew of a real forum (a few members write
// most answers, a few threads get most views, first answers arrive after
// hours with a long tail). The same seed always writes the same rows.
//
// It writes straight into the tables in large transactions, keeping every
// counter the forum service maintains consistent, and finishes by rebuilding
// reputation from the ledger. It wants a database without threads.
package synth

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"mutual/account"
	"mutual/fault"
	"mutual/forum"
	"mutual/markup"
	"mutual/reputation"
	"mutual/search"
	"mutual/sqldb"
)

// Calibration, measured once from the beer.stackexchange.com dump
// (/work/shared/data/stackexchange, Posts.xml: 591 questions, 567 answered by
// someone other than the asker). Time to first answer quantiles, in hours:
// p10 0.30, p25 1.10, p50 6.57, p75 33.1, p90 174, p99 8874. A log-normal fits
// with median 6.57 h and sigma 2.53 ((ln p75 - ln p25) / 1.349). There the top
// 10% of answerers wrote 51% of answers, the top 10% of questions by views had
// 80% of the views, the median question had 255 views and 2.5% of questions
// went unanswered.
const (
	firstAnswerMedianHours = 6.57
	firstAnswerSigma       = 2.53
	// Later replies follow the first one faster.
	nextReplyMedianHours = 3.0
	nextReplySigma       = 1.6
	// Answer authors are Zipf-distributed over a brand's members: P(rank k)
	// proportional to (1+k)^-1.1. With 20,000 members the top 10% write about
	// 85% of answers, with 200 members about 65%.
	answerZipfS = 1.1
	answerZipfV = 1.0
	// Views are Pareto with alpha 1.16 (top 10% of threads get about 73% of
	// views) and scale 115 (median about 250).
	viewsAlpha = 1.16
	viewsScale = 115.0
	// Support forums leave more questions unanswered than Stack Exchange.
	unansweredShare = 0.06
	acceptedShare   = 0.45 // of answered threads
	askerReplyShare = 0.10 // later replies written by the asker ("thanks, that worked")
	maxReplies      = 1000 // per thread
	maxMeanReplies  = 100
	span            = 730 * 24 * time.Hour // threads are created over two years...
	quietTail       = 7 * 24 * time.Hour   // ...ending a week before End
)

// Defaults for Options.
const (
	DefaultBenchMembers  = 16
	DefaultBenchPassword = "bench-password-123"
	DefaultBatchThreads  = 1000
	boardsPerBrand       = 4
)

// DefaultEnd is the fixed "now" of generated data, so that a seed alone
// decides every row.
var DefaultEnd = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// ErrNotEmpty is returned when the database already has threads.
var ErrNotEmpty = errors.New("synth: the database already has threads; generate into a fresh data directory")

// Options say what to generate.
type Options struct {
	Threads int    // threads to create, at least 1
	Posts   int    // posts including each thread's question, so replies = Posts - Threads
	Seed    uint64 // the same seed writes the same rows
	Brands  int    // brands sharing the threads evenly; the default brand (localhost) is the first; 0 means 1
	// BenchMembers are extra members of the default brand named bench1,
	// bench2, ... who can sign in with BenchPassword; they write nothing.
	BenchMembers  int    // 0 means DefaultBenchMembers; negative means none
	BenchPassword string // "" means DefaultBenchPassword
	End           time.Time
	BatchThreads  int // threads per transaction; 0 means DefaultBatchThreads
	// Incidents are bursts of paraphrased questions about one outage on one
	// board of the default brand, injected in the last four weeks of the
	// traffic; Result.Incidents records them with their threads.
	Incidents int
	// Progress, when set, is called after each committed batch with the
	// number of posts written so far (out of Posts).
	Progress func(postsDone int64)
}

// Result counts what was written.
type Result struct {
	Brands, Boards, Members             int
	Threads, Posts, Replies, Unanswered int
	Accepted, Kudos, ReputationEvents   int
	BenchUsernames                      []string
	Incidents                           []Incident
	BenchPassword                       string
	DistinctBodies                      int
}

func (o *Options) normalise() error {
	if o.Brands == 0 {
		o.Brands = 1
	}
	if o.BenchMembers == 0 {
		o.BenchMembers = DefaultBenchMembers
	}
	if o.BenchMembers < 0 {
		o.BenchMembers = 0
	}
	if o.BenchPassword == "" {
		o.BenchPassword = DefaultBenchPassword
	}
	if o.End.IsZero() {
		o.End = DefaultEnd
	}
	if o.BatchThreads <= 0 {
		o.BatchThreads = DefaultBatchThreads
	}
	switch {
	case o.Threads < 1 || o.Threads > 10_000_000:
		return errors.New("synth: threads must be 1 to 10,000,000")
	case o.Posts < o.Threads:
		return errors.New("synth: posts counts each thread's question, so it must be at least threads")
	case o.Posts-o.Threads > maxMeanReplies*o.Threads:
		return fmt.Errorf("synth: at most %d replies per thread on average", maxMeanReplies)
	case o.Brands < 1 || o.Brands > 1000 || o.Brands > o.Threads:
		return errors.New("synth: brands must be 1 to 1000 and no more than threads")
	case o.Incidents < 0 || o.Incidents > 1000:
		return errors.New("synth: incidents must be 0 to 1000")
	case o.BenchMembers > 1000:
		return errors.New("synth: at most 1000 bench members")
	case len(o.BenchPassword) < account.MinPasswordLen:
		return fmt.Errorf("synth: bench password must be at least %d characters", account.MinPasswordLen)
	}
	return nil
}

// Independent random streams, so changing one part (say the body pool size)
// leaves the others' draws alone.
const (
	streamPlan = iota + 1
	streamBodies
	streamMembers
	streamThreads
	streamIncidents
)

func stream(seed uint64, n uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15*n))
}

// brandPlan is one brand's boards and members.
type brandPlan struct {
	id      int64
	boards  []int64
	members []int64 // generated members (not bench members), by index
	byRank  []int   // answer rank -> index into members
	zipf    *rand.Zipf
}

// Generate writes a synthetic community into db (migrated, without threads)
// and returns what it wrote. It creates the default brand on localhost when
// there is none. Bodies are rendered through md, a bounded pool of distinct
// ones reused. It returns ErrNotEmpty when threads exist, and stops with
// ctx's error when ctx ends (batches already committed stay).
func Generate(ctx context.Context, db *sqldb.DB, md *markup.Renderer, o Options) (Result, error) {
	if err := o.normalise(); err != nil {
		return Result{}, err
	}
	var n int
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM threads`).Scan(&n); err != nil {
		return Result{}, fmt.Errorf("synth: count threads: %w", err)
	}
	if n > 0 {
		return Result{}, ErrNotEmpty
	}
	g := &gen{db: db, md: md, o: o, end: o.End.UnixMilli()}
	g.start = o.End.Add(-span).UnixMilli()
	if db.Dialect() == sqldb.SQLite {
		// A bigger page cache for the load: posts_author and the kudos index
		// take inserts all over their B-trees. The writer is one long-lived
		// connection, so the setting is put back afterwards.
		if _, err := db.Writer().ExecContext(ctx, `PRAGMA cache_size = -262144`); err != nil {
			return Result{}, fmt.Errorf("synth: cache size: %w", err)
		}
		defer func() { _, _ = db.Writer().ExecContext(context.WithoutCancel(ctx), `PRAGMA cache_size = -32000`) }()
	}
	if err := g.setup(ctx); err != nil {
		return Result{}, err
	}
	if err := g.renderPools(ctx); err != nil {
		return Result{}, err
	}
	if err := g.run(ctx); err != nil {
		return Result{}, err
	}
	if err := g.finish(ctx); err != nil {
		return Result{}, err
	}
	if err := g.injectIncidents(ctx); err != nil {
		return Result{}, err
	}
	// Index the posts for search in large batches (SQLite; a no-op on PostgreSQL).
	if _, err := search.IndexAll(ctx, db); err != nil {
		return Result{}, err
	}
	// Rows were written with explicit ids; PostgreSQL's sequences must move past them.
	if err := db.ResetSequences(ctx, db, "users", "threads", "posts", "post_revisions", "reputation_events", "boards", "brands"); err != nil {
		return Result{}, err
	}
	return g.res, nil
}

type gen struct {
	db         *sqldb.DB
	md         *markup.Renderer
	o          Options
	start, end int64
	brands     []*brandPlan
	replies    []int32 // planned replies per thread
	qBodies    []body
	rBodies    []body
	res        Result

	nextUser, nextThread, nextPost int64
	boardStats                     map[int64]*boardStat
	kudosDay                       map[uint64]int32 // (user, UTC day) -> kudos points granted that day
}

type body struct{ md, html string }

type boardStat struct{ threads, posts, last int64 }

// setup creates brands, boards and members, and plans reply counts.
func (g *gen) setup(ctx context.Context) error {
	at := time.UnixMilli(g.start).UTC()
	clock := func() time.Time { return at }
	brands := forum.NewBrands(g.db, clock)
	svc := forum.NewService(g.db, g.md, clock)
	def, err := brands.Default(ctx)
	if errors.Is(err, fault.ErrNotFound) {
		def, err = brands.Create(ctx, forum.NewBrand{Host: "localhost", Name: "Mutual Mobile", Default: true,
			Tagline: "The mobile network where members help members."})
	}
	if err != nil {
		return fmt.Errorf("synth: default brand: %w", err)
	}
	ids := []int64{def.ID}
	for k := 2; k <= g.o.Brands; k++ {
		host := fmt.Sprintf("brand%d.localhost", k)
		b, err := brands.ByHost(ctx, host)
		if errors.Is(err, fault.ErrNotFound) {
			b, err = brands.Create(ctx, forum.NewBrand{Host: host, Name: fmt.Sprintf("Synthetic Brand %d", k)})
		}
		if err != nil {
			return fmt.Errorf("synth: brand %s: %w", host, err)
		}
		ids = append(ids, b.ID)
	}
	g.boardStats = map[int64]*boardStat{}
	for _, id := range ids {
		bp := &brandPlan{id: id}
		existing, err := svc.Boards(ctx, id)
		if err != nil {
			return err
		}
		for _, b := range existing {
			bp.boards = append(bp.boards, b.ID)
		}
		for i := len(bp.boards); i < boardsPerBrand; i++ {
			nb := boardNames[i]
			nb.Position = i + 1
			b, err := svc.CreateBoard(ctx, id, nb)
			if err != nil {
				return fmt.Errorf("synth: board %q: %w", nb.Name, err)
			}
			bp.boards = append(bp.boards, b.ID)
		}
		for _, b := range bp.boards {
			g.boardStats[b] = &boardStat{}
		}
		g.brands = append(g.brands, bp)
		g.res.Boards += len(bp.boards)
	}
	g.res.Brands = len(ids)

	if err := g.db.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM users`).Scan(&g.nextUser); err != nil {
		return fmt.Errorf("synth: users: %w", err)
	}
	if err := g.db.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM posts`).Scan(&g.nextPost); err != nil {
		return fmt.Errorf("synth: posts: %w", err)
	}
	g.nextThread = 0 // no threads exist (checked by Generate)
	if err := g.createMembers(ctx); err != nil {
		return err
	}
	g.replies = planReplies(stream(g.o.Seed, streamPlan), g.o.Threads, g.o.Posts-g.o.Threads)
	return nil
}

var boardNames = []forum.NewBoard{
	{Name: "Getting started", Description: "New SIMs, activation, porting your number and first steps."},
	{Name: "Billing and top-ups", Description: "Plans, payments, refunds and anything on your bill."},
	{Name: "Network and coverage", Description: "Signal, data speeds, roaming and outages."},
	{Name: "Phones and devices", Description: "Settings, eSIM, voicemail and handset help."},
}

// membersPerBrand: one member for every five threads, at least 20.
func (g *gen) membersPerBrand() int {
	return max(20, g.o.Threads/(5*g.o.Brands))
}

// createMembers writes every brand's members (without passwords, as an
// importer would) and the default brand's bench members (with one).
func (g *gen) createMembers(ctx context.Context) error {
	r := stream(g.o.Seed, streamMembers)
	per := g.membersPerBrand()
	type userRow struct {
		id, brand      int64
		username, hash string
		created        int64
	}
	var rows []userRow
	for _, bp := range g.brands {
		for i := range per {
			g.nextUser++
			created := g.start - r.Int64N(int64(90*24*time.Hour/time.Millisecond))
			rows = append(rows, userRow{id: g.nextUser, brand: bp.id, username: username(r, i+1), created: created})
			bp.members = append(bp.members, g.nextUser)
		}
		bp.byRank = r.Perm(per)
	}
	for i := range g.o.BenchMembers {
		// Argon2id salts are random, so password hashes are the one thing a
		// seed does not decide.
		hash, err := account.HashPassword(g.o.BenchPassword)
		if err != nil {
			return fmt.Errorf("synth: hash bench password: %w", err)
		}
		g.nextUser++
		name := fmt.Sprintf("bench%d", i+1)
		rows = append(rows, userRow{id: g.nextUser, brand: g.brands[0].id, username: name, hash: hash, created: g.start})
		g.res.BenchUsernames = append(g.res.BenchUsernames, name)
	}
	g.res.BenchPassword = g.o.BenchPassword
	g.res.Members = len(rows)
	ins := newBulk(`INSERT INTO users (id, brand_id, username, username_key, email, email_key, password_hash, created_at) VALUES `, 8)
	return g.db.InTx(ctx, func(tx *sqldb.Tx) error {
		return ins.run(ctx, tx, len(rows), func(i int, a []any) {
			u := rows[i]
			a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7] = u.id, u.brand, u.username, u.username, "", "", u.hash, u.created
		})
	})
}

// planReplies decides how many replies each thread gets, summing to exactly
// replies: a share of threads gets none, the rest one plus a geometric
// number, so most threads are short and a few run long.
func planReplies(r *rand.Rand, threads, replies int) []int32 {
	counts := make([]int32, threads)
	if replies == 0 {
		return counts
	}
	mean := float64(replies) / float64(threads)
	pAnswered := min(1-unansweredShare, mean)
	extra := mean/pAnswered - 1 // mean replies beyond the first, for answered threads
	// floor(X) for X exponential with mean mu has mean 1/(e^(1/mu)-1); solve for mu.
	mu := 0.0
	if extra > 0 {
		mu = 1 / math.Log1p(1/extra)
	}
	sum := 0
	for i := range counts {
		if r.Float64() >= pAnswered {
			continue
		}
		c := 1 + int(r.ExpFloat64()*mu)
		c = min(c, maxReplies)
		counts[i] = int32(c)
		sum += c
	}
	// Nudge random threads until the total is exact; the gap is small
	// next to the total, so the shape survives.
	for sum < replies {
		i := r.IntN(threads)
		if counts[i] < maxReplies {
			counts[i]++
			sum++
		}
	}
	for sum > replies {
		i := r.IntN(threads)
		if counts[i] > 0 {
			counts[i]--
			sum--
		}
	}
	return counts
}

// Pool sizes: distinct bodies rendered once and reused, because rendering a
// million bodies through goldmark and bluemonday would dominate the run.
const (
	questionPool = 4096
	replyPool    = 16384
)

// renderPools makes and renders the distinct bodies on every core.
func (g *gen) renderPools(ctx context.Context) error {
	r := stream(g.o.Seed, streamBodies)
	q := make([]body, min(questionPool, g.o.Threads))
	for i := range q {
		q[i].md = questionBody(r)
	}
	rp := make([]body, min(replyPool, max(1, g.o.Posts-g.o.Threads)))
	for i := range rp {
		rp[i].md = replyBody(r)
	}
	all := append(append([]body(nil), q...), rp...)
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, runtime.GOMAXPROCS(0))
	for w := range errs {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(all) || ctx.Err() != nil {
					return
				}
				html, err := g.md.Render(ctx, all[i].md)
				if err != nil {
					errs[w] = err
					return
				}
				all[i].html = html
			}
		})
	}
	wg.Wait()
	if err := errors.Join(append(errs, ctx.Err())...); err != nil {
		return fmt.Errorf("synth: render bodies: %w", err)
	}
	g.qBodies, g.rBodies = all[:len(q)], all[len(q):]
	g.res.DistinctBodies = len(all)
	return nil
}

// run generates batches on one goroutine and writes them on another, so
// the two cores overlap drawing rows and SQLite's inserts.
func (g *gen) run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan *batch, 2)
	go func() {
		defer close(batches)
		r := stream(g.o.Seed, streamThreads)
		for _, bp := range g.brands {
			bp.zipf = rand.NewZipf(r, answerZipfS, answerZipfV, uint64(len(bp.members)-1))
		}
		g.kudosDay = map[uint64]int32{}
		for lo := 0; lo < g.o.Threads; lo += g.o.BatchThreads {
			b := g.makeBatch(r, lo, min(lo+g.o.BatchThreads, g.o.Threads))
			select {
			case batches <- b:
			case <-ctx.Done():
				return
			}
		}
	}()
	w := newWriter()
	var done int64
	for b := range batches {
		if err := g.db.InTx(ctx, func(tx *sqldb.Tx) error { return w.write(ctx, tx, g, b) }); err != nil {
			cancel()
			for range batches { // let the generator see the cancellation and exit
			}
			return fmt.Errorf("synth: write batch: %w", err)
		}
		done += int64(len(b.posts))
		if g.o.Progress != nil {
			g.o.Progress(done)
		}
	}
	return ctx.Err()
}

// finish writes the board counters and rebuilds reputation from the ledger.
func (g *gen) finish(ctx context.Context) error {
	err := g.db.InTx(ctx, func(tx *sqldb.Tx) error {
		for _, bp := range g.brands {
			for _, id := range bp.boards {
				s := g.boardStats[id]
				if _, err := tx.Exec(ctx, `UPDATE boards SET thread_count = thread_count + ?, post_count = post_count + ?,
last_activity_at = CASE WHEN last_activity_at > ? THEN last_activity_at ELSE ? END WHERE id = ?`,
					s.threads, s.posts, s.last, s.last, id); err != nil {
					return fmt.Errorf("synth: board counters: %w", err)
				}
			}
			if err := reputation.Rebuild(ctx, forum.LedgerTx(tx), bp.id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if g.db.Dialect() == sqldb.SQLite {
		// Leave a small WAL behind rather than the load's.
		if _, err := g.db.Writer().ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			return fmt.Errorf("synth: checkpoint: %w", err)
		}
	}
	return nil
}
