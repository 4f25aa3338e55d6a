package app

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/forum"
	"mutual/moderation/escalation"
)

// escRow is an escalation as the console and supervisor pages show it.
type escRow struct {
	escalation.Escalation
	URL      string
	TimeLeft string
	Breached bool
	Urgent   bool // under a quarter of the agent SLA left
	Mine     bool
	PeerNew  bool // a peer replied after the claim: highlight it
}

func (a *App) escRows(list []escalation.Escalation, me int64) []escRow {
	now := a.cfg.Now()
	out := make([]escRow, 0, len(list))
	for _, x := range list {
		left := x.TimeLeft(now)
		r := escRow{Escalation: x, URL: "/t/" + web.Itoa(x.ThreadID) + "/" + x.Slug, Breached: x.Breached(now),
			Mine: x.AssignedTo == me || x.ClaimedBy == me, PeerNew: !x.PeerReplyAt.IsZero()}
		r.TimeLeft = escFormatLeft(left)
		r.Urgent = !r.Breached && left < 15*time.Minute
		out = append(out, r)
	}
	return out
}

// escFormatLeft says "42m left" or "breached 1h05m ago".
func escFormatLeft(d time.Duration) string {
	f := func(d time.Duration) string {
		d = d.Round(time.Minute)
		h, m := int(d.Hours()), int(d.Minutes())%60
		if h > 0 {
			return strconv.Itoa(h) + "h" + pad2(m) + "m"
		}
		return strconv.Itoa(m) + "m"
	}
	if d < 0 {
		return "breached " + f(-d) + " ago"
	}
	return f(d) + " left"
}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// escDone are the fixed messages a redirect back to the console may show.
var escDone = map[string]string{
	"claim":    "Claimed. Reply in the thread; your reply is marked as staff.",
	"release":  "Released back to the queue.",
	"handover": "Handed over with your note.",
	"close":    "Closed.",
	"on":       "You are on shift: new escalations are routed to you.",
	"off":      "You are off shift: escalations routed to you and not yet claimed went back to the queue.",
}

type escConsoleView struct {
	Mine    []escRow
	Queue   []escRow
	Agent   escalation.Agent
	IsAgent bool
	Agents  []escalation.Agent
	Done    string
	Error   string
	Now     time.Time
}

func (a *App) escConsolePage(c *gin.Context) {
	a.escRenderConsole(c, http.StatusOK, "")
}

func (a *App) escRenderConsole(c *gin.Context, code int, errMsg string) {
	ctx, actor := c.Request.Context(), web.ActorOf(c)
	con, err := a.escalations.Console(ctx, actor.BrandID, actor.UserID, 100)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	agents, err := a.escalations.Agents(ctx, actor.BrandID)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	v := escConsoleView{Mine: a.escRows(con.Mine, actor.UserID), Queue: a.escRows(con.Queue, actor.UserID),
		Agent: con.Agent, IsAgent: con.Agent.ID != 0, Agents: agents, Done: escDone[c.Query("done")], Error: errMsg, Now: a.cfg.Now()}
	a.site.Render(c, code, "escalation_console", "Agent console", v)
}

func (a *App) escActForm(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	act := c.Param("act")
	to, _ := strconv.ParseInt(c.PostForm("to"), 10, 64)
	_, err = a.escDo(c, act, id, c.PostForm("note"), to)
	if err != nil {
		code, _, msg := web.Status(err)
		if code >= 500 || code == http.StatusNotFound {
			a.site.Fail(c, err)
			return
		}
		a.escRenderConsole(c, code, msg)
		return
	}
	c.Redirect(http.StatusSeeOther, "/console?done="+url.QueryEscape(act))
}

func (a *App) escShiftForm(c *gin.Context) {
	actor := web.ActorOf(c)
	on := c.PostForm("on_shift") == "1"
	if err := a.escalations.SetShift(c.Request.Context(), actor.BrandID, actor.UserID, on); err != nil {
		a.site.Fail(c, err)
		return
	}
	done := "off"
	if on {
		done = "on"
	}
	c.Redirect(http.StatusSeeOther, "/console?done="+done)
}

type escDetailView struct {
	Row    escRow
	Events []escalation.Event
}

func (a *App) escDetailPage(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	ctx, actor := c.Request.Context(), web.ActorOf(c)
	x, err := a.escalations.Get(ctx, actor.BrandID, id)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	evs, err := a.escalations.History(ctx, actor.BrandID, id)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	a.site.Render(c, http.StatusOK, "escalation_detail", "Escalation #"+web.Itoa(id), escDetailView{Row: a.escRows([]escalation.Escalation{x}, actor.UserID)[0], Events: evs})
}

type escSupervisorView struct {
	Stats    escalation.Stats
	Queue    []escRow
	Breaches []escRow
}

func (a *App) escSupervisorPage(c *gin.Context) {
	ctx, actor := c.Request.Context(), web.ActorOf(c)
	st, err := a.escalations.Stats(ctx, actor.BrandID)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	open, _, err := a.escalations.List(ctx, actor.BrandID, "open", escalation.Cursor{}, 100)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	rows := a.escRows(open, actor.UserID)
	v := escSupervisorView{Stats: st, Queue: rows}
	for _, r := range rows {
		if r.Breached {
			v.Breaches = append(v.Breaches, r)
		}
	}
	a.site.Render(c, http.StatusOK, "escalation_supervisor", "Escalations: supervisor", v)
}

type escWebhooksView struct {
	Items []escalation.Delivery
	Next  int64
}

func (a *App) escWebhooksPage(c *gin.Context) {
	before, _ := strconv.ParseInt(c.Query("before"), 10, 64)
	list, err := a.escalations.Deliveries(c.Request.Context(), web.ActorOf(c).BrandID, before, 50)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	v := escWebhooksView{Items: list}
	if len(list) == 50 {
		v.Next = list[len(list)-1].ID
	}
	a.site.Render(c, http.StatusOK, "escalation_webhooks", "Webhook deliveries", v)
}

func (a *App) escEscalateForm(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	_, err = a.escalations.Escalate(c.Request.Context(), web.ActorOf(c), id, c.PostForm("reason"))
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	a.escBackToThread(c, id, "escalated")
}

func (a *App) escStillNeedHelpForm(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	if err := a.escalations.StillNeedHelp(c.Request.Context(), web.ActorOf(c), id); err != nil {
		a.site.Fail(c, err)
		return
	}
	a.escBackToThread(c, id, "still")
}

func (a *App) escBackToThread(c *gin.Context, id int64, done string) {
	t, err := a.forum.Thread(c.Request.Context(), web.ActorOf(c).BrandID, id)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	a.onChange(forum.Change{BrandID: t.BrandID, ThreadID: t.ID})
	c.Redirect(http.StatusSeeOther, web.ThreadURL(t)+"?esc="+done)
}

// escThreadSlot is what the thread page's escalation slot shows a signed-in
// viewer: the thread's escalation (if any) and the buttons they may press.
type escThreadSlot struct {
	Escalation   *escalation.Escalation
	IsAsker      bool
	CanEscalate  bool // asker or trusted: "Escalate to our support team" with a reason
	CanStillNeed bool // asker, replies but no accepted answer
	StillPressed bool
	Done         string
	ConsoleLink  bool
}

// escThreadInfo fills the slot; anonymous viewers get nothing (their pages
// are cached and shared).
func (a *App) escThreadInfo(c *gin.Context, t forum.Thread) *escThreadSlot {
	actor := web.ActorOf(c)
	if !actor.SignedIn() {
		return nil
	}
	ctx := c.Request.Context()
	s := &escThreadSlot{IsAsker: actor.UserID == t.AuthorID, ConsoleLink: actor.Has("agent") || actor.Has("admin")}
	if x, ok, err := a.escalations.ForThread(ctx, actor.BrandID, t.ID); err == nil && ok {
		s.Escalation = &x
	}
	s.StillPressed = a.escStillPressed(ctx, actor.BrandID, t.ID)
	if s.Escalation == nil {
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

func (a *App) escStillPressed(ctx context.Context, brandID, threadID int64) bool {
	var at int64
	err := a.db.QueryRow(ctx, `SELECT COALESCE(still_need_help_at, 0) FROM threads WHERE id = ? AND brand_id = ?`, threadID, brandID).Scan(&at)
	return err == nil && at != 0
}
