package app

import (
	"encoding/csv"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/fault"
	"mutual/forum"
	"mutual/moderation"
)

// modBackToPost redirects to a post on its thread page.
func (a *App) modBackToPost(c *gin.Context, postID int64) {
	ctx := c.Request.Context()
	p, err := a.forum.Post(ctx, web.BrandOf(c).ID, postID)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	t, err := a.forum.Thread(ctx, p.BrandID, p.ThreadID)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, web.ThreadURL(t)+"#p"+web.Itoa(p.ID))
}

func (a *App) modFlagPage(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	if _, err := a.mod.FlagPost(c.Request.Context(), web.ActorOf(c), id, c.PostForm("reason"), c.PostForm("note")); err != nil {
		a.site.Fail(c, err)
		return
	}
	a.site.Flash(c, "flagged")
	a.modBackToPost(c, id)
}

func (a *App) modPostPage(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	if _, err := a.mod.ActOnPost(c.Request.Context(), web.ActorOf(c), id, moderation.PostAct(c.PostForm("act")), c.PostForm("reason")); err != nil {
		a.site.Fail(c, err)
		return
	}
	a.site.Flash(c, "moderated")
	a.modBackToPost(c, id)
}

func modFormInt(c *gin.Context, name string) int64 {
	n, _ := strconv.ParseInt(c.PostForm(name), 10, 64)
	return n
}

func (a *App) modThreadPage(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	act := moderation.ThreadAct(c.PostForm("act"))
	target := modFormInt(c, "board_id")
	if act == moderation.Merge {
		target = modFormInt(c, "into")
	}
	t, err := a.mod.ActOnThread(c.Request.Context(), web.ActorOf(c), id, act, target, c.PostForm("reason"))
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	a.site.Flash(c, "moderated")
	c.Redirect(http.StatusSeeOther, web.ThreadURL(t))
}

func (a *App) modQueuePage(c *gin.Context) {
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
	rk, err := a.rep.Ranks(c.Request.Context(), web.BrandOf(c).ID)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	for i := range items {
		items[i].Post.AuthorRank = rk.Name(items[i].Post.AuthorReputation)
	}
	a.site.Render(c, http.StatusOK, "mod_queue", "Review queue", struct {
		Items []moderation.QueueItem
		Next  string
	}{items, next.String()})
}

func (a *App) modDecidePage(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	d := moderation.Decision(c.PostForm("decision"))
	if err := a.modNeedsModerator(c, d); err != nil {
		a.site.Fail(c, err)
		return
	}
	if _, err := a.mod.Decide(c.Request.Context(), web.ActorOf(c), id, d, c.PostForm("reason"), c.PostForm("title"), c.PostForm("body")); err != nil {
		a.site.Fail(c, err)
		return
	}
	a.site.Flash(c, "moderated")
	c.Redirect(http.StatusSeeOther, "/mod/queue")
}

type modMemberView struct {
	Standing  moderation.Standing
	Suspended bool
	Errors    map[string]string
}

func (a *App) modMemberPage(c *gin.Context) {
	a.modMemberRender(c, http.StatusOK, nil)
}

func (a *App) modMemberRender(c *gin.Context, code int, errs map[string]string) {
	st, err := a.mod.Standing(c.Request.Context(), web.ActorOf(c), c.Param("username"), a.modShowEmail(c))
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	a.site.Render(c, code, "mod_member", st.Username, modMemberView{Standing: st, Suspended: st.Suspended(a.cfg.Now()), Errors: errs})
}

func (a *App) modMemberAct(c *gin.Context) {
	act := moderation.PersonAct(c.PostForm("act"))
	var until time.Time
	var err error
	if act == moderation.Suspend {
		until, err = modParseUntil(c.PostForm("until"), a.cfg.Now())
	}
	if err == nil {
		_, err = a.mod.ActOnPerson(c.Request.Context(), web.ActorOf(c), c.Param("username"), act, until, c.PostForm("reason"))
	}
	var ve *fault.ValidationError
	if errors.As(err, &ve) {
		a.modMemberRender(c, http.StatusUnprocessableEntity, ve.Fields)
		return
	}
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	a.site.Flash(c, "moderated")
	c.Redirect(http.StatusSeeOther, "/mod/users/"+url.PathEscape(c.Param("username")))
}

func (a *App) modAuditPage(c *gin.Context) {
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
	q := url.Values{}
	for _, k := range []string{"actor", "act", "member", "since", "until"} {
		if v := c.Query(k); v != "" {
			q.Set(k, v)
		}
	}
	nextS := ""
	if next != 0 {
		nextS = web.Itoa(next)
	}
	a.site.Render(c, http.StatusOK, "mod_audit", "Audit log", struct {
		Rows         []moderation.Action
		Filter       moderation.AuditFilter
		Acts         []string
		Since, Until string
		Query        string
		Next         string
	}{rows, f, moderation.Acts, c.Query("since"), c.Query("until"), q.Encode(), nextS})
}

// modAuditCSV exports the filtered audit log, every page of it.
func (a *App) modAuditCSV(c *gin.Context) {
	f, err := modAuditFilter(c)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	ctx := c.Request.Context()
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="audit-`+web.BrandOf(c).Host+`.csv"`)
	c.Header("Cache-Control", "private, no-store")
	c.Status(http.StatusOK)
	w := csv.NewWriter(c.Writer)
	_ = w.Write([]string{"id", "at", "actor", "act", "target_type", "target_id", "member", "reason", "before", "after"})
	for {
		rows, next, err := a.mod.Audit(ctx, web.BrandOf(c).ID, f, moderation.AuditLimit)
		if err != nil {
			a.log.Error("audit csv", "request_id", web.RequestID(c), "err", err)
			break
		}
		for _, x := range rows {
			_ = w.Write([]string{web.Itoa(x.ID), x.At.Format(time.RFC3339), x.ActorName, x.Act, x.TargetType, web.Itoa(x.TargetID),
				x.TargetUserName, modCSVSafe(x.Reason), x.Before, x.After})
		}
		if next == 0 {
			break
		}
		f.Before = next
	}
	w.Flush()
}

// modCSVSafe keeps a cell from being read as a formula by spreadsheets.
func modCSVSafe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@') {
		return "'" + s
	}
	return s
}

type modRolesView struct {
	Holders []moderation.RoleAssignment
	Roles   []string
	Errors  map[string]string
}

func (a *App) modRolesPage(c *gin.Context) { a.modRolesRender(c, http.StatusOK, nil) }

func (a *App) modRolesRender(c *gin.Context, code int, errs map[string]string) {
	holders, err := a.mod.RoleHolders(c.Request.Context(), web.BrandOf(c).ID)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	a.site.Render(c, code, "mod_roles", "Roles", modRolesView{Holders: holders, Roles: forum.Roles[1:], Errors: errs})
}

func (a *App) modRolesSet(c *gin.Context) {
	err := a.mod.SetRole(c.Request.Context(), web.ActorOf(c), c.PostForm("username"), c.PostForm("role"), c.PostForm("op") != "revoke", c.PostForm("reason"))
	var ve *fault.ValidationError
	var fe *fault.Error
	switch {
	case errors.As(err, &ve):
		a.modRolesRender(c, http.StatusUnprocessableEntity, ve.Fields)
		return
	case errors.As(err, &fe) && (errors.Is(err, fault.ErrNotFound) || errors.Is(err, fault.ErrConflict)):
		a.modRolesRender(c, http.StatusUnprocessableEntity, map[string]string{"username": fe.Msg})
		return
	case err != nil:
		a.site.Fail(c, err)
		return
	}
	a.site.Flash(c, "moderated")
	c.Redirect(http.StatusSeeOther, "/admin/roles")
}
