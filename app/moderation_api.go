package app

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/fault"
	"mutual/forum"
	"mutual/moderation"
)

type apiModAction struct {
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

func toAPIModAction(x moderation.Action) apiModAction {
	out := apiModAction{ID: x.ID, Actor: x.ActorName, Act: x.Act, TargetType: x.TargetType, TargetID: x.TargetID,
		Member: x.TargetUserName, Reason: x.Reason, At: x.At, Before: map[string]any{}, After: map[string]any{}}
	_ = jsonUnmarshalString(x.Before, &out.Before)
	_ = jsonUnmarshalString(x.After, &out.After)
	return out
}

type apiModFlag struct {
	ID      int64     `json:"id"`
	PostID  int64     `json:"post_id"`
	By      string    `json:"by"`
	Reason  string    `json:"reason"`
	Note    string    `json:"note"`
	Trusted bool      `json:"trusted"`
	At      time.Time `json:"at"`
}

func toAPIModFlag(f moderation.Flag) apiModFlag {
	return apiModFlag{ID: f.ID, PostID: f.PostID, By: f.Username, Reason: f.Reason, Note: f.Note, Trusted: f.Trusted, At: f.At}
}

type apiModStanding struct {
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

func toAPIModStanding(s moderation.Standing, now time.Time) apiModStanding {
	out := apiModStanding{Username: s.Username, Email: s.Email, Reputation: s.Reputation, JoinedAt: s.JoinedAt, Roles: s.Roles,
		Reason: s.Reason, Banned: !s.BannedAt.IsZero(), Posts: s.Posts, Removed: s.Removed, Pending: s.Pending,
		FlagsAgainst: s.FlagsAgainst, Actions: s.Actions}
	if s.Suspended(now) {
		out.SuspendedUntil = optTime(s.SuspendedUntil)
	}
	return out
}

type apiModQueueItem struct {
	Post    apiPost         `json:"post"`
	Thread  apiModThreadRef `json:"thread"`
	Since   time.Time       `json:"since"`
	Flags   []apiModFlag    `json:"flags"`
	Author  apiModStanding  `json:"author"`
	Earlier []apiModAction  `json:"earlier_actions"`
}

type apiModThreadRef struct {
	ID    int64  `json:"id"`
	Title string `json:"title"`
	URL   string `json:"url"`
}

// modShowEmail: moderators see members' addresses only when the brand
// allows it; administrators always do.
func (a *App) modShowEmail(c *gin.Context) bool {
	if web.ActorOf(c).Has("admin") {
		return true
	}
	st, err := a.mod.Settings(c.Request.Context(), web.BrandOf(c).ID)
	return err == nil && st.ModsSeeEmail
}

func (a *App) apiModFlag(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	var in struct {
		Reason string `json:"reason"`
		Note   string `json:"note"`
	}
	if err := web.BindJSON(c, &in); err != nil {
		a.site.Fail(c, err)
		return
	}
	res, err := a.mod.FlagPost(c.Request.Context(), web.ActorOf(c), id, in.Reason, in.Note)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"flag": toAPIModFlag(res.Flag), "post_hidden": res.AutoHidden})
}

func (a *App) apiModQueue(c *gin.Context) {
	cur, err := forum.ParseCursor(c.Query("cursor"))
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	items, next, err := a.mod.Queue(c.Request.Context(), web.BrandOf(c).ID, cur, moderation.QueueLimit, a.modShowEmail(c))
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	rk, ok := a.apiRanks(c)
	if !ok {
		return
	}
	now := a.cfg.Now()
	out := apiList[apiModQueueItem]{Items: make([]apiModQueueItem, 0, len(items)), Next: optCursor(next)}
	for _, it := range items {
		q := apiModQueueItem{Post: toAPIPost(it.Post, 0, rk), Since: it.Since, Author: toAPIModStanding(it.Author, now),
			Thread: apiModThreadRef{ID: it.Post.ThreadID, Title: it.ThreadTitle, URL: "/t/" + web.Itoa(it.Post.ThreadID) + "/" + it.ThreadSlug},
			Flags:  []apiModFlag{}, Earlier: []apiModAction{}}
		for _, f := range it.Flags {
			q.Flags = append(q.Flags, toAPIModFlag(f))
		}
		for _, x := range it.Earlier {
			q.Earlier = append(q.Earlier, toAPIModAction(x))
		}
		out.Items = append(out.Items, q)
	}
	c.JSON(http.StatusOK, out)
}

// modNeedsModerator: deleting and editing from the queue are moderators'
// acts even when a trusted member may decide flags.
func (a *App) modNeedsModerator(c *gin.Context, d moderation.Decision) error {
	if (d == moderation.Remove || d == moderation.EditIt) && !a.authz.Can(web.ActorOf(c), "post", "moderate") {
		return &fault.Error{Kind: fault.ErrForbidden, Msg: "Only moderators can delete or edit from the queue."}
	}
	return nil
}

func (a *App) apiModDecide(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	var in struct {
		Decision string `json:"decision"`
		Reason   string `json:"reason"`
		Title    string `json:"title"`
		Body     string `json:"body"`
	}
	if err := web.BindJSON(c, &in); err != nil {
		a.site.Fail(c, err)
		return
	}
	d := moderation.Decision(in.Decision)
	if err := a.modNeedsModerator(c, d); err != nil {
		a.site.Fail(c, err)
		return
	}
	p, err := a.mod.Decide(c.Request.Context(), web.ActorOf(c), id, d, in.Reason, in.Title, in.Body)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	a.apiModPostOut(c, p)
}

func (a *App) apiModPost(act moderation.PostAct) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := web.IDParam(c, "id")
		if err != nil {
			a.site.Fail(c, err)
			return
		}
		var in struct {
			Reason string `json:"reason"`
		}
		if err := modOptionalJSON(c, &in); err != nil {
			a.site.Fail(c, err)
			return
		}
		p, err := a.mod.ActOnPost(c.Request.Context(), web.ActorOf(c), id, act, in.Reason)
		if err != nil {
			a.site.Fail(c, err)
			return
		}
		a.apiModPostOut(c, p)
	}
}

// apiModPostOut answers 200 with a post a moderator acted on.
func (a *App) apiModPostOut(c *gin.Context, p forum.Post) {
	rk, ok := a.apiRanks(c)
	if !ok {
		return
	}
	c.JSON(http.StatusOK, toAPIPost(p, 0, rk))
}

// modOptionalJSON reads a JSON body when there is one: a reason is optional.
func modOptionalJSON(c *gin.Context, dst any) error {
	if c.Request.ContentLength == 0 {
		return nil
	}
	return web.BindJSON(c, dst)
}

func (a *App) apiModRevise(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	var in struct {
		Title  string `json:"title"`
		Body   string `json:"body"`
		Reason string `json:"reason"`
	}
	if err := web.BindJSON(c, &in); err != nil {
		a.site.Fail(c, err)
		return
	}
	p, err := a.mod.Revise(c.Request.Context(), web.ActorOf(c), id, in.Title, in.Body, in.Reason)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	a.apiModPostOut(c, p)
}

func (a *App) apiModThread(act moderation.ThreadAct) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := web.IDParam(c, "id")
		if err != nil {
			a.site.Fail(c, err)
			return
		}
		var in struct {
			BoardID int64  `json:"board_id"`
			Into    int64  `json:"into"`
			Reason  string `json:"reason"`
		}
		if err := modOptionalJSON(c, &in); err != nil {
			a.site.Fail(c, err)
			return
		}
		target := in.BoardID
		if act == moderation.Merge {
			target = in.Into
		}
		t, err := a.mod.ActOnThread(c.Request.Context(), web.ActorOf(c), id, act, target, in.Reason)
		if err != nil {
			a.site.Fail(c, err)
			return
		}
		a.apiThreadOut(c, t)
	}
}

func (a *App) apiModStanding(c *gin.Context) {
	st, err := a.mod.Standing(c.Request.Context(), web.ActorOf(c), c.Param("username"), a.modShowEmail(c))
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toAPIModStanding(st, a.cfg.Now()))
}

func (a *App) apiModPerson(act moderation.PersonAct) gin.HandlerFunc {
	return func(c *gin.Context) {
		var in struct {
			Until  string `json:"until"`
			Reason string `json:"reason"`
		}
		if err := modOptionalJSON(c, &in); err != nil {
			a.site.Fail(c, err)
			return
		}
		var until time.Time
		if act == moderation.Suspend {
			u, err := modParseUntil(in.Until, a.cfg.Now())
			if err != nil {
				a.site.Fail(c, err)
				return
			}
			until = u
		}
		st, err := a.mod.ActOnPerson(c.Request.Context(), web.ActorOf(c), c.Param("username"), act, until, in.Reason)
		if err != nil {
			a.site.Fail(c, err)
			return
		}
		if !a.modShowEmail(c) {
			st.Email = ""
		}
		c.JSON(http.StatusOK, toAPIModStanding(st, a.cfg.Now()))
	}
}

// modParseUntil reads an RFC 3339 time or a duration from now such as
// "72h" or "7d".
func modParseUntil(s string, now time.Time) (time.Time, error) {
	bad := &fault.ValidationError{Fields: map[string]string{"until": `until must be a time (2026-01-02T15:04:05Z) or a period such as "72h" or "7d".`}}
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

func (a *App) apiModRole(grant bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		role := c.Param("role")
		var in struct {
			Role   string `json:"role"`
			Reason string `json:"reason"`
		}
		if grant {
			if err := web.BindJSON(c, &in); err != nil {
				a.site.Fail(c, err)
				return
			}
			role = in.Role
		}
		ctx := c.Request.Context()
		if err := a.mod.SetRole(ctx, web.ActorOf(c), c.Param("username"), role, grant, in.Reason); err != nil {
			a.site.Fail(c, err)
			return
		}
		st, err := a.mod.Standing(ctx, web.ActorOf(c), c.Param("username"), true)
		if err != nil {
			a.site.Fail(c, err)
			return
		}
		c.JSON(http.StatusOK, toAPIModStanding(st, a.cfg.Now()))
	}
}

// modAuditFilter reads the audit filters from the query string.
func modAuditFilter(c *gin.Context) (moderation.AuditFilter, error) {
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
			return f, &fault.ValidationError{Fields: map[string]string{"cursor": "that page link is not valid; start again from the first page"}}
		}
		f.Before = n
	}
	return f, nil
}

func (a *App) apiModAudit(c *gin.Context) {
	f, err := modAuditFilter(c)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	rows, next, err := a.mod.Audit(c.Request.Context(), web.BrandOf(c).ID, f, moderation.AuditLimit)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	out := apiList[apiModAction]{Items: make([]apiModAction, 0, len(rows))}
	if next != 0 {
		s := strconv.FormatInt(next, 10)
		out.Next = &s
	}
	for _, x := range rows {
		out.Items = append(out.Items, toAPIModAction(x))
	}
	c.JSON(http.StatusOK, out)
}

func (a *App) apiModSettings(c *gin.Context) {
	st, err := a.mod.Settings(c.Request.Context(), web.BrandOf(c).ID)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, st)
}

func (a *App) apiModSettingsPut(c *gin.Context) {
	var in moderation.Settings
	if err := web.BindJSON(c, &in); err != nil {
		a.site.Fail(c, err)
		return
	}
	st, err := a.mod.UpdateSettings(c.Request.Context(), web.ActorOf(c), in)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, st)
}

func jsonUnmarshalString(s string, dst any) error { return json.Unmarshal([]byte(s), dst) }
