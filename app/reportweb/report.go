package reportweb

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/fault"
	"mutual/forum"
	"mutual/report/deflection"
)

// need is the casbin check for report routes, answering 404 rather than
// 403 to a signed-in account without the right: a report's existence is not
// shown to members or to anyone of another brand.
func (h *Handlers) need(obj, act string) gin.HandlerFunc {
	return func(c *gin.Context) {
		actor := web.ActorOf(c)
		if h.authz.Can(actor, obj, act) {
			c.Next()
			return
		}
		if !actor.SignedIn() && !web.IsAPI(c) && c.Request.Method == http.MethodGet {
			c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
		} else if !actor.SignedIn() {
			h.site.Fail(c, fault.ErrUnauthenticated)
		} else {
			h.site.Fail(c, fault.ErrNotFound)
		}
		c.Abort()
	}
}

// query reads period, from, to, group and board from the URL.
// period is 7, 30 or 90 (days ending today) or "custom" with from and to.
func (h *Handlers) query(c *gin.Context) (deflection.Query, string, error) {
	now := h.now().UTC()
	today := deflection.BucketStart(deflection.ByDay, now)
	q := deflection.Query{BrandID: web.BrandOf(c).ID, Group: c.DefaultQuery("group", deflection.ByWeek)}
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
			bad["from"] = web.T(c, "repmsg.from_date")
		}
		q.To = today
		if v := c.Query("to"); v != "" {
			if q.To, err = time.Parse(time.DateOnly, v); err != nil {
				bad["to"] = web.T(c, "repmsg.to_date")
			}
		}
	default:
		bad["period"] = web.T(c, "repmsg.period_choice")
	}
	if v := c.Query("board"); v != "" && v != "0" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			bad["board"] = web.T(c, "repmsg.board_id")
		}
		q.BoardID = id
	}
	if len(bad) > 0 {
		return q, period, &fault.ValidationError{Fields: bad}
	}
	if err := q.Validate(c.Request.Context()); err != nil {
		return q, period, err
	}
	var err error
	q.SLAs, err = h.SLAs.SLAs(c.Request.Context(), q.BrandID)
	return q, period, err
}

type pageView struct {
	R                   *deflection.Report
	Figures             []figure
	Period, Group       string
	From, To            string
	BoardID             int64
	Boards              []forum.Board
	Trend, Funnel, Dist template.HTML
	// The export links carry exactly the page's query, built here whole:
	// html/template escapes a query string put into the middle of a URL,
	// and the exports then fell back to the default period.
	PrintURL, CSVURL, JSONURL string
	Print                     bool
	CanSettings               bool
	Money                     func(int64) string
	// Holdout is the measured effect of suggestions, when the brand runs a
	// holdout; HoldoutCSV exports its raw events for the same period.
	Holdout    holdoutView
	HoldoutCSV string
}

func (h *Handlers) page(c *gin.Context) {
	q, period, err := h.query(c)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	ctx := c.Request.Context()
	r, err := h.compute(ctx, q)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	boards, err := h.forum.Boards(ctx, q.BrandID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	b := web.BrandOf(c)
	primary, accent := colour(b.ColorPrimary, "#4b2bb8"), colour(b.ColorAccent, "#e8542f")
	loc := web.LocalizerOf(c)
	v := pageView{R: r, Figures: figures(loc, r), Period: period, Group: q.Group, From: r.From, To: r.To, BoardID: q.BoardID, Boards: boards,
		Trend: trendChart(loc, r, primary, accent), Funnel: funnelChart(loc, r.Totals, primary, accent), Dist: firstAnswerChart(loc, r, primary, accent),
		Print: c.Query("print") == "1", CanSettings: h.authz.Can(web.ActorOf(c), "brand", "manage"),
		Money: func(m int64) string { return loc.Money(m, r.Currency) }}
	qs := url.Values{"from": {r.From}, "to": {r.To}, "group": {q.Group}}
	if q.BoardID != 0 {
		qs.Set("board", fmt.Sprint(q.BoardID))
	}
	v.PrintURL = "/reports/deflection?" + qs.Encode() + "&print=1"
	v.CSVURL = "/api/v1/reports/deflection?" + qs.Encode() + "&format=csv"
	v.JSONURL = "/api/v1/reports/deflection?" + qs.Encode()
	v.HoldoutCSV = "/api/v1/reports/deflection/holdout.csv?" + qs.Encode()
	ho, err := h.holdoutOf(c, q)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	v.Holdout = holdoutSection(loc, ho)
	h.site.Render(c, http.StatusOK, "report_deflection", web.T(c, "title.deflection"), v)
}

// compute is the report of q, with the incidents' acknowledgement SLA of
// its period (the whole brand's: incidents span boards).
func (h *Handlers) compute(ctx context.Context, q deflection.Query) (*deflection.Report, error) {
	r, err := deflection.Compute(ctx, h.db, q, h.now())
	if err != nil || h.Incidents == nil {
		return r, err
	}
	from, _ := time.Parse(time.DateOnly, r.From)
	to, _ := time.Parse(time.DateOnly, r.To)
	sla, err := h.Incidents(ctx, q.BrandID, from, to.AddDate(0, 0, 1))
	if err != nil {
		return nil, err
	}
	sla.Tally()
	r.IncidentSLA = &sla
	return r, nil
}

// api answers GET /api/v1/reports/deflection as JSON, or CSV with
// format=csv: the same Report the page shows.
func (h *Handlers) api(c *gin.Context) {
	q, _, err := h.query(c)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	r, err := h.compute(c.Request.Context(), q)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, no-store")
	switch c.DefaultQuery("format", "json") {
	case "json":
		defs := map[string]string{}
		for _, f := range figures(web.LocalizerOf(c), r) {
			defs[f.Key] = f.How
		}
		ho, err := h.holdoutOf(c, q)
		if err != nil {
			h.site.Fail(c, err)
			return
		}
		c.JSON(http.StatusOK, gin.H{"report": r, "definitions": defs, "holdout": ho})
	case "csv":
		body, err := toCSV(r)
		if err != nil {
			h.site.Fail(c, err)
			return
		}
		c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="deflection-%s-to-%s.csv"`, r.From, r.To))
		c.Data(http.StatusOK, "text/csv; charset=utf-8", body)
	default:
		web.JSONError(c, http.StatusBadRequest, "bad_request", "format is json or csv.")
	}
}

// csvColumns are the CSV's columns after scope, key and label.
var csvColumns = []string{"asked", "answered", "peer_answered", "peer_resolved", "escalated", "cancelled_by_late_peer", "agent_resolved",
	"resolved_otherwise", "unresolved", "escalation_rate_percent", "direct_deflection_raw", "recontacted_within_7_days", "direct_deflection",
	"suggestion_deflections", "solved_viewer_days", "article_viewer_days", "contact_clicks_from_solved", "survey_yes", "survey_answers", "self_service_rate_percent",
	"self_service_rate_source", "self_service_deflection", "deflected_contacts", "agent_escalations", "currency", "cost_per_assisted_contact",
	"gross_saving", "agent_cost", "estimated_saving",
	"first_peer_answer_n", "first_peer_answer_median_s", "first_peer_answer_p90_s", "accepted_answer_n", "accepted_answer_median_s", "accepted_answer_p90_s",
	"agent_claim_n", "agent_claim_median_s", "agent_claim_p90_s", "agent_answer_n", "agent_answer_median_s", "agent_answer_p90_s",
	"first_answer_sla_within", "first_answer_sla_due", "first_answer_sla_percent", "agent_sla_within", "agent_sla_due", "agent_sla_percent"}

func toCSV(r *deflection.Report) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(append([]string{"scope", "key", "label"}, csvColumns...))
	source := "measured"
	if !r.Rate.Measured {
		source = "assumed"
	}
	i := func(v int) string { return strconv.Itoa(v) }
	money := func(m int64) string { return deflection.FormatMinor(m) }
	line := func(scope, key, label string, f deflection.Figures) {
		_ = w.Write([]string{scope, key, label, i(f.Asked), i(f.Answered), i(f.PeerAnswered), i(f.PeerResolved), i(f.Escalated), i(f.LatePeer),
			i(f.AgentResolved), i(f.OtherResolved), i(f.Unresolved), num(f.EscalationRate), i(f.DirectRaw), i(f.Recontacted), i(f.DirectCorrected),
			i(f.SuggestionDeflections), strconv.FormatInt(f.SolvedViews, 10), strconv.FormatInt(f.ArticleViews, 10), i(f.ContactsFromSolved), i(f.SurveyYes), i(f.SurveyAnswers),
			num(r.Rate.Percent), source, num(f.SelfService), num(f.DeflectedContacts), i(f.AgentEscalations), r.Currency,
			money(r.CostMinor), money(f.GrossSavingMinor), money(f.AgentCostMinor), money(f.SavingMinor),
			i(f.FirstPeerAnswer.N), num(f.FirstPeerAnswer.MedianSeconds), num(f.FirstPeerAnswer.P90Seconds),
			i(f.AcceptedAnswer.N), num(f.AcceptedAnswer.MedianSeconds), num(f.AcceptedAnswer.P90Seconds),
			i(f.AgentClaim.N), num(f.AgentClaim.MedianSeconds), num(f.AgentClaim.P90Seconds),
			i(f.AgentAnswer.N), num(f.AgentAnswer.MedianSeconds), num(f.AgentAnswer.P90Seconds),
			i(f.FirstAnswerSLA.Within), i(f.FirstAnswerSLA.Due), num(f.FirstAnswerSLA.Percent),
			i(f.AgentSLA.Within), i(f.AgentSLA.Due), num(f.AgentSLA.Percent)})
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
