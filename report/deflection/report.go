package deflection

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"time"

	"mutual/fault"
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
}

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
func (q Query) Validate() error {
	bad := map[string]string{}
	if q.From.IsZero() || q.To.IsZero() {
		bad["from"] = "Choose a period: from and to are dates like 2025-05-01."
	} else if q.To.Before(q.From) {
		bad["to"] = "The period ends before it starts: swap from and to."
	} else if q.To.Sub(q.From) > MaxDays*24*time.Hour {
		bad["to"] = fmt.Sprintf("A report covers at most %d days.", MaxDays)
	}
	switch q.Group {
	case ByDay, ByWeek, ByMonth:
	default:
		bad["group"] = "Group by day, week or month."
	}
	if len(bad) > 0 {
		return &fault.ValidationError{Fields: bad}
	}
	return nil
}

type threadRow struct {
	id, board, author, created         int64
	firstReply, firstPeer, firstStaff  *int64
	accepted                           bool
	acceptedStaff                      bool
	acceptedVisible                    bool
	acceptedAt                         *int64
	escalatedAt, claimedAt, answeredAt *int64
	resolution                         string
}

// Compute builds the report from the forum's rows and the roll-ups, as of now.
// Errors: *fault.ValidationError for a bad query, fault.ErrNotFound for a
// board not in the brand.
func Compute(ctx context.Context, db sqldb.Querier, q Query, now time.Time) (*Report, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	s, err := LoadSettings(ctx, db, q.BrandID)
	if err != nil {
		return nil, err
	}
	from := BucketStart(ByDay, q.From)
	end := BucketStart(ByDay, q.To).AddDate(0, 0, 1)
	fromMs, endMs, nowMs := from.UnixMilli(), end.UnixMilli(), now.UnixMilli()
	r := &Report{BrandID: q.BrandID, From: from.Format(time.DateOnly), To: end.AddDate(0, 0, -1).Format(time.DateOnly),
		Group: q.Group, BoardID: q.BoardID, GeneratedAt: now.UTC(), Currency: s.Currency, CostMinor: s.CostPerContact,
		EscalationSLASeconds: int64(s.EscalationSLA / time.Second), AgentSLASeconds: int64(s.AgentSLA / time.Second)}

	boards, err := boardNames(ctx, db, q.BrandID)
	if err != nil {
		return nil, err
	}
	if q.BoardID != 0 {
		name, ok := boards[q.BoardID]
		if !ok {
			return nil, &fault.Error{Kind: fault.ErrNotFound, Msg: "That board does not exist in this community."}
		}
		r.BoardName = name
	}
	boardArg := func(col string) (string, []any) {
		if q.BoardID == 0 {
			return "", nil
		}
		return " AND " + col + " = ?", []any{q.BoardID}
	}

	total := newAcc()
	groups := map[time.Time]*acc{}
	byBoard := map[int64]*acc{}
	weeks := map[time.Time]*Week{}
	// Rows are looked up per thread, view and click: the bucket of each day
	// is worked out once.
	dayGroup := map[int64]*acc{}
	var three [3]*acc
	rowsFor := func(at int64, board int64) []*acc {
		day := at / 86400000
		ga := dayGroup[day]
		if ga == nil {
			g := BucketStart(q.Group, time.UnixMilli(at))
			if ga = groups[g]; ga == nil {
				ga = newAcc()
				groups[g] = ga
			}
			dayGroup[day] = ga
		}
		ba := byBoard[board]
		if ba == nil {
			ba = newAcc()
			byBoard[board] = ba
		}
		three = [3]*acc{total, ga, ba}
		return three[:]
	}

	// Threads asked in the period, plus the next 7 days' (re-contact).
	bw, ba := boardArg("t.board_id")
	rows, err := db.Query(ctx, `SELECT t.id, t.board_id, t.author_id, t.created_at, t.first_reply_at, t.first_peer_reply_at, t.first_staff_reply_at,
			t.accepted_post_id IS NOT NULL,
			CASE WHEN ra.thread_id IS NOT NULL THEN ra.post_staff ELSE COALESCE(p.is_staff, 0) END,
			CASE WHEN ra.thread_id IS NOT NULL THEN ra.post_visible WHEN p.status = 'visible' THEN 1 ELSE 0 END, ra.accepted_at,
			e.escalated_at, e.claimed_at, e.answered_at, COALESCE(e.resolution, '')
		FROM threads t
		LEFT JOIN report_accepts ra ON ra.thread_id = t.id AND ra.post_id = t.accepted_post_id
		LEFT JOIN posts p ON ra.thread_id IS NULL AND p.id = t.accepted_post_id
		LEFT JOIN escalations e ON e.thread_id = t.id
		WHERE t.brand_id = ? AND t.created_at >= ? AND t.created_at < ? AND t.status = 'visible' AND t.merged_into IS NULL`+bw,
		append([]any{q.BrandID, fromMs, endMs + RecontactWindow.Milliseconds()}, ba...)...)
	if err != nil {
		return nil, fmt.Errorf("deflection: read threads: %w", err)
	}
	cohort := make([]threadRow, 0, 1024)
	later := map[[2]int64][]int64{} // (author, board) -> times asked
	// Nullable times scan into NullInt64s (no allocation per value) and are
	// kept as pointers into the row only when set.
	var fr, fp, fs, aa, ea, ca, an sql.NullInt64
	for rows.Next() {
		var t threadRow
		if err := rows.Scan(&t.id, &t.board, &t.author, &t.created, &fr, &fp, &fs,
			&t.accepted, &t.acceptedStaff, &t.acceptedVisible, &aa, &ea, &ca, &an, &t.resolution); err != nil {
			rows.Close()
			return nil, err
		}
		t.firstReply, t.firstPeer, t.firstStaff, t.acceptedAt = opt(fr), opt(fp), opt(fs), opt(aa)
		t.escalatedAt, t.claimedAt, t.answeredAt = opt(ea), opt(ca), opt(an)
		later[[2]int64{t.author, t.board}] = append(later[[2]int64{t.author, t.board}], t.created)
		if t.created < endMs {
			cohort = append(cohort, t)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	clicks, err := askerClicks(ctx, db, q.BrandID, fromMs, endMs+RecontactWindow.Milliseconds())
	if err != nil {
		return nil, err
	}
	window := RecontactWindow.Milliseconds()
	slaMs, agentSLAms := s.EscalationSLA.Milliseconds(), s.AgentSLA.Milliseconds()
	firstAnswer := make([]int, len(firstAnswerBuckets)+1)
	for _, t := range cohort {
		agentAct := t.claimedAt != nil || t.firstStaff != nil
		peerResolved := t.accepted && t.acceptedVisible && !t.acceptedStaff && !agentAct
		agentResolved := t.claimedAt != nil && t.answeredAt != nil
		recontact := false
		if peerResolved {
			recontact = anyIn(later[[2]int64{t.author, t.board}], t.created, t.created+window) || anyIn(clicks[t.author], t.created, t.created+window)
		}
		wk := BucketStart(ByWeek, time.UnixMilli(t.created))
		if weeks[wk] == nil {
			weeks[wk] = &Week{Start: wk}
		}
		if peerResolved {
			weeks[wk].PeerResolved++
		}
		if agentResolved {
			weeks[wk].AgentResolved++
		}
		if t.firstReply != nil {
			firstAnswer[bucketOf(*t.firstReply-t.created)]++
		} else {
			firstAnswer[len(firstAnswerBuckets)]++
		}
		for _, a := range rowsFor(t.created, t.board) {
			f := &a.f
			f.Asked++
			if t.firstReply != nil {
				f.Answered++
			}
			if t.firstPeer != nil {
				f.PeerAnswered++
				a.firstPeer = append(a.firstPeer, *t.firstPeer-t.created)
			}
			switch {
			case peerResolved:
				f.PeerResolved++
				f.DirectRaw++
				if recontact {
					f.Recontacted++
				}
			case agentResolved:
				f.AgentResolved++
			case t.accepted && t.acceptedVisible:
				f.OtherResolved++
			}
			if t.accepted && t.acceptedVisible && t.acceptedAt != nil {
				a.accepted = append(a.accepted, *t.acceptedAt-t.created)
			}
			if t.firstReply != nil && *t.firstReply-t.created <= slaMs {
				f.FirstAnswerSLA.Within++
				f.FirstAnswerSLA.Due++
			} else if t.firstReply != nil || t.created+slaMs <= nowMs {
				f.FirstAnswerSLA.Due++
			}
			if t.escalatedAt == nil {
				continue
			}
			f.Escalated++
			if t.resolution == "late_peer" {
				f.LatePeer++
			}
			if t.claimedAt != nil {
				f.AgentEscalations++
				a.claim = append(a.claim, *t.claimedAt-*t.escalatedAt)
			}
			if t.answeredAt != nil {
				a.answer = append(a.answer, *t.answeredAt-*t.escalatedAt)
				f.AgentSLA.Due++
				if *t.answeredAt-*t.escalatedAt <= agentSLAms {
					f.AgentSLA.Within++
				}
			} else if t.claimedAt != nil || t.resolution == "" {
				// Still the agents' to answer: due once its SLA has passed.
				if *t.escalatedAt+agentSLAms <= nowMs {
					f.AgentSLA.Due++
				}
			}
		}
	}

	// Counted viewer-days on solved threads, from the roll-up.
	bw, ba = boardArg("board_id")
	rows, err = db.Query(ctx, `SELECT day, board_id, views FROM report_view_rollup WHERE brand_id = ? AND day >= ? AND day < ?`+bw,
		append([]any{q.BrandID, Day(from), Day(end)}, ba...)...)
	if err != nil {
		return nil, fmt.Errorf("deflection: read views: %w", err)
	}
	for rows.Next() {
		var day, board, n int64
		if err := rows.Scan(&day, &board, &n); err != nil {
			rows.Close()
			return nil, err
		}
		for _, a := range rowsFor(day*86400000, board) {
			a.f.SolvedViews += n
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	// Readers of solved threads who clicked "Contact us" anyway.
	bw, ba = boardArg("t.board_id")
	if err := eachRow(ctx, db, `SELECT c.at, t.board_id, '' FROM contact_clicks c JOIN threads t ON t.id = c.thread_id
		WHERE c.brand_id = ? AND c.at >= ? AND c.at < ? AND c.from_solved = 1 AND c.from_asker = 0`+bw,
		append([]any{q.BrandID, fromMs, endMs}, ba...), func(at, board int64, _ string) {
			for _, a := range rowsFor(at, board) {
				a.f.ContactsFromSolved++
			}
		}); err != nil {
		return nil, err
	}
	// Survey answers.
	if err := eachRow(ctx, db, `SELECT s.answered_at, t.board_id, CASE WHEN s.saved = 1 THEN 'y' ELSE 'n' END FROM deflection_survey s
		JOIN threads t ON t.id = s.thread_id WHERE s.brand_id = ? AND s.answered_at >= ? AND s.answered_at < ?`+bw,
		append([]any{q.BrandID, fromMs, endMs}, ba...), func(at, board int64, saved string) {
			for _, a := range rowsFor(at, board) {
				a.f.SurveyAnswers++
				if saved == "y" {
					a.f.SurveyYes++
				}
			}
		}); err != nil {
		return nil, err
	}
	// Ask-page suggestions opened by someone who then did not ask: one
	// deflection per asker per day.
	if err := eachRow(ctx, db, `SELECT so.opened_at, t.board_id, so.viewer_key FROM suggestion_opens so JOIN threads t ON t.id = so.thread_id
		WHERE so.brand_id = ? AND so.opened_at >= ? AND so.opened_at < ? AND so.opened_at <= ? AND so.asked_thread_id IS NULL`+bw,
		append([]any{q.BrandID, fromMs, endMs, nowMs - SuggestionWindow.Milliseconds()}, ba...), func(at, board int64, viewer string) {
			key := fmt.Sprintf("%s|%d", viewer, Day(time.UnixMilli(at)))
			for _, a := range rowsFor(at, board) {
				a.suggestion[key] = true
			}
		}); err != nil {
		return nil, err
	}

	r.Rate = Rate{Yes: total.f.SurveyYes, Answers: total.f.SurveyAnswers, Minimum: s.MinSurveyAnswers}
	rate := float64(s.AssumedRateBP) / 10000
	if int64(r.Rate.Answers) >= s.MinSurveyAnswers && r.Rate.Answers > 0 {
		rate = float64(r.Rate.Yes) / float64(r.Rate.Answers)
		r.Rate.Measured = true
	}
	r.Rate.Percent = round2(rate * 100)
	r.Totals = total.finish(rate, s.CostPerContact)

	for g := BucketStart(q.Group, from); g.Before(end); g = bucketEnd(q.Group, g) {
		a := groups[g]
		if a == nil {
			a = newAcc()
		}
		r.Groups = append(r.Groups, Row{Key: g.Format(time.DateOnly), Label: bucketLabel(q.Group, g), Start: g, End: bucketEnd(q.Group, g), Figures: a.finish(rate, s.CostPerContact)})
	}
	var ids []int64
	for id := range boards {
		if q.BoardID == 0 || id == q.BoardID {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool {
		return boards[ids[i]] < boards[ids[j]] || (boards[ids[i]] == boards[ids[j]] && ids[i] < ids[j])
	})
	for _, id := range ids {
		a := byBoard[id]
		if a == nil {
			a = newAcc()
		}
		r.Boards = append(r.Boards, Row{Key: fmt.Sprint(id), Label: boards[id], Figures: a.finish(rate, s.CostPerContact)})
	}
	for w := BucketStart(ByWeek, from); w.Before(end); w = w.AddDate(0, 0, 7) {
		if p := weeks[w]; p != nil {
			r.Trend = append(r.Trend, *p)
		} else {
			r.Trend = append(r.Trend, Week{Start: w})
		}
	}
	for i, b := range firstAnswerBuckets {
		r.FirstAnswer = append(r.FirstAnswer, Bucket{Label: b.label, Count: firstAnswer[i]})
	}
	r.FirstAnswer = append(r.FirstAnswer, Bucket{Label: "No answer yet", Count: firstAnswer[len(firstAnswerBuckets)]})
	return r, nil
}

var firstAnswerBuckets = []struct {
	label string
	upto  time.Duration
}{
	{"Under 15 min", 15 * time.Minute},
	{"15–60 min", time.Hour},
	{"1–4 h", 4 * time.Hour},
	{"4–24 h", 24 * time.Hour},
	{"1–3 days", 72 * time.Hour},
	{"Over 3 days", 1 << 62},
}

func bucketOf(ms int64) int {
	for i, b := range firstAnswerBuckets {
		if ms < b.upto.Milliseconds() {
			return i
		}
	}
	return len(firstAnswerBuckets) - 1
}

func opt(v sql.NullInt64) *int64 {
	if !v.Valid {
		return nil
	}
	n := v.Int64
	return &n
}

// anyIn reports whether some time lies in (after, upto].
func anyIn(times []int64, after, upto int64) bool {
	return slices.ContainsFunc(times, func(v int64) bool { return v > after && v <= upto })
}

func askerClicks(ctx context.Context, db sqldb.Querier, brandID, from, upto int64) (map[int64][]int64, error) {
	out := map[int64][]int64{}
	rows, err := db.Query(ctx, `SELECT user_id, at FROM contact_clicks WHERE brand_id = ? AND user_id IS NOT NULL AND at >= ? AND at < ?`, brandID, from, upto)
	if err != nil {
		return nil, fmt.Errorf("deflection: read contact clicks: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var u, at int64
		if err := rows.Scan(&u, &at); err != nil {
			return nil, err
		}
		out[u] = append(out[u], at)
	}
	return out, rows.Err()
}

func eachRow(ctx context.Context, db sqldb.Querier, query string, args []any, fn func(at, board int64, s string)) error {
	rows, err := db.Query(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("deflection: read: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var at, board int64
		var s string
		if err := rows.Scan(&at, &board, &s); err != nil {
			return err
		}
		fn(at, board, s)
	}
	return rows.Err()
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
