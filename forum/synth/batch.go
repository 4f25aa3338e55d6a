package synth

import (
	"math"
	"math/rand/v2"
	"time"

	"mutual/forum"
	"mutual/reputation"
)

type threadRow struct {
	id, brand, board, author int64
	title, slug              string
	created, last            int64
	replies                  int64
	accepted                 int64 // post id, 0 for none
	firstReply               int64 // 0 for none
	views                    int64
}

type postRow struct {
	id, brand, thread, author int64
	question                  bool
	body                      int32 // index into the question or reply pool
	created                   int64
	kudos                     int64
	title                     string // the question's revision keeps the title
}

type kudosRow struct{ brand, post, user, created int64 }

type eventRow struct {
	brand, user, delta int64
	reason             reputation.Reason
	post, actor        int64
	created            int64
}

type batch struct {
	threads []threadRow
	posts   []postRow
	kudos   []kudosRow
	events  []eventRow
}

const hourMS = float64(time.Hour / time.Millisecond)

// logNormalMS draws a delay in milliseconds with the given median (hours).
func logNormalMS(r *rand.Rand, medianHours, sigma float64) int64 {
	return int64(medianHours * hourMS * math.Exp(sigma*r.NormFloat64()))
}

// after draws a time after t and before the data's end: the delay is redrawn
// a few times, then taken in the first half of what is left, so threads near
// the end are not answered after "now" and a run of late replies never
// reaches it. With no millisecond left it returns t itself.
func (g *gen) after(r *rand.Rand, t int64, medianHours, sigma float64) int64 {
	for range 8 {
		if d := logNormalMS(r, medianHours, sigma); t+d < g.end {
			return t + max(d, 1)
		}
	}
	if room := g.end - 1 - t; room > 0 {
		return t + 1 + r.Int64N(max(1, room/2))
	}
	return t
}

// makeBatch draws threads [lo, hi) with their posts, kudos and ledger events.
//
// It stays long: the random draws must keep this order for one seed to
// give the same data.
func (g *gen) makeBatch(r *rand.Rand, lo, hi int) *batch {
	b := &batch{threads: make([]threadRow, 0, hi-lo)}
	window := g.end - int64(quietTail/time.Millisecond) - g.start
	for i := lo; i < hi; i++ {
		bp := g.brands[r.IntN(len(g.brands))]
		g.nextThread++
		// Evenly spread over the window with jitter, so ids follow time.
		created := g.start + int64(float64(window)*(float64(i)+r.Float64())/float64(g.o.Threads))
		t := threadRow{id: g.nextThread, brand: bp.id, board: bp.boards[r.IntN(len(bp.boards))],
			author: bp.members[r.IntN(len(bp.members))], title: title(r), created: created, last: created}
		t.slug = forum.Slugify(t.title)
		t.views = int64(min(1e7, viewsScale/math.Pow(1-r.Float64(), 1/viewsAlpha)))

		g.nextPost++
		q := postRow{id: g.nextPost, brand: bp.id, thread: t.id, author: t.author, question: true,
			body: int32(r.IntN(len(g.qBodies))), created: created, title: t.title}
		first := len(b.posts)
		b.posts = append(b.posts, q)

		n := int(g.replies[i])
		at := created
		for k := range n {
			author := t.author
			if k == 0 {
				at = g.after(r, at, firstAnswerMedianHours, firstAnswerSigma)
			} else {
				at = g.after(r, at, nextReplyMedianHours, nextReplySigma)
			}
			if k == 0 || r.Float64() >= askerReplyShare {
				author = g.answerer(bp, t.author)
			}
			g.nextPost++
			b.posts = append(b.posts, postRow{id: g.nextPost, brand: bp.id, thread: t.id, author: author,
				body: int32(r.IntN(len(g.rBodies))), created: at})
			if k == 0 {
				t.firstReply = at
			}
		}
		t.replies = int64(n)
		if n > 0 {
			t.last = at
			g.res.Replies += n
		} else {
			g.res.Unanswered++
		}
		posts := b.posts[first:]
		if n > 0 && r.Float64() < acceptedShare {
			// Most often the first answer solves it; otherwise any peer reply.
			k := 1
			if r.IntN(5) >= 3 {
				k = 1 + r.IntN(n)
			}
			for posts[k].author == t.author { // the first reply is always a peer's
				k--
			}
			p := posts[k]
			t.accepted = p.id
			acceptAt := g.after(r, p.created, 12, 1.5)
			b.events = append(b.events,
				eventRow{brand: bp.id, user: p.author, delta: reputation.Points[reputation.AnswerAccepted],
					reason: reputation.AnswerAccepted, post: p.id, actor: t.author, created: acceptAt},
				eventRow{brand: bp.id, user: t.author, delta: reputation.Points[reputation.AcceptedOther],
					reason: reputation.AcceptedOther, post: p.id, actor: p.author, created: acceptAt})
			g.res.Accepted++
		}
		for k := range posts {
			g.drawKudos(r, b, bp, &posts[k], posts[k].id == t.accepted)
		}
		b.threads = append(b.threads, t)
		s := g.boardStats[t.board]
		s.threads++
		s.posts += int64(len(posts))
		s.last = max(s.last, t.last)
	}
	g.res.Threads += len(b.threads)
	g.res.Posts += len(b.posts)
	return b
}

// answerer draws a reply's author from the brand's Zipf ranking, never the
// asker.
func (g *gen) answerer(bp *brandPlan, asker int64) int64 {
	for {
		if m := bp.members[bp.byRank[bp.zipf.Uint64()]]; m != asker {
			return m
		}
	}
}

// drawKudos gives a post kudos from distinct members other than its author,
// with the ledger events reputation.Award would write, daily cap included.
func (g *gen) drawKudos(r *rand.Rand, b *batch, bp *brandPlan, p *postRow, accepted bool) {
	mean := 0.8 // kudos per reply
	switch {
	case p.question:
		mean = 0.3
	case accepted:
		mean = 2.5
	}
	n := min(int(r.ExpFloat64()*mean), len(bp.members)-1, 50)
	var givers [50]int64
	for got := 0; got < n; {
		u := bp.members[r.IntN(len(bp.members))]
		dup := u == p.author
		for _, v := range givers[:got] {
			dup = dup || v == u
		}
		if dup {
			continue
		}
		givers[got] = u
		got++
	}
	for _, u := range givers[:n] {
		at := g.after(r, p.created, 2, 1.5)
		b.kudos = append(b.kudos, kudosRow{brand: bp.id, post: p.id, user: u, created: at})
		day := uint64(at / int64(24*time.Hour/time.Millisecond))
		key := uint64(p.author)<<24 | day
		granted := g.kudosDay[key]
		pts := max(0, min(int32(reputation.Points[reputation.KudosReceived]), reputation.DailyCap-granted))
		g.kudosDay[key] = granted + pts
		b.events = append(b.events, eventRow{brand: bp.id, user: p.author, delta: int64(pts),
			reason: reputation.KudosReceived, post: p.id, actor: u, created: at})
		p.kudos++
	}
	g.res.Kudos += n
}
