package escalationweb

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/escalation"
	"mutual/forum"
	"mutual/i18n"
)

// row is an escalation as the console and supervisor pages show it.
type row struct {
	escalation.Escalation
	URL      string
	TimeLeft string
	Breached bool
	Urgent   bool // under a quarter of the agent SLA left
	Mine     bool
	PeerNew  bool // a peer replied after the claim: highlight it
}

// rows shows escalations to me; agentSLA is the brand's, of which under a
// quarter left is urgent.
func (h *Handlers) rows(loc *i18n.Localizer, list []escalation.Escalation, me int64, agentSLA time.Duration) []row {
	now := h.now()
	out := make([]row, 0, len(list))
	for _, x := range list {
		left := x.TimeLeft(now)
		r := row{Escalation: x, URL: "/t/" + web.Itoa(x.ThreadID) + "/" + x.Slug, Breached: x.Breached(now),
			Mine: x.AssignedTo == me || x.ClaimedBy == me, PeerNew: !x.PeerReplyAt.IsZero()}
		if x.Channel != "" {
			r.URL = x.ExternalURL // a mention is answered where it was said
		}
		r.TimeLeft = formatLeft(loc, left)
		r.Urgent = !r.Breached && left < agentSLA/4
		out = append(out, r)
	}
	return out
}

// formatLeft says "42m left" or "breached 1h05m ago".
func formatLeft(loc *i18n.Localizer, d time.Duration) string {
	if d < 0 {
		return loc.T("ec.breached", "D", hoursMinutes(-d))
	}
	return loc.T("ec.left", "D", hoursMinutes(d))
}

// hoursMinutes writes d to the minute: "42m", "1h05m".
func hoursMinutes(d time.Duration) string {
	d = d.Round(time.Minute)
	h, m := int(d.Hours()), int(d.Minutes())%60
	if h > 0 {
		return strconv.Itoa(h) + "h" + pad2(m) + "m"
	}
	return strconv.Itoa(m) + "m"
}

// span writes a setting's duration plainly: "15m", "1h", "1h30m", "2d".
func span(d time.Duration) string {
	if d >= 24*time.Hour && d%(24*time.Hour) == 0 {
		return strconv.Itoa(int(d/(24*time.Hour))) + "d"
	}
	s := hoursMinutes(d)
	if h, rest, ok := strings.Cut(s, "h"); ok && rest == "00m" {
		return h + "h"
	}
	return s
}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// doneMessages are the fixed messages (ec.done_<key>) a redirect back to
// the console may show.
var doneMessages = map[string]bool{"claim": true, "release": true, "handover": true, "close": true, "on": true, "off": true}

type consoleView struct {
	Mine    []row
	Queue   []row
	Agent   escalation.Agent
	IsAgent bool
	// OnShift and OffShift are the brand's other agents, whom an
	// escalation can be handed over to; an agent off shift finds it among
	// theirs when they come back on shift.
	OnShift, OffShift []escalation.Agent
	// PeerSLA and AgentSLA are the brand's, as "15m" or "1h".
	PeerSLA, AgentSLA string
	Host              string // for the `mutual agent add` hint
	Done              string
	Error             string
	Now               time.Time
	Incidents         any // the open incidents' banner, nil when none
}

func (h *Handlers) consolePage(c *gin.Context) {
	h.renderConsole(c, http.StatusOK)
}

// renderConsole draws the console; after a refused form (Site.Refuse) it
// says why at the top, and the form keeps what was typed.
func (h *Handlers) renderConsole(c *gin.Context, code int) {
	ctx, actor := c.Request.Context(), web.ActorOf(c)
	con, err := h.escalations.Console(ctx, actor.BrandID, actor.UserID, 100)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	agents, err := h.escalations.Agents(ctx, actor.BrandID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	st, err := h.escalations.BrandSettings(ctx, actor.BrandID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	v := consoleView{Mine: h.rows(web.LocalizerOf(c), con.Mine, actor.UserID, st.AgentSLA), Queue: h.rows(web.LocalizerOf(c), con.Queue, actor.UserID, st.AgentSLA),
		Agent: con.Agent, IsAgent: con.Agent.ID != 0, PeerSLA: span(st.PeerSLA), AgentSLA: span(st.AgentSLA),
		Host: web.BrandOf(c).Host, Done: done(c), Error: web.RefusedOf(c).All(), Now: h.now()}
	if h.Incidents != nil {
		v.Incidents = h.Incidents.Banner(c)
	}
	for _, a := range agents {
		switch {
		case a.UserID == actor.UserID:
		case a.OnShift:
			v.OnShift = append(v.OnShift, a)
		default:
			v.OffShift = append(v.OffShift, a)
		}
	}
	h.site.Render(c, code, "escalation_console", web.T(c, "title.agent_console"), v)
}

func (h *Handlers) actForm(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	act := c.Param("act")
	to, _ := strconv.ParseInt(c.PostForm("to"), 10, 64)
	_, err = h.do(c, act, id, c.PostForm("note"), to)
	if err != nil {
		h.site.Refuse(c, web.Form{Page: "console", Name: act, ID: id}, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/console?done="+url.QueryEscape(act))
}

func (h *Handlers) shiftForm(c *gin.Context) {
	actor := web.ActorOf(c)
	on := c.PostForm("on_shift") == "1"
	if err := h.escalations.SetShift(c.Request.Context(), actor.BrandID, actor.UserID, on); err != nil {
		h.site.Refuse(c, web.Form{Page: "console", Name: "shift"}, err)
		return
	}
	done := "off"
	if on {
		done = "on"
	}
	c.Redirect(http.StatusSeeOther, "/console?done="+done)
}

type detailView struct {
	Row    row
	Events []escalation.Event
}

func (h *Handlers) detailPage(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	ctx, actor := c.Request.Context(), web.ActorOf(c)
	x, err := h.escalations.Get(ctx, actor.BrandID, id)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	evs, err := h.escalations.History(ctx, actor.BrandID, id)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	st, err := h.escalations.BrandSettings(ctx, actor.BrandID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	h.site.Render(c, http.StatusOK, "escalation_detail", web.T(c, "title.escalation", "ID", id), detailView{Row: h.rows(web.LocalizerOf(c), []escalation.Escalation{x}, actor.UserID, st.AgentSLA)[0], Events: evs})
}

type supervisorView struct {
	Stats             escalation.Stats
	Queue             []row
	Breaches          []row
	PeerSLA, AgentSLA string
	CanManage         bool // may change the SLAs (on the report settings page)
	Incidents         any  // the open incidents' banner, nil when none
	IncidentFigures   *IncidentFigures
}

func (h *Handlers) supervisorPage(c *gin.Context) {
	ctx, actor := c.Request.Context(), web.ActorOf(c)
	st, err := h.escalations.Stats(ctx, actor.BrandID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	open, _, err := h.escalations.List(ctx, actor.BrandID, "open", escalation.Cursor{}, 100)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	set, err := h.escalations.BrandSettings(ctx, actor.BrandID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	rows := h.rows(web.LocalizerOf(c), open, actor.UserID, set.AgentSLA)
	v := supervisorView{Stats: st, Queue: rows, PeerSLA: span(set.PeerSLA), AgentSLA: span(set.AgentSLA),
		CanManage: h.site.Authz().Can(actor, "brand", "manage")}
	if h.Incidents != nil {
		v.Incidents = h.Incidents.Banner(c)
		f, err := h.Incidents.Figures(ctx, actor.BrandID)
		if err != nil {
			h.site.Fail(c, err)
			return
		}
		v.IncidentFigures = &f
	}
	for _, r := range rows {
		if r.Breached {
			v.Breaches = append(v.Breaches, r)
		}
	}
	h.site.Render(c, http.StatusOK, "escalation_supervisor", web.T(c, "title.supervisor"), v)
}

type webhooksView struct {
	Items []escalation.Delivery
	Next  int64
}

func (h *Handlers) webhooksPage(c *gin.Context) {
	before, _ := strconv.ParseInt(c.Query("before"), 10, 64)
	list, err := h.escalations.Deliveries(c.Request.Context(), web.ActorOf(c).BrandID, before, 50)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	v := webhooksView{Items: list}
	if len(list) == 50 {
		v.Next = list[len(list)-1].ID
	}
	h.site.Render(c, http.StatusOK, "escalation_webhooks", web.T(c, "title.webhooks"), v)
}

func (h *Handlers) escalateForm(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	_, err = h.escalations.Escalate(c.Request.Context(), web.ActorOf(c), id, c.PostForm("reason"))
	if err != nil {
		h.site.Refuse(c, web.Form{Page: "thread", At: id, Name: "escalate", ID: id, Fields: []string{"reason"}}, err)
		return
	}
	h.backToThread(c, id, "escalated")
}

func (h *Handlers) stillNeedHelpForm(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	if err := h.escalations.StillNeedHelp(c.Request.Context(), web.ActorOf(c), id); err != nil {
		h.site.Refuse(c, web.Form{Page: "thread", At: id, Name: "still-need-help", ID: id}, err)
		return
	}
	h.backToThread(c, id, "still")
}

func (h *Handlers) backToThread(c *gin.Context, id int64, done string) {
	t, err := h.forum.Thread(c.Request.Context(), web.ActorOf(c).BrandID, id)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	h.changed(forum.Change{BrandID: t.BrandID, ThreadID: t.ID})
	c.Redirect(http.StatusSeeOther, web.ThreadURL(t)+"?esc="+done)
}

// ThreadSlot is what the thread page's escalation slot shows a signed-in
// viewer: the thread's escalation (if any) and the buttons they may press.
type ThreadSlot struct {
	Escalation   *escalation.Escalation
	IsAsker      bool
	CanEscalate  bool // asker or trusted: "Escalate to our support team" with a reason
	CanStillNeed bool // asker, replies but no accepted answer
	StillPressed bool
	Done         string
	ConsoleLink  bool
}

// ThreadInfo fills the slot; anonymous viewers get nothing (their pages
// are cached and shared).
func (h *Handlers) ThreadInfo(c *gin.Context, t forum.Thread) *ThreadSlot {
	actor := web.ActorOf(c)
	if !actor.SignedIn() {
		return nil
	}
	ctx := c.Request.Context()
	s := &ThreadSlot{IsAsker: actor.UserID == t.AuthorID, ConsoleLink: actor.Has("agent") || actor.Has("admin")}
	if x, ok, err := h.escalations.ForThread(ctx, actor.BrandID, t.ID); err == nil && ok {
		s.Escalation = &x
	}
	s.StillPressed, _ = h.escalations.StillNeedHelpPressed(ctx, actor.BrandID, t.ID)
	// A member held to a visitor's rights (suspended, banned) is not
	// offered buttons that would refuse them; the page says why.
	if s.Escalation == nil && h.site.Authz().Can(actor, "escalation", "request") {
		s.CanEscalate = s.IsAsker || actor.Has("trusted") || actor.CanModerate()
		s.CanStillNeed = s.IsAsker && t.ReplyCount > 0 && !t.Solved() && !s.StillPressed
	}
	switch c.Query("esc") {
	case "escalated":
		s.Done = "Escalated: our support team has been asked to help."
	case "still":
		s.Done = "Noted. If no answer is accepted in time, our support team will step in."
	}
	return s
}

// done is the console's message for the act it was sent back from, or "".
func done(c *gin.Context) string {
	if k := c.Query("done"); doneMessages[k] {
		return web.T(c, "ec.done_"+k)
	}
	return ""
}
