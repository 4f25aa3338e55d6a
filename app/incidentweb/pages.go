package incidentweb

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/forum"
	"mutual/i18n"
	"mutual/incident"
)

// row is an incident as the pages show it.
type row struct {
	incident.Incident
	URL      string
	TimeLeft string // "12m to acknowledge" or "acknowledgement late by 3m"
	Breached bool
	Waiting  bool // open and nobody has acknowledged it
}

func (h *Handlers) rows(loc *i18n.Localizer, list []incident.Incident) []row {
	now := h.now()
	out := make([]row, 0, len(list))
	for _, x := range list {
		r := row{Incident: x, URL: "/incidents/" + web.Itoa(x.ID), Breached: x.Breached(now),
			Waiting: x.Status == incident.StatusOpen}
		if left := x.TimeLeft(now); left >= 0 {
			r.TimeLeft = loc.T("incident.left", "D", clock(left))
		} else {
			r.TimeLeft = loc.T("incident.late", "D", clock(-left))
		}
		out = append(out, r)
	}
	return out
}

// clock writes d to the minute, "42m" or "1h05m" (or seconds under one).
func clock(d time.Duration) string {
	if d < time.Minute {
		return strconv.Itoa(int(d.Seconds())) + "s"
	}
	d = d.Round(time.Minute)
	h, m := int(d.Hours()), int(d.Minutes())%60
	if h == 0 {
		return strconv.Itoa(m) + "m"
	}
	return strconv.Itoa(h) + "h" + strconv.Itoa(m/10) + strconv.Itoa(m%10) + "m"
}

// done is the fixed message a redirect back asked for (incident.done_<key>).
func done(c *gin.Context) string {
	key := c.Query("done")
	switch key {
	case "raised", "ack", "status", "closed", "settings":
		return web.T(c, "incident.done_"+key)
	case "replied":
		n, _ := strconv.Atoi(c.Query("n"))
		return web.LocalizerOf(c).N("incident.done_replied", int64(n))
	}
	return ""
}

// Banner is the brand's open incidents for the top of the console and the
// supervisor page, or nil when there are none.
func (h *Handlers) Banner(c *gin.Context) any {
	list, err := h.incidents.Open(c.Request.Context(), web.ActorOf(c).BrandID)
	if err != nil {
		// The console still works without its banner; the log says why.
		h.site.Log().Error("incident banner", "err", err)
		return nil
	}
	if len(list) == 0 {
		return nil
	}
	return bannerView{Rows: h.rows(web.LocalizerOf(c), list)}
}

type bannerView struct{ Rows []row }

type listView struct {
	Open       []row
	Closed     []row
	Candidates []incident.Candidate
	AckSLA     string
	CanManage  bool
	Done       string
}

func (h *Handlers) listPage(c *gin.Context) { h.renderList(c, http.StatusOK) }

func (h *Handlers) renderList(c *gin.Context, code int) {
	ctx, a := c.Request.Context(), web.ActorOf(c)
	open, err := h.incidents.List(ctx, a.BrandID, "open", 0, incident.MaxList)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	closed, err := h.incidents.List(ctx, a.BrandID, "closed", 0, 20)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	cands, err := h.incidents.Candidates(ctx, a.BrandID, 50)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	st, err := h.incidents.Settings(ctx, a.BrandID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	loc := web.LocalizerOf(c)
	h.site.Render(c, code, "incident_list", web.T(c, "incident.title_list"), listView{Open: h.rows(loc, open), Closed: h.rows(loc, closed),
		Candidates: cands, AckSLA: clock(st.AckSLA), CanManage: h.site.Authz().Can(a, "incident", "manage"), Done: done(c)})
}

// raiseForm opens an incident over the threads an agent ticked.
func (h *Handlers) raiseForm(c *gin.Context) {
	_ = c.Request.ParseForm()
	var ids []int64
	for _, v := range c.Request.PostForm["thread"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 {
			ids = append(ids, id)
		}
	}
	ids = append(ids, threadRefs(c.PostForm("more"))...)
	id, err := h.incidents.RaiseByHand(c.Request.Context(), web.ActorOf(c), c.PostForm("label"), ids)
	if err != nil {
		h.site.Refuse(c, web.Form{Page: "incidents", Name: "raise", Fields: []string{"label", "threads"}}, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/incidents/"+web.Itoa(id)+"?done=raised")
}

type detailView struct {
	Row         row
	Boards      []forum.Board
	Board       int64  // where the status thread goes unless chosen: the group's board
	StatusTitle string // what the status form starts with
	StatusBody  string
	Done        string
}

func (h *Handlers) detailPage(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	h.renderDetail(c, http.StatusOK, id)
}

func (h *Handlers) renderDetail(c *gin.Context, code int, id int64) {
	ctx, a := c.Request.Context(), web.ActorOf(c)
	x, err := h.incidents.Get(ctx, a.BrandID, id)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	boards, err := h.forum.Boards(ctx, a.BrandID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	v := detailView{Row: h.rows(web.LocalizerOf(c), []incident.Incident{x})[0], Boards: boards, Done: done(c),
		StatusTitle: web.T(c, "incident.status_title_default", "Label", x.Label),
		StatusBody:  web.T(c, "incident.status_body_default", "Label", x.Label)}
	if len(x.BoardIDs) > 0 {
		v.Board = x.BoardIDs[0]
	} else if len(x.Threads) > 0 {
		v.Board = x.Threads[0].BoardID
	}
	h.site.Render(c, code, "incident_detail", web.T(c, "incident.title_detail", "ID", id), v)
}

func (h *Handlers) acknowledgeForm(c *gin.Context) {
	h.act(c, "acknowledge", func(id int64) (string, error) {
		_, err := h.incidents.Acknowledge(c.Request.Context(), web.ActorOf(c), id)
		return "ack", err
	})
}

func (h *Handlers) statusForm(c *gin.Context) {
	h.act(c, "status", func(id int64) (string, error) {
		board, _ := strconv.ParseInt(c.PostForm("board_id"), 10, 64)
		_, err := h.incidents.PostStatus(c.Request.Context(), web.ActorOf(c), id,
			incident.StatusPost{BoardID: board, Title: c.PostForm("title"), Body: c.PostForm("body")})
		return "status", err
	})
}

func (h *Handlers) replyAllForm(c *gin.Context) {
	h.act(c, "reply-all", func(id int64) (string, error) {
		n, _, err := h.incidents.ReplyAll(c.Request.Context(), web.ActorOf(c), id, c.PostForm("note"))
		return "replied&n=" + strconv.Itoa(n), err
	})
}

func (h *Handlers) closeForm(c *gin.Context) {
	h.act(c, "close", func(id int64) (string, error) {
		_, err := h.incidents.Close(c.Request.Context(), web.ActorOf(c), id, c.PostForm("outcome"), c.PostForm("note"))
		return "closed", err
	})
}

// act runs one form of the incident page and goes back to it, or draws the
// page again with the form's message beside it.
func (h *Handlers) act(c *gin.Context, form string, fn func(id int64) (string, error)) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	key, err := fn(id)
	if err != nil {
		h.site.Refuse(c, web.Form{Page: "incident", At: id, Name: form, ID: id,
			Fields: []string{"title", "body", "board_id", "note", "outcome"}}, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/incidents/"+web.Itoa(id)+"?done="+key)
}

type settingsView struct {
	Settings incident.Settings
	AckMins  string
	Done     string
}

func (h *Handlers) settingsPage(c *gin.Context) { h.renderSettings(c, http.StatusOK) }

func (h *Handlers) renderSettings(c *gin.Context, code int) {
	st, err := h.incidents.Settings(c.Request.Context(), web.ActorOf(c).BrandID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	h.site.Render(c, code, "incident_settings", web.T(c, "incident.title_settings"),
		settingsView{Settings: st, AckMins: strconv.Itoa(int(st.AckSLA.Minutes())), Done: done(c)})
}

func (h *Handlers) settingsForm(c *gin.Context) {
	mins, err := strconv.Atoi(strings.TrimSpace(c.PostForm("ack_minutes")))
	if err != nil {
		mins = -1 // the service says what is allowed
	}
	_, err = h.incidents.UpdateSettings(c.Request.Context(), web.ActorOf(c), time.Duration(mins)*time.Minute, c.PostForm("contacts"))
	if err != nil {
		h.site.Refuse(c, web.Form{Page: "incident_settings", Name: "settings", Fields: []string{"ack_sla", "contacts"}}, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/incidents/settings?done="+url.QueryEscape("settings"))
}

// Unreplied is how many threads still wait for the staff reply.
func (r row) Unreplied() int { return max(0, r.ThreadCount-r.Replied) }

// threadRefs reads the threads an agent pasted: numbers, or links to them
// (".../t/42/slug"), separated by spaces or commas.
func threadRefs(s string) []int64 {
	var out []int64
	for _, f := range strings.Fields(strings.ReplaceAll(s, ",", " ")) {
		if i := strings.Index(f, "/t/"); i >= 0 {
			f = f[i+3:]
		}
		digits := strings.IndexFunc(f, func(r rune) bool { return r < '0' || r > '9' })
		if digits < 0 {
			digits = len(f)
		}
		if id, err := strconv.ParseInt(f[:digits], 10, 64); err == nil && id > 0 {
			out = append(out, id)
		}
	}
	return out
}
