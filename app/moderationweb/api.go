package moderationweb

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/fault"
	"mutual/forum"
	"mutual/i18n"
	"mutual/moderation"
)

type actionJSON struct {
	ID         int64          `json:"id"`
	Actor      string         `json:"actor"`
	Act        string         `json:"act"`
	TargetType string         `json:"target_type"`
	TargetID   int64          `json:"target_id"`
	Member     string         `json:"member,omitempty"`
	Reason     string         `json:"reason"`
	Before     map[string]any `json:"before"`
	After      map[string]any `json:"after"`
	At         time.Time      `json:"at"`
}

func toActionJSON(x moderation.Action) actionJSON {
	out := actionJSON{ID: x.ID, Actor: x.ActorName, Act: x.Act, TargetType: x.TargetType, TargetID: x.TargetID,
		Member: x.TargetUserName, Reason: x.Reason, At: x.At, Before: map[string]any{}, After: map[string]any{}}
	_ = jsonUnmarshalString(x.Before, &out.Before)
	_ = jsonUnmarshalString(x.After, &out.After)
	return out
}

type flagJSON struct {
	ID      int64     `json:"id"`
	PostID  int64     `json:"post_id"`
	By      string    `json:"by"`
	Reason  string    `json:"reason"`
	Note    string    `json:"note"`
	Trusted bool      `json:"trusted"`
	At      time.Time `json:"at"`
}

func toFlagJSON(f moderation.Flag) flagJSON {
	return flagJSON{ID: f.ID, PostID: f.PostID, By: f.Username, Reason: f.Reason, Note: f.Note, Trusted: f.Trusted, At: f.At}
}

type standingJSON struct {
	Username       string     `json:"username"`
	Email          string     `json:"email,omitempty"`
	Reputation     int64      `json:"reputation"`
	JoinedAt       time.Time  `json:"joined_at"`
	Roles          []string   `json:"roles"`
	SuspendedUntil *time.Time `json:"suspended_until"`
	Reason         string     `json:"reason"`
	Banned         bool       `json:"banned"`
	Posts          int64      `json:"posts"`
	Removed        int64      `json:"removed"`
	Pending        int64      `json:"pending"`
	FlagsAgainst   int64      `json:"flags_against"`
	Actions        int64      `json:"actions"`
}

func toStandingJSON(s moderation.Standing, now time.Time) standingJSON {
	out := standingJSON{Username: s.Username, Email: s.Email, Reputation: s.Reputation, JoinedAt: s.JoinedAt, Roles: s.Roles,
		Reason: s.Reason, Banned: !s.BannedAt.IsZero(), Posts: s.Posts, Removed: s.Removed, Pending: s.Pending,
		FlagsAgainst: s.FlagsAgainst, Actions: s.Actions}
	if s.Suspended(now) {
		out.SuspendedUntil = web.OptTime(s.SuspendedUntil)
	}
	return out
}

type queueItemJSON struct {
	Post    web.PostJSON  `json:"post"`
	Thread  threadRefJSON `json:"thread"`
	Since   time.Time     `json:"since"`
	Flags   []flagJSON    `json:"flags"`
	Author  standingJSON  `json:"author"`
	Earlier []actionJSON  `json:"earlier_actions"`
}

type threadRefJSON struct {
	ID    int64  `json:"id"`
	Title string `json:"title"`
	URL   string `json:"url"`
}

// showEmail: moderators see members' addresses only when the brand
// allows it; administrators always do.
func (h *Handlers) showEmail(c *gin.Context) bool {
	if web.ActorOf(c).Has("admin") {
		return true
	}
	st, err := h.mod.Settings(c.Request.Context(), web.BrandOf(c).ID)
	return err == nil && st.ModsSeeEmail
}

func (h *Handlers) flagAPI(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	var in struct {
		Reason string `json:"reason"`
		Note   string `json:"note"`
	}
	if err := web.BindJSON(c, &in); err != nil {
		h.site.Fail(c, err)
		return
	}
	res, err := h.mod.FlagPost(c.Request.Context(), web.ActorOf(c), id, in.Reason, in.Note)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"flag": toFlagJSON(res.Flag), "post_hidden": res.AutoHidden})
}

func (h *Handlers) queueAPI(c *gin.Context) {
	cur, err := forum.ParseCursor(c.Request.Context(), c.Query("cursor"))
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	items, next, err := h.mod.Queue(c.Request.Context(), web.BrandOf(c).ID, cur, moderation.QueueLimit, h.showEmail(c))
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	posts := make([]forum.Post, len(items))
	for i, it := range items {
		posts[i] = it.Post
	}
	rk, ok := h.site.Ladder(c)
	if !ok {
		return
	}
	now := h.now()
	out := web.List[queueItemJSON]{Items: make([]queueItemJSON, 0, len(items)), Next: web.OptCursor(next)}
	for i, it := range items {
		q := queueItemJSON{Post: web.ToPostJSON(posts[i], 0, rk), Since: it.Since, Author: toStandingJSON(it.Author, now),
			Thread: threadRefJSON{ID: it.Post.ThreadID, Title: it.ThreadTitle, URL: "/t/" + web.Itoa(it.Post.ThreadID) + "/" + it.ThreadSlug},
			Flags:  []flagJSON{}, Earlier: []actionJSON{}}
		for _, f := range it.Flags {
			q.Flags = append(q.Flags, toFlagJSON(f))
		}
		for _, x := range it.Earlier {
			q.Earlier = append(q.Earlier, toActionJSON(x))
		}
		out.Items = append(out.Items, q)
	}
	c.JSON(http.StatusOK, out)
}

// needsModerator: deleting and editing from the queue are moderators'
// acts even when a trusted member may decide flags.
func (h *Handlers) needsModerator(c *gin.Context, d moderation.Decision) error {
	if (d == moderation.Remove || d == moderation.EditIt) && !h.authz.Can(web.ActorOf(c), "post", "moderate") {
		return &fault.Error{Kind: fault.ErrForbidden, ID: "nfx.mods_only", Msg: i18n.T(context.Background(), "nfx.mods_only")}
	}
	return nil
}

func (h *Handlers) decideAPI(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	var in struct {
		Decision string `json:"decision"`
		Reason   string `json:"reason"`
		Title    string `json:"title"`
		Body     string `json:"body"`
	}
	if err := web.BindJSON(c, &in); err != nil {
		h.site.Fail(c, err)
		return
	}
	d := moderation.Decision(in.Decision)
	if err := h.needsModerator(c, d); err != nil {
		h.site.Fail(c, err)
		return
	}
	p, err := h.mod.Decide(c.Request.Context(), web.ActorOf(c), id, d, in.Reason, in.Title, in.Body)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	h.postOut(c, p)
}

func (h *Handlers) postAPI(act moderation.PostAct) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := web.IDParam(c, "id")
		if err != nil {
			h.site.Fail(c, err)
			return
		}
		var in struct {
			Reason string `json:"reason"`
		}
		if err := optionalJSON(c, &in); err != nil {
			h.site.Fail(c, err)
			return
		}
		p, err := h.mod.ActOnPost(c.Request.Context(), web.ActorOf(c), id, act, in.Reason)
		if err != nil {
			h.site.Fail(c, err)
			return
		}
		h.postOut(c, p)
	}
}

// postOut answers 200 with a post a moderator acted on.
func (h *Handlers) postOut(c *gin.Context, p forum.Post) {
	rk, ok := h.site.Ladder(c)
	if !ok {
		return
	}
	c.JSON(http.StatusOK, web.ToPostJSON(p, 0, rk))
}

// optionalJSON reads a JSON body when there is one: a reason is optional.
func optionalJSON(c *gin.Context, dst any) error {
	if c.Request.ContentLength == 0 {
		return nil
	}
	return web.BindJSON(c, dst)
}

func (h *Handlers) reviseAPI(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	var in struct {
		Title  string `json:"title"`
		Body   string `json:"body"`
		Reason string `json:"reason"`
	}
	if err := web.BindJSON(c, &in); err != nil {
		h.site.Fail(c, err)
		return
	}
	p, err := h.mod.Revise(c.Request.Context(), web.ActorOf(c), id, in.Title, in.Body, in.Reason)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	h.postOut(c, p)
}

func (h *Handlers) threadAPI(act moderation.ThreadAct) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := web.IDParam(c, "id")
		if err != nil {
			h.site.Fail(c, err)
			return
		}
		var in struct {
			BoardID int64  `json:"board_id"`
			Into    int64  `json:"into"`
			Reason  string `json:"reason"`
		}
		if err := optionalJSON(c, &in); err != nil {
			h.site.Fail(c, err)
			return
		}
		target := in.BoardID
		if act == moderation.Merge {
			target = in.Into
		}
		t, err := h.mod.ActOnThread(c.Request.Context(), web.ActorOf(c), id, act, target, in.Reason)
		if err != nil {
			h.site.Fail(c, err)
			return
		}
		if rk, ok := h.site.Ladder(c); ok {
			c.JSON(http.StatusOK, web.ToThreadJSON(t, rk))
		}
	}
}

func (h *Handlers) standingAPI(c *gin.Context) {
	st, err := h.mod.Standing(c.Request.Context(), web.ActorOf(c), c.Param("username"), h.showEmail(c))
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toStandingJSON(st, h.now()))
}

func (h *Handlers) personAPI(act moderation.PersonAct) gin.HandlerFunc {
	return func(c *gin.Context) {
		var in struct {
			Until  string `json:"until"`
			Reason string `json:"reason"`
		}
		if err := optionalJSON(c, &in); err != nil {
			h.site.Fail(c, err)
			return
		}
		var until time.Time
		if act == moderation.Suspend {
			u, err := parseUntil(c.Request.Context(), in.Until, h.now())
			if err != nil {
				h.site.Fail(c, err)
				return
			}
			until = u
		}
		st, err := h.mod.ActOnPerson(c.Request.Context(), web.ActorOf(c), c.Param("username"), act, until, in.Reason)
		if err != nil {
			h.site.Fail(c, err)
			return
		}
		if !h.showEmail(c) {
			st.Email = ""
		}
		c.JSON(http.StatusOK, toStandingJSON(st, h.now()))
	}
}

// parseUntil reads an RFC 3339 time or a duration from now such as
// "72h" or "7d".
func parseUntil(ctx context.Context, s string, now time.Time) (time.Time, error) {
	bad := &fault.ValidationError{Fields: map[string]string{"until": i18n.T(ctx, "modmsg.until")}}
	if s == "" {
		return time.Time{}, bad
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	if n := len(s); n > 1 && s[n-1] == 'd' {
		days, err := strconv.Atoi(s[:n-1])
		if err != nil || days <= 0 || days > 3650 {
			return time.Time{}, bad
		}
		return now.AddDate(0, 0, days), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return time.Time{}, bad
	}
	return now.Add(d), nil
}

func (h *Handlers) roleAPI(grant bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		role := c.Param("role")
		var in struct {
			Role   string `json:"role"`
			Reason string `json:"reason"`
		}
		if grant {
			if err := web.BindJSON(c, &in); err != nil {
				h.site.Fail(c, err)
				return
			}
			role = in.Role
		}
		ctx := c.Request.Context()
		if err := h.mod.SetRole(ctx, web.ActorOf(c), c.Param("username"), role, grant, in.Reason); err != nil {
			h.site.Fail(c, err)
			return
		}
		st, err := h.mod.Standing(ctx, web.ActorOf(c), c.Param("username"), true)
		if err != nil {
			h.site.Fail(c, err)
			return
		}
		c.JSON(http.StatusOK, toStandingJSON(st, h.now()))
	}
}

// auditFilter reads the audit filters from the query string.
func auditFilter(c *gin.Context) (moderation.AuditFilter, error) {
	f := moderation.AuditFilter{Actor: c.Query("actor"), Act: c.Query("act"), Member: c.Query("member")}
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"since", &f.Since}, {"until", &f.Until}} {
		v := c.Query(p.name)
		if v == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			if t, err = time.Parse("2006-01-02", v); err != nil {
				return f, &fault.ValidationError{Fields: map[string]string{p.name: p.name + " must be a date (2026-01-02) or an RFC 3339 time"}}
			}
		}
		*p.dst = t.UTC()
	}
	if v := c.Query("cursor"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return f, &fault.ValidationError{Fields: map[string]string{"cursor": web.T(c, "apimsg.cursor")}}
		}
		f.Before = n
	}
	return f, nil
}

func (h *Handlers) auditAPI(c *gin.Context) {
	f, err := auditFilter(c)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	rows, next, err := h.mod.Audit(c.Request.Context(), web.BrandOf(c).ID, f, moderation.AuditLimit)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	out := web.List[actionJSON]{Items: make([]actionJSON, 0, len(rows))}
	if next != 0 {
		s := strconv.FormatInt(next, 10)
		out.Next = &s
	}
	for _, x := range rows {
		out.Items = append(out.Items, toActionJSON(x))
	}
	c.JSON(http.StatusOK, out)
}

func (h *Handlers) settingsAPI(c *gin.Context) {
	st, err := h.mod.Settings(c.Request.Context(), web.BrandOf(c).ID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, st)
}

func (h *Handlers) settingsPutAPI(c *gin.Context) {
	var in moderation.Settings
	if err := web.BindJSON(c, &in); err != nil {
		h.site.Fail(c, err)
		return
	}
	st, err := h.mod.UpdateSettings(c.Request.Context(), web.ActorOf(c), in)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, st)
}

func jsonUnmarshalString(s string, dst any) error { return json.Unmarshal([]byte(s), dst) }
