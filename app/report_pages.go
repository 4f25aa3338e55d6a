package app

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"mutual/fault"
	"mutual/forum"
	"mutual/report/deflection"
)

// reportNeed is the casbin check for report routes, answering 404 rather than
// 403 to a signed-in account without the right: a report's existence is not
// shown to members or to anyone of another brand.
func (a *App) reportNeed(obj, act string) gin.HandlerFunc {
	return func(c *gin.Context) {
		actor := actorOf(c)
		if a.authz.Can(actor, obj, act) {
			c.Next()
			return
		}
		if !actor.SignedIn() && !isAPI(c) && c.Request.Method == http.MethodGet {
			c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
		} else if !actor.SignedIn() {
			a.fail(c, fault.ErrUnauthenticated)
		} else {
			a.fail(c, fault.ErrNotFound)
		}
		c.Abort()
	}
}

// reportQuery reads period, from, to, group and board from the URL.
// period is 7, 30 or 90 (days ending today) or "custom" with from and to.
func (a *App) reportQuery(c *gin.Context) (deflection.Query, string, error) {
	now := a.cfg.Now().UTC()
	today := deflection.BucketStart(deflection.ByDay, now)
	q := deflection.Query{BrandID: brandOf(c).ID, Group: c.DefaultQuery("group", deflection.ByWeek)}
	period := c.Query("period")
	if period == "" {
		period = "30"
		if c.Query("from") != "" || c.Query("to") != "" {
			period = "custom"
		}
	}
	bad := map[string]string{}
	switch period {
	case "7", "30", "90":
		n, _ := strconv.Atoi(period)
		q.From, q.To = today.AddDate(0, 0, -(n-1)), today
	case "custom":
		var err error
		if q.From, err = time.Parse(time.DateOnly, c.Query("from")); err != nil {
			bad["from"] = "from must be a date like 2025-05-01."
		}
		q.To = today
		if v := c.Query("to"); v != "" {
			if q.To, err = time.Parse(time.DateOnly, v); err != nil {
				bad["to"] = "to must be a date like 2025-05-31."
			}
		}
	default:
		bad["period"] = "period is 7, 30, 90 or custom."
	}
	if v := c.Query("board"); v != "" && v != "0" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			bad["board"] = "board must be a board's id."
		}
		q.BoardID = id
	}
	if len(bad) > 0 {
		return q, period, &fault.ValidationError{Fields: bad}
	}
	return q, period, q.Validate()
}

// reportFigure is one line of the report: what, how much, how computed.
type reportFigure struct {
	Key, Label, Value, How string
	Assumption             bool
}

func reportDur(sec float64, n int) string {
	if n == 0 {
		return "—"
	}
	d := deflection.Duration(sec).Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm %02ds", int(d.Minutes()), int(d.Seconds())%60)
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh %02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%.1f days", d.Hours()/24)
}

func reportMoney(minor int64, currency string) string {
	return currency + " " + reportThousands(deflection.FormatMinor(minor))
}

// reportThousands groups the integer part of a decimal string: 12345.60 -> 12,345.60.
func reportThousands(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if frac != "" {
		return sign + b.String() + "." + frac
	}
	return sign + b.String()
}

func reportNum(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// reportFigures lists every figure with how it was computed.
func reportFigures(r *deflection.Report) []reportFigure {
	f := r.Totals
	rate := fmt.Sprintf("%s%% measured from %d of %d survey answers saying yes", reportNum(r.Rate.Percent), r.Rate.Yes, r.Rate.Answers)
	if !r.Rate.Measured {
		rate = fmt.Sprintf("%s%% ASSUMED (configured): only %d survey answers, fewer than the %d needed to measure it", reportNum(r.Rate.Percent), r.Rate.Answers, r.Rate.Minimum)
	}
	timing := func(t deflection.Timing) string {
		return fmt.Sprintf("median %s · p90 %s (n=%d)", reportDur(t.MedianSeconds, t.N), reportDur(t.P90Seconds, t.N), t.N)
	}
	sla := func(c deflection.Compliance) string {
		if c.Due == 0 {
			return "— (none due)"
		}
		return fmt.Sprintf("%s%% (%d of %d)", reportNum(c.Percent), c.Within, c.Due)
	}
	return []reportFigure{
		{"asked", "Questions asked", fmt.Sprint(f.Asked), "Visible threads asked in the period (deleted, hidden and merged threads are left out). Every thread figure below is about these threads, as they stand now.", false},
		{"peer_answered", "Peer-answered", fmt.Sprint(f.PeerAnswered), "Asked threads with at least one reply from a member who is neither the asker nor staff.", false},
		{"peer_resolved", "Peer-resolved", fmt.Sprint(f.PeerResolved), "An accepted answer written by a non-staff member, and no agent act on the thread (no claim by an agent, no staff reply).", false},
		{"escalated", "Escalated to agents", fmt.Sprint(f.Escalated), "Asked threads that were escalated to the agents' queue (for any reason).", false},
		{"late_peer", "Escalation cancelled by a late peer", fmt.Sprint(f.LatePeer), "Escalated threads where a peer answered before any agent claimed it, so the escalation was cancelled.", false},
		{"agent_resolved", "Agent-resolved", fmt.Sprint(f.AgentResolved), "An agent claimed the escalation and answered it.", false},
		{"resolved_otherwise", "Resolved otherwise", fmt.Sprint(f.OtherResolved), "An accepted answer, but neither peer-resolved nor agent-resolved (e.g. a moderator's answer, or a peer answer after a staff reply).", false},
		{"unresolved", "Still unresolved", fmt.Sprint(f.Unresolved), "Asked − peer-resolved − agent-resolved − resolved otherwise.", false},
		{"escalation_rate", "Escalation rate", reportNum(f.EscalationRate) + "%", "Escalated ÷ asked.", false},
		{"direct_raw", "Direct deflection (raw)", fmt.Sprint(f.DirectRaw), "Peer-resolved threads: each is a contact the call centre did not take.", false},
		{"direct", "Direct deflection (after re-contact)", fmt.Sprint(f.DirectCorrected), fmt.Sprintf("Raw direct deflection minus the %d whose asker opened another thread on the same board, or clicked \"Contact us\", within 7 days of asking.", f.Recontacted), false},
		{"suggestions", "Deflected at the Ask page", fmt.Sprint(f.SuggestionDeflections), "Askers who opened a suggested solved thread on the Ask page and did not post within an hour (one per asker per day).", false},
		{"self_service", "Self-service deflection", reportNum(f.SelfService), fmt.Sprintf("(%d viewer-days on solved threads by readers who did not ask − %d \"Contact us\" clicks from those readers) × %s.", f.SolvedViews, f.ContactsFromSolved, rate), !r.Rate.Measured},
		{"saving", "Estimated saving", reportMoney(f.SavingMinor, r.Currency), fmt.Sprintf("%s deflected contacts (direct after re-contact + Ask page + self-service) × %s per assisted contact = %s, minus %d agent escalations × %s = %s.",
			reportNum(f.DeflectedContacts), reportMoney(r.CostMinor, r.Currency), reportMoney(f.GrossSavingMinor, r.Currency), f.AgentEscalations, reportMoney(r.CostMinor, r.Currency), reportMoney(f.AgentCostMinor, r.Currency)), !r.Rate.Measured},
		{"first_peer", "Time to first peer answer", timing(f.FirstPeerAnswer), "From asking to the first reply by a non-staff member other than the asker; median of the middle values, p90 by nearest rank.", false},
		{"accepted", "Time to accepted answer", timing(f.AcceptedAnswer), "From asking to the acceptance of the current accepted answer (acceptances recorded since reports were installed).", false},
		{"agent_claim", "Agent time to claim", timing(f.AgentClaim), "From escalation to an agent's claim.", false},
		{"agent_answer", "Agent time to answer", timing(f.AgentAnswer), "From escalation to the agent's answer.", false},
		{"first_answer_sla", "First-answer SLA met", sla(f.FirstAnswerSLA), fmt.Sprintf("Threads with a first reply within the brand's SLA of %s, of those answered or whose SLA has passed.", reportDur(float64(r.EscalationSLASeconds), 1)), false},
		{"agent_sla", "Agent-answer SLA met", sla(f.AgentSLA), fmt.Sprintf("Escalations answered by an agent within %s of escalation, of those answered or still open past that time.", reportDur(float64(r.AgentSLASeconds), 1)), false},
	}
}

type reportPageView struct {
	R                   *deflection.Report
	Figures             []reportFigure
	Period, Group       string
	From, To            string
	BoardID             int64
	Boards              []forum.Board
	Trend, Funnel, Dist template.HTML
	Query               string // the current query, for export links
	Print               bool
	CanSettings         bool
	Money               func(int64) string
}

func (a *App) reportPage(c *gin.Context) {
	q, period, err := a.reportQuery(c)
	if err != nil {
		a.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	r, err := deflection.Compute(ctx, a.db, q, a.cfg.Now())
	if err != nil {
		a.fail(c, err)
		return
	}
	boards, err := a.forum.Boards(ctx, q.BrandID)
	if err != nil {
		a.fail(c, err)
		return
	}
	b := brandOf(c)
	primary, accent := reportColour(b.ColorPrimary, "#4b2bb8"), reportColour(b.ColorAccent, "#e8542f")
	v := reportPageView{R: r, Figures: reportFigures(r), Period: period, Group: q.Group, From: r.From, To: r.To, BoardID: q.BoardID, Boards: boards,
		Trend: reportTrendChart(r, primary, accent), Funnel: reportFunnelChart(r.Totals, primary, accent), Dist: reportFirstAnswerChart(r, primary, accent),
		Print: c.Query("print") == "1", CanSettings: a.authz.Can(actorOf(c), "brand", "manage"),
		Money: func(m int64) string { return reportMoney(m, r.Currency) }}
	qs := url.Values{"from": {r.From}, "to": {r.To}, "group": {q.Group}}
	if q.BoardID != 0 {
		qs.Set("board", fmt.Sprint(q.BoardID))
	}
	v.Query = qs.Encode()
	a.render(c, http.StatusOK, "report_deflection", "Deflection report", v)
}

// reportAPI answers GET /api/v1/reports/deflection as JSON, or CSV with
// format=csv: the same Report the page shows.
func (a *App) reportAPI(c *gin.Context) {
	q, _, err := a.reportQuery(c)
	if err != nil {
		var ve *fault.ValidationError
		if errors.As(err, &ve) {
			writeJSONValidation(c, ve)
			return
		}
		a.fail(c, err)
		return
	}
	r, err := deflection.Compute(c.Request.Context(), a.db, q, a.cfg.Now())
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, no-store")
	switch c.DefaultQuery("format", "json") {
	case "json":
		defs := map[string]string{}
		for _, f := range reportFigures(r) {
			defs[f.Key] = f.How
		}
		c.JSON(http.StatusOK, gin.H{"report": r, "definitions": defs})
	case "csv":
		body, err := reportCSV(r)
		if err != nil {
			a.fail(c, err)
			return
		}
		c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="deflection-%s-to-%s.csv"`, r.From, r.To))
		c.Data(http.StatusOK, "text/csv; charset=utf-8", body)
	default:
		writeJSONError(c, http.StatusBadRequest, "bad_request", "format is json or csv.")
	}
}

// reportCSVColumns are the CSV's columns after scope, key and label.
var reportCSVColumns = []string{"asked", "answered", "peer_answered", "peer_resolved", "escalated", "cancelled_by_late_peer", "agent_resolved",
	"resolved_otherwise", "unresolved", "escalation_rate_percent", "direct_deflection_raw", "recontacted_within_7_days", "direct_deflection",
	"suggestion_deflections", "solved_viewer_days", "contact_clicks_from_solved", "survey_yes", "survey_answers", "self_service_rate_percent",
	"self_service_rate_source", "self_service_deflection", "deflected_contacts", "agent_escalations", "currency", "cost_per_assisted_contact",
	"gross_saving", "agent_cost", "estimated_saving",
	"first_peer_answer_n", "first_peer_answer_median_s", "first_peer_answer_p90_s", "accepted_answer_n", "accepted_answer_median_s", "accepted_answer_p90_s",
	"agent_claim_n", "agent_claim_median_s", "agent_claim_p90_s", "agent_answer_n", "agent_answer_median_s", "agent_answer_p90_s",
	"first_answer_sla_within", "first_answer_sla_due", "first_answer_sla_percent", "agent_sla_within", "agent_sla_due", "agent_sla_percent"}

func reportCSV(r *deflection.Report) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(append([]string{"scope", "key", "label"}, reportCSVColumns...))
	source := "measured"
	if !r.Rate.Measured {
		source = "assumed"
	}
	i := func(v int) string { return strconv.Itoa(v) }
	money := func(m int64) string { return deflection.FormatMinor(m) }
	line := func(scope, key, label string, f deflection.Figures) {
		_ = w.Write([]string{scope, key, label, i(f.Asked), i(f.Answered), i(f.PeerAnswered), i(f.PeerResolved), i(f.Escalated), i(f.LatePeer),
			i(f.AgentResolved), i(f.OtherResolved), i(f.Unresolved), reportNum(f.EscalationRate), i(f.DirectRaw), i(f.Recontacted), i(f.DirectCorrected),
			i(f.SuggestionDeflections), strconv.FormatInt(f.SolvedViews, 10), i(f.ContactsFromSolved), i(f.SurveyYes), i(f.SurveyAnswers),
			reportNum(r.Rate.Percent), source, reportNum(f.SelfService), reportNum(f.DeflectedContacts), i(f.AgentEscalations), r.Currency,
			money(r.CostMinor), money(f.GrossSavingMinor), money(f.AgentCostMinor), money(f.SavingMinor),
			i(f.FirstPeerAnswer.N), reportNum(f.FirstPeerAnswer.MedianSeconds), reportNum(f.FirstPeerAnswer.P90Seconds),
			i(f.AcceptedAnswer.N), reportNum(f.AcceptedAnswer.MedianSeconds), reportNum(f.AcceptedAnswer.P90Seconds),
			i(f.AgentClaim.N), reportNum(f.AgentClaim.MedianSeconds), reportNum(f.AgentClaim.P90Seconds),
			i(f.AgentAnswer.N), reportNum(f.AgentAnswer.MedianSeconds), reportNum(f.AgentAnswer.P90Seconds),
			i(f.FirstAnswerSLA.Within), i(f.FirstAnswerSLA.Due), reportNum(f.FirstAnswerSLA.Percent),
			i(f.AgentSLA.Within), i(f.AgentSLA.Due), reportNum(f.AgentSLA.Percent)})
	}
	line("total", r.From+".."+r.To, "Whole period", r.Totals)
	for _, g := range r.Groups {
		line(r.Group, g.Key, g.Label, g.Figures)
	}
	for _, b := range r.Boards {
		line("board", b.Key, b.Label, b.Figures)
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

type reportSettingsView struct {
	Form   deflection.SettingsForm
	Errors map[string]string
	Saved  bool
}

func (a *App) reportSettingsForm(c *gin.Context) {
	s, err := deflection.LoadSettings(c.Request.Context(), a.db, brandOf(c).ID)
	if err != nil {
		a.fail(c, err)
		return
	}
	a.render(c, http.StatusOK, "report_settings", "Report settings", reportSettingsView{Form: deflection.FormOf(s), Saved: c.Query("saved") == "1"})
}

func (a *App) reportSettingsSave(c *gin.Context) {
	f := deflection.SettingsForm{ContactURL: c.PostForm("contact_url"), CostPerContact: c.PostForm("cost"), Currency: c.PostForm("currency"),
		AssumedRatePct: c.PostForm("rate"), MinSurveyAnswers: c.PostForm("min_answers"), EscalationSLAMin: c.PostForm("escalation_sla"),
		AgentSLAHours: c.PostForm("agent_sla")}
	_, err := deflection.SaveSettings(c.Request.Context(), a.db, brandOf(c).ID, f, a.cfg.Now())
	var ve *fault.ValidationError
	if errors.As(err, &ve) {
		a.render(c, http.StatusUnprocessableEntity, "report_settings", "Report settings", reportSettingsView{Form: f, Errors: ve.Fields})
		return
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/reports/deflection/settings?saved=1")
}

type reportSurveyView struct {
	ThreadID int64
	Title    string
	URL      string
	Answer   string // what they chose on the thread page: yes or no
	Current  string // what is stored
	CSRF     string
}

// reportSurveyForm is where the thread page's yes/no buttons lead for a
// visitor whose page came from the cache (and so carries no form token): it
// asks them to confirm, with a token.
func (a *App) reportSurveyForm(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		a.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	t, err := a.forum.Thread(ctx, brandOf(c).ID, id)
	if err != nil {
		a.fail(c, err)
		return
	}
	rd, err := a.reportReader(c)
	if err != nil {
		a.fail(c, err)
		return
	}
	cur, err := deflection.SurveyAnswer(ctx, a.db, t.BrandID, t.ID, rd.Key)
	if err != nil {
		a.fail(c, err)
		return
	}
	ans := c.Query("answer")
	if ans != "yes" && ans != "no" {
		ans = ""
	}
	a.render(c, http.StatusOK, "report_survey", "Did this save you contacting us?", reportSurveyView{ThreadID: t.ID, Title: t.Title, URL: threadURL(t), Answer: ans, Current: cur, CSRF: a.csrfToken(c)})
}

func (a *App) reportSurveySave(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		a.fail(c, err)
		return
	}
	ans := c.PostForm("answer")
	if ans != "yes" && ans != "no" {
		a.fail(c, &fault.ValidationError{Fields: map[string]string{"answer": "Answer yes or no."}})
		return
	}
	rd, err := a.reportReader(c)
	if err != nil {
		a.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	if err := deflection.AnswerSurvey(ctx, a.db, brandOf(c).ID, id, rd, ans == "yes", a.cfg.Now()); err != nil {
		a.fail(c, err)
		return
	}
	t, err := a.forum.Thread(ctx, brandOf(c).ID, id)
	if err != nil {
		a.fail(c, err)
		return
	}
	a.render(c, http.StatusOK, "report_survey", "Thanks for your answer", reportSurveyView{ThreadID: t.ID, Title: t.Title, URL: threadURL(t), Current: ans})
}

// reportContact sends a reader to the brand's contact page, counting the click.
func (a *App) reportContact(c *gin.Context) {
	var from int64
	if v := c.Query("from"); v != "" {
		from, _ = strconv.ParseInt(v, 10, 64)
	}
	rd, err := a.reportReader(c)
	if err != nil {
		a.fail(c, err)
		return
	}
	target, err := deflection.RecordContact(c.Request.Context(), a.db, brandOf(c).ID, max(from, 0), rd, a.cfg.Now())
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Redirect(http.StatusFound, target)
}
