package deflection

import (
	"context"
	"fmt"
	"sort"
	"time"

	"mutual/fault"
	"mutual/i18n"
	"mutual/sqldb"
)

// Grouping of the report's rows over time.
const (
	ByDay   = "day"
	ByWeek  = "week"
	ByMonth = "month"
)

// RecontactWindow is how long after asking a new thread on the same board,
// or a click on "Contact us", undoes a peer-resolved thread's deflection.
const RecontactWindow = 7 * 24 * time.Hour

// SuggestionWindow is how long after opening a suggestion on the Ask page an
// asker must not have posted for the open to count as a deflection.
const SuggestionWindow = time.Hour

// MaxDays bounds a report's period.
const MaxDays = 400

// Query chooses a report: dates are whole UTC days, both inclusive.
type Query struct {
	BrandID int64
	From    time.Time
	To      time.Time
	Group   string
	BoardID int64 // 0 for every board
	// SLAs are the brand's, from its escalation settings.
	SLAs SLAs
}

// Row is one line of a breakdown: a bucket of time or a board.
type Row struct {
	Key   string    `json:"key"`
	Label string    `json:"label"`
	Start time.Time `json:"start,omitzero"`
	End   time.Time `json:"end,omitzero"` // exclusive
	Figures
}

// Rate is the self-service rate the report multiplies by.
type Rate struct {
	Percent  float64 `json:"percent"`
	Measured bool    `json:"measured"` // false: the configured assumption
	Yes      int     `json:"survey_yes"`
	Answers  int     `json:"survey_answers"`
	Minimum  int64   `json:"minimum_answers"`
}

// Bucket is one bar of the time-to-first-answer distribution.
type Bucket struct {
	Label string `json:"label"`
	Count int    `json:"count"`
}

// Week is one point of the peer- vs agent-resolved trend.
type Week struct {
	Start         time.Time `json:"start"`
	PeerResolved  int       `json:"peer_resolved"`
	AgentResolved int       `json:"agent_resolved"`
}

// Report is everything the page, the CSV and the JSON show.
type Report struct {
	BrandID     int64     `json:"brand_id"`
	From        string    `json:"from"`
	To          string    `json:"to"`
	Group       string    `json:"group"`
	BoardID     int64     `json:"board_id,omitempty"`
	BoardName   string    `json:"board_name,omitempty"`
	GeneratedAt time.Time `json:"generated_at"`
	Currency    string    `json:"currency"`
	CostMinor   int64     `json:"cost_per_assisted_contact_minor"`
	// SLAs in force, in seconds.
	EscalationSLASeconds int64    `json:"escalation_sla_seconds"`
	AgentSLASeconds      int64    `json:"agent_sla_seconds"`
	Rate                 Rate     `json:"self_service_rate"`
	Totals               Figures  `json:"totals"`
	Groups               []Row    `json:"groups"`
	Boards               []Row    `json:"boards"`
	Trend                []Week   `json:"weekly_trend"`
	FirstAnswer          []Bucket `json:"time_to_first_answer"`
	// IncidentSLA is the incidents raised in the period acknowledged within
	// their SLA, of those due; nil when the report is not told of incidents.
	IncidentSLA *Compliance `json:"incident_ack_sla,omitempty"`
}

// Tally fills in c's percentage from its counts.
func (c *Compliance) Tally() { c.Percent = pct(c.Within, c.Due) }

// BucketStart is the start of the bucket of time t falls in (UTC; weeks
// start on Monday).
func BucketStart(group string, t time.Time) time.Time {
	t = t.UTC()
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	switch group {
	case ByWeek:
		return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
	case ByMonth:
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	return d
}

func bucketEnd(group string, start time.Time) time.Time {
	switch group {
	case ByWeek:
		return start.AddDate(0, 0, 7)
	case ByMonth:
		return start.AddDate(0, 1, 0)
	}
	return start.AddDate(0, 0, 1)
}

func bucketLabel(group string, start time.Time) string {
	switch group {
	case ByWeek:
		return "Week of " + start.Format("2 Jan 2006")
	case ByMonth:
		return start.Format("January 2006")
	}
	return start.Format("Mon 2 Jan 2006")
}

// Validate checks a query. Errors: *fault.ValidationError.
func (q Query) Validate(ctx context.Context) error {
	bad := map[string]string{}
	if q.From.IsZero() || q.To.IsZero() {
		bad["from"] = i18n.T(ctx, "repmsg.period")
	} else if q.To.Before(q.From) {
		bad["to"] = i18n.T(ctx, "repmsg.period_swapped")
	} else if q.To.Sub(q.From) > MaxDays*24*time.Hour {
		bad["to"] = i18n.T(ctx, "repmsg.period_long", "Max", MaxDays)
	}
	switch q.Group {
	case ByDay, ByWeek, ByMonth:
	default:
		bad["group"] = i18n.T(ctx, "repmsg.group")
	}
	if len(bad) > 0 {
		return &fault.ValidationError{Fields: bad}
	}
	return nil
}

// Compute builds the report from the forum's rows and the roll-ups, as of now.
// Errors: *fault.ValidationError for a bad query, fault.ErrNotFound for a
// board not in the brand.
func Compute(ctx context.Context, db sqldb.Querier, q Query, now time.Time) (*Report, error) {
	if err := q.Validate(ctx); err != nil {
		return nil, err
	}
	if q.SLAs.Peer <= 0 || q.SLAs.Agent <= 0 {
		return nil, fmt.Errorf("deflection: compute: the brand's SLAs are missing (%+v)", q.SLAs)
	}
	c, err := start(ctx, db, q, now)
	if err != nil {
		return nil, err
	}
	// Figures counted per thread, by the time it was asked.
	if err := c.countThreads(ctx); err != nil {
		return nil, err
	}
	// Figures counted per event, by the time it happened.
	if err := c.countSolvedViews(ctx); err != nil {
		return nil, err
	}
	if err := c.countArticleViews(ctx); err != nil {
		return nil, err
	}
	if err := c.countContactsFromSolved(ctx); err != nil {
		return nil, err
	}
	if err := c.countSurveyAnswers(ctx); err != nil {
		return nil, err
	}
	if err := c.countSuggestionDeflections(ctx); err != nil {
		return nil, err
	}
	// Derived figures, then the report's tables and charts.
	var rate float64
	c.r.Rate, rate = selfServiceRate(c.total.f, c.s)
	c.r.Totals = c.total.finish(rate, c.s.CostPerContact)
	c.r.Groups = c.groupRows(rate)
	c.r.Boards = c.boardRows(rate)
	c.r.Trend = c.weeklyTrend()
	c.r.FirstAnswer = c.firstAnswerDistribution()
	return c.r, nil
}

// tally is a report being computed: what it covers and the accumulators
// each counting step adds to.
type tally struct {
	db                   sqldb.Querier
	q                    Query
	s                    Settings
	boards               map[int64]string // every board of the brand, by id
	from, end            time.Time        // whole UTC days; end is exclusive
	fromMs, endMs, nowMs int64
	r                    *Report

	total   *acc
	groups  map[time.Time]*acc // by the start of the bucket of time
	byBoard map[int64]*acc
	// dayGroup caches each day's bucket: accumulators are looked up per
	// thread, view and click.
	dayGroup    map[int64]*acc
	three       [3]*acc
	weeks       map[time.Time]*Week
	firstAnswer []int // per firstAnswerBuckets, then "no answer yet"
}

// start reads the settings and boards a report needs and fills in its
// header. Errors: fault.ErrNotFound for a board not in the brand.
func start(ctx context.Context, db sqldb.Querier, q Query, now time.Time) (*tally, error) {
	s, err := LoadSettings(ctx, db, q.BrandID)
	if err != nil {
		return nil, err
	}
	from := BucketStart(ByDay, q.From)
	end := BucketStart(ByDay, q.To).AddDate(0, 0, 1)
	c := &tally{db: db, q: q, s: s, from: from, end: end,
		fromMs: from.UnixMilli(), endMs: end.UnixMilli(), nowMs: now.UnixMilli(),
		total: newAcc(), groups: map[time.Time]*acc{}, byBoard: map[int64]*acc{}, dayGroup: map[int64]*acc{},
		weeks: map[time.Time]*Week{}, firstAnswer: make([]int, len(firstAnswerBuckets)+1)}
	c.r = &Report{BrandID: q.BrandID, From: from.Format(time.DateOnly), To: end.AddDate(0, 0, -1).Format(time.DateOnly),
		Group: q.Group, BoardID: q.BoardID, GeneratedAt: now.UTC(), Currency: s.Currency, CostMinor: s.CostPerContact,
		EscalationSLASeconds: int64(q.SLAs.Peer / time.Second), AgentSLASeconds: int64(q.SLAs.Agent / time.Second)}
	if c.boards, err = boardNames(ctx, db, q.BrandID); err != nil {
		return nil, err
	}
	if q.BoardID != 0 {
		name, ok := c.boards[q.BoardID]
		if !ok {
			return nil, &fault.Error{Kind: fault.ErrNotFound, Msg: i18n.T(ctx, "repmsg.no_board")}
		}
		c.r.BoardName = name
	}
	return c, nil
}

// boardFilter is the WHERE clause and argument that keep a report to its
// board, if it has one.
func (c *tally) boardFilter(col string) (string, []any) {
	if c.q.BoardID == 0 {
		return "", nil
	}
	return " AND " + col + " = ?", []any{c.q.BoardID}
}

// accsFor gives the accumulators something at time at on board adds to:
// the totals, its bucket of time and its board. The slice is reused.
func (c *tally) accsFor(at int64, board int64) []*acc {
	day := at / 86400000
	ga := c.dayGroup[day]
	if ga == nil {
		g := BucketStart(c.q.Group, time.UnixMilli(at))
		if ga = c.groups[g]; ga == nil {
			ga = newAcc()
			c.groups[g] = ga
		}
		c.dayGroup[day] = ga
	}
	ba := c.byBoard[board]
	if ba == nil {
		ba = newAcc()
		c.byBoard[board] = ba
	}
	c.three = [3]*acc{c.total, ga, ba}
	return c.three[:]
}

// selfServiceRate is the survey's measured yes-rate once enough readers
// answered, else the brand's assumed rate; the float is the fraction.
func selfServiceRate(total Figures, s Settings) (Rate, float64) {
	r := Rate{Yes: total.SurveyYes, Answers: total.SurveyAnswers, Minimum: s.MinSurveyAnswers}
	rate := float64(s.AssumedRateBP) / 10000
	if int64(r.Answers) >= s.MinSurveyAnswers && r.Answers > 0 {
		rate = float64(r.Yes) / float64(r.Answers)
		r.Measured = true
	}
	r.Percent = round2(rate * 100)
	return r, rate
}

// groupRows is one row per bucket of time in the period, empty ones included.
func (c *tally) groupRows(rate float64) []Row {
	var out []Row
	for g := BucketStart(c.q.Group, c.from); g.Before(c.end); g = bucketEnd(c.q.Group, g) {
		a := c.groups[g]
		if a == nil {
			a = newAcc()
		}
		out = append(out, Row{Key: g.Format(time.DateOnly), Label: bucketLabel(c.q.Group, g), Start: g, End: bucketEnd(c.q.Group, g), Figures: a.finish(rate, c.s.CostPerContact)})
	}
	return out
}

// boardRows is one row per board the report covers, by name.
func (c *tally) boardRows(rate float64) []Row {
	var ids []int64
	for id := range c.boards {
		if c.q.BoardID == 0 || id == c.q.BoardID {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool {
		return c.boards[ids[i]] < c.boards[ids[j]] || (c.boards[ids[i]] == c.boards[ids[j]] && ids[i] < ids[j])
	})
	var out []Row
	for _, id := range ids {
		a := c.byBoard[id]
		if a == nil {
			a = newAcc()
		}
		out = append(out, Row{Key: fmt.Sprint(id), Label: c.boards[id], Figures: a.finish(rate, c.s.CostPerContact)})
	}
	return out
}

// weeklyTrend is one point per week in the period, empty weeks included.
func (c *tally) weeklyTrend() []Week {
	var out []Week
	for w := BucketStart(ByWeek, c.from); w.Before(c.end); w = w.AddDate(0, 0, 7) {
		if p := c.weeks[w]; p != nil {
			out = append(out, *p)
		} else {
			out = append(out, Week{Start: w})
		}
	}
	return out
}

// firstAnswerDistribution is the bars of the time-to-first-answer chart.
func (c *tally) firstAnswerDistribution() []Bucket {
	var out []Bucket
	for i, b := range firstAnswerBuckets {
		out = append(out, Bucket{Label: b.label, Count: c.firstAnswer[i]})
	}
	return append(out, Bucket{Label: "No answer yet", Count: c.firstAnswer[len(firstAnswerBuckets)]})
}

func boardNames(ctx context.Context, db sqldb.Querier, brandID int64) (map[int64]string, error) {
	rows, err := db.Query(ctx, `SELECT id, name FROM boards WHERE brand_id = ?`, brandID)
	if err != nil {
		return nil, fmt.Errorf("deflection: read boards: %w", err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		out[id] = name
	}
	return out, rows.Err()
}
