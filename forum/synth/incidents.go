package synth

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"mutual/account"
	"mutual/forum"
)

// Incidents are what the emerging-issue radar must notice: a burst of
// paraphrased questions about one problem in one place, on one board,
// starting at a known time, on top of the normal traffic. Each is recorded
// with its threads, so detection can be scored against the truth.

// Incident is one injected burst and its ground truth.
type Incident struct {
	Board   int // index into the brand's boards
	Start   time.Time
	Minutes int // the burst's threads arrive within this many minutes
	Problem string
	Place   string
	Threads []int64 // thread ids, once written (mutual gen)
}

var (
	outages      = []string{"4G", "mobile data", "calls", "texts", "5G", "Wi-Fi calling", "voicemail", "the app", "signal"}
	outageTitles = []string{
		"No %[1]s in %[2]s since %[3]s",
		"%[1]s down in %[2]s?",
		"Lost %[1]s in %[2]s %[3]s",
		"Anyone else without %[1]s in %[2]s?",
		"%[1]s not working in %[2]s since %[3]s",
		"Is %[1]s out in %[2]s right now?",
		"%[1]s gone completely in %[2]s",
		"%[2]s: no %[1]s at all since %[3]s",
		"Outage? %[1]s dead in %[2]s",
	}
	outageOpeners = []string{
		"Since %[3]s I have had no %[1]s at all here in %[2]s.",
		"My %[4]s shows no %[1]s and I'm in %[2]s.",
		"%[1]s just stopped in %[2]s around %[3]s.",
		"Is there an outage? %[1]s is not working anywhere in %[2]s.",
		"Everyone in my office in %[2]s has lost %[1]s since %[3]s.",
	}
	outageDetails = []string{
		"I restarted the phone and nothing changed.",
		"The coverage checker says there are no problems, which can't be right.",
		"My partner's phone on the same network has the same problem.",
		"It was fine yesterday.",
		"Airplane mode on and off did nothing.",
		"I need it for work today, please help.",
	}
	outageWhens = []string{"09:00", "this morning", "about an hour ago", "lunchtime", "8am", "half nine"}
)

// IncidentQuestion makes one paraphrased question about an incident.
func IncidentQuestion(r *rand.Rand, problem, place string) (title, body string) {
	when := pick(r, outageWhens)
	args := []any{problem, place, when, pick(r, devices)}
	title = fmt.Sprintf(pick(r, outageTitles), args...)
	title = strings.ToUpper(title[:1]) + title[1:]
	var b strings.Builder
	b.WriteString(fmt.Sprintf(pick(r, outageOpeners), args...))
	for range 1 + r.IntN(2) {
		b.WriteString(" " + pick(r, outageDetails))
	}
	b.WriteString("\n\n" + pick(r, closers))
	return title, b.String()
}

// PlanIncidents draws n incidents between from and to: a random problem,
// place and board, each 10 to 20 threads within 15 to 30 minutes.
func PlanIncidents(r *rand.Rand, n int, from, to time.Time, boards int) []Incident {
	var out []Incident
	span := to.Sub(from) - time.Hour
	for range n {
		at := from.Add(time.Duration(r.Int64N(int64(span)))).Truncate(time.Minute)
		out = append(out, Incident{Board: r.IntN(boards), Start: at, Minutes: 15 + r.IntN(16),
			Problem: pick(r, outages), Place: pick(r, incidentPlaces), Threads: make([]int64, 10+r.IntN(11))})
	}
	return out
}

// Ask is one question of simulated traffic, for evaluating the radar
// without a database.
type Ask struct {
	At          time.Time
	Board       int
	Title, Body string
	Incident    int // index into Traffic's incidents, or -1 for normal traffic
}

// TrafficOptions shape a simulated stream of questions for one brand.
type TrafficOptions struct {
	Seed      uint64
	Start     time.Time // a Monday 00:00 UTC reads best
	Weeks     int
	PerWeek   int // normal questions per week, on average
	Incidents int // injected after the first WarmWeeks
	WarmWeeks int
}

// Traffic makes a brand's questions over the weeks, oldest first: normal
// questions from the forum's vocabulary, busier in the day and on weekdays;
// every Monday morning a run of look-alike billing questions (as after a
// monthly bill), which is usual and must not alarm; and the incidents.
func Traffic(o TrafficOptions) ([]Ask, []Incident) {
	r := stream(o.Seed, streamThreads)
	var asks []Ask
	end := o.Start.Add(time.Duration(o.Weeks) * 7 * 24 * time.Hour)
	perHour := float64(o.PerWeek) / (7 * 24)
	for h := o.Start; h.Before(end); h = h.Add(time.Hour) {
		n := poisson(r, perHour*hourShape(h))
		for range n {
			at := h.Add(time.Duration(r.Int64N(int64(time.Hour))))
			asks = append(asks, Ask{At: at, Board: r.IntN(boardsPerBrand), Title: title(r), Body: questionBody(r), Incident: -1})
		}
		if h.Weekday() == time.Monday && h.Hour() >= 8 && h.Hour() < 11 {
			for range poisson(r, 4) {
				at := h.Add(time.Duration(r.Int64N(int64(time.Hour))))
				t, b := billQuestion(r)
				asks = append(asks, Ask{At: at, Board: 1, Title: t, Body: b, Incident: -1})
			}
		}
	}
	warm := o.Start.Add(time.Duration(o.WarmWeeks) * 7 * 24 * time.Hour)
	incs := PlanIncidents(r, o.Incidents, warm, end, boardsPerBrand)
	for k, inc := range incs {
		for i := range inc.Threads {
			at := inc.Start.Add(time.Duration(float64(inc.Minutes) * float64(time.Minute) * (float64(i) + r.Float64()) / float64(len(inc.Threads))))
			t, b := IncidentQuestion(r, inc.Problem, inc.Place)
			asks = append(asks, Ask{At: at, Board: inc.Board, Title: t, Body: b, Incident: k})
		}
	}
	sortAsks(asks)
	return asks, incs
}

// hourShape is the traffic's weekly rhythm: quiet at night, busiest in
// working hours, a little quieter at weekends. It averages about 1.
func hourShape(t time.Time) float64 {
	v := 0.25
	if h := t.Hour(); h >= 8 && h < 22 {
		v = 1.45
	}
	if d := t.Weekday(); d == time.Saturday || d == time.Sunday {
		v *= 0.7
	}
	return v
}

var billTitles = []string{"Why is my bill higher this month?", "Bill higher than usual this month", "This month's bill is more than I expected",
	"Charged more than my plan on this bill", "Extra charge on my monthly bill"}

// billQuestion is the usual Monday-morning question about a new bill.
func billQuestion(r *rand.Rand) (string, string) {
	return pick(r, billTitles), "My bill came through this morning and it is higher than my plan. " +
		pick(r, []string{"I have not used roaming.", "I did not buy any add-ons.", "Nothing changed on my account."}) + " " + pick(r, closers)
}

func poisson(r *rand.Rand, mean float64) int {
	// Knuth's method: small means only.
	l, k, p := -mean, 0, 0.0
	for {
		p += -r.ExpFloat64()
		if p < l {
			return k
		}
		k++
	}
}

func sortAsks(a []Ask) {
	slices.SortFunc(a, func(x, y Ask) int { return x.At.Compare(y.At) })
}

var incidentPlaces = []string{"Leeds", "Glasgow", "Cardiff", "Belfast", "Bristol", "Manchester", "Norwich", "York"}

// injectIncidents asks each incident's questions through the forum service,
// with its clock set to each question's time, as members of the default
// brand; the radar groups them like any thread it did not see asked.
func (g *gen) injectIncidents(ctx context.Context) error {
	if g.o.Incidents == 0 {
		return nil
	}
	r := stream(g.o.Seed, streamIncidents)
	bp := g.brands[0]
	last := time.UnixMilli(g.end).UTC().Add(-quietTail)
	incs := PlanIncidents(r, g.o.Incidents, last.AddDate(0, 0, -28), last, len(bp.boards))
	var at time.Time
	svc := forum.NewService(g.db, g.md, func() time.Time { return at })
	for k := range incs {
		inc := &incs[k]
		for i := range inc.Threads {
			at = inc.Start.Add(time.Duration(float64(inc.Minutes) * float64(time.Minute) * (float64(i) + r.Float64()) / float64(len(inc.Threads))))
			title, body := IncidentQuestion(r, inc.Problem, inc.Place)
			m := bp.members[r.IntN(len(bp.members))]
			th, err := svc.Ask(ctx, account.Actor{UserID: m, BrandID: bp.id, Username: "incident", Roles: []string{"member"}},
				forum.NewThread{BoardID: bp.boards[inc.Board], Title: title, Body: body})
			if err != nil {
				return fmt.Errorf("synth: incident question: %w", err)
			}
			inc.Threads[i] = th.ID
			g.res.Threads++
			g.res.Posts++
			g.res.Unanswered++
		}
	}
	g.res.Incidents = incs
	return nil
}
