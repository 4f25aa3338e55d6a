package escalationweb

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/escalation"
	"mutual/fault"
	"mutual/forum"
)

// listItem is an escalation in API lists: the escalation's JSON plus the
// thread's URL.
type listItem struct {
	escalation.JSON
	URL string `json:"url"`
}

func (h *Handlers) item(c *gin.Context, x escalation.Escalation) listItem {
	return listItem{JSON: x.JSON(h.now(), web.LocalizerOf(c)), URL: "/t/" + web.Itoa(x.ThreadID) + "/" + x.Slug}
}

// parseCursor reads ?after=; false when it is not a cursor this API made.
func parseCursor(s string) (escalation.Cursor, bool) {
	if s == "" {
		return escalation.Cursor{}, true
	}
	at, id, ok := strings.Cut(s, ".")
	x, err1 := strconv.ParseInt(at, 10, 64)
	y, err2 := strconv.ParseInt(id, 10, 64)
	if !ok || err1 != nil || err2 != nil || y <= 0 {
		return escalation.Cursor{}, false
	}
	return escalation.Cursor{At: x, ID: y}, true
}

func (h *Handlers) listAPI(c *gin.Context) {
	after, ok := parseCursor(c.Query("after"))
	if !ok {
		h.site.Fail(c, &fault.ValidationError{Fields: map[string]string{"after": web.T(c, "apimsg.after")}})
		return
	}
	var err error
	limit := 50
	if s := c.Query("limit"); s != "" {
		if limit, err = web.ParseLimit(c, s); err != nil {
			h.site.Fail(c, err)
			return
		}
	}
	list, next, err := h.escalations.List(c.Request.Context(), web.ActorOf(c).BrandID, c.Query("state"), after, limit)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	out := web.List[listItem]{Items: []listItem{}}
	for _, x := range list {
		out.Items = append(out.Items, h.item(c, x))
	}
	if next.ID != 0 {
		s := fmt.Sprintf("%d.%d", next.At, next.ID)
		out.Next = &s
	}
	c.JSON(http.StatusOK, out)
}

type eventJSON struct {
	State string `json:"state"`
	Actor string `json:"actor,omitempty"`
	Note  string `json:"note"`                // worded in the reader's language
	Code  string `json:"note_code,omitempty"` // when the lifecycle wrote the note (see docs/escalation.md)
	At    string `json:"at"`
}

func (h *Handlers) getAPI(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	ctx := c.Request.Context()
	brand := web.ActorOf(c).BrandID
	x, err := h.escalations.Get(ctx, brand, id)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	hist, err := h.escalations.History(ctx, brand, id)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	evs := []eventJSON{}
	for _, e := range hist {
		evs = append(evs, eventJSON{State: e.State, Actor: e.ActorName, Note: e.Note.Text(web.LocalizerOf(c)), Code: e.Note.Code, At: e.At.Format("2006-01-02T15:04:05.000Z07:00")})
	}
	c.JSON(http.StatusOK, gin.H{"escalation": h.item(c, x), "events": evs})
}

// do runs one agent action by name; body carries note and, for a
// hand-over, the receiving agent's user id.
func (h *Handlers) do(c *gin.Context, act string, id int64, note string, to int64) (escalation.Escalation, error) {
	ctx, actor := c.Request.Context(), web.ActorOf(c)
	switch act {
	case "claim":
		return h.escalations.Claim(ctx, actor, id)
	case "release":
		return h.escalations.Release(ctx, actor, id, note)
	case "handover":
		return h.escalations.Handover(ctx, actor, id, to, note)
	case "close":
		return h.escalations.Close(ctx, actor, id, note)
	}
	return escalation.Escalation{}, &fault.Error{Kind: fault.ErrNotFound, Msg: web.T(c, "ec.no_action")}
}

func (h *Handlers) actAPI(act string) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := web.IDParam(c, "id")
		if err != nil {
			h.site.Fail(c, err)
			return
		}
		var in struct {
			Note string `json:"note"`
			To   int64  `json:"to"`
		}
		if c.Request.ContentLength != 0 {
			if err := web.BindJSON(c, &in); err != nil {
				h.site.Fail(c, err)
				return
			}
		}
		x, err := h.do(c, act, id, in.Note, in.To)
		if err != nil {
			h.site.Fail(c, err)
			return
		}
		c.JSON(http.StatusOK, h.item(c, x))
	}
}

func (h *Handlers) shiftAPI(c *gin.Context) {
	var in struct {
		OnShift *bool `json:"on_shift"`
	}
	if err := web.BindJSON(c, &in); err != nil {
		h.site.Fail(c, err)
		return
	}
	if in.OnShift == nil {
		h.site.Fail(c, &fault.ValidationError{Fields: map[string]string{"on_shift": web.T(c, "apimsg.on_shift")}})
		return
	}
	actor := web.ActorOf(c)
	if err := h.escalations.SetShift(c.Request.Context(), actor.BrandID, actor.UserID, *in.OnShift); err != nil {
		h.site.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"on_shift": *in.OnShift})
}

func (h *Handlers) escalateAPI(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := web.BindJSON(c, &in); err != nil {
		h.site.Fail(c, err)
		return
	}
	x, err := h.escalations.Escalate(c.Request.Context(), web.ActorOf(c), id, in.Reason)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	h.changed(forum.Change{BrandID: web.ActorOf(c).BrandID, ThreadID: id})
	c.JSON(http.StatusCreated, gin.H{"thread_id": x.ThreadID, "state": x.Status, "kind": x.Kind, "id": x.ID, "priority": x.Priority})
}

func (h *Handlers) stillNeedHelpAPI(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	if err := h.escalations.StillNeedHelp(c.Request.Context(), web.ActorOf(c), id); err != nil {
		h.site.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"thread_id": id, "still_need_help": true})
}

func (h *Handlers) statsAPI(c *gin.Context) {
	ctx, brandID := c.Request.Context(), web.ActorOf(c).BrandID
	st, err := h.escalations.Stats(ctx, brandID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	set, err := h.escalations.BrandSettings(ctx, brandID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	agents := []gin.H{}
	for _, ag := range st.Agents {
		agents = append(agents, gin.H{"user_id": ag.UserID, "username": ag.Username, "on_shift": ag.OnShift, "load": ag.Load})
	}
	out := gin.H{"by_state": st.ByStatus, "queue_depth": st.Queue, "sla_breaches": st.Breached,
		"oldest_unclaimed_seconds": int64(st.Oldest.Seconds()), "resolutions": st.Resolved, "agents": agents,
		"webhooks":         gin.H{"delivered": st.Delivered, "pending": st.Pending, "failed": st.Failed},
		"peer_sla_seconds": int64(set.PeerSLA.Seconds()), "agent_sla_seconds": int64(set.AgentSLA.Seconds())}
	if h.Incidents != nil {
		f, err := h.Incidents.Figures(ctx, brandID)
		if err != nil {
			h.site.Fail(c, err)
			return
		}
		out["incidents"] = f
	}
	c.JSON(http.StatusOK, out)
}
