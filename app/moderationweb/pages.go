package moderationweb

import (
	"encoding/csv"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"mutual/account"
	"mutual/app/web"
	"mutual/fault"
	"mutual/forum"
	"mutual/moderation"
)

// backToPost redirects to a post on its thread page.
func (h *Handlers) backToPost(c *gin.Context, postID int64) {
	ctx := c.Request.Context()
	p, err := h.forum.Post(ctx, web.BrandOf(c).ID, postID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	t, err := h.forum.Thread(ctx, p.BrandID, p.ThreadID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, web.ThreadURL(t)+"#p"+web.Itoa(p.ID))
}

// refuseOnPost draws the thread page again with the refused form on a post
// open, its message beside it and what was typed.
func (h *Handlers) refuseOnPost(c *gin.Context, postID int64, form string, fields []string, err error) {
	p, perr := h.forum.Post(c.Request.Context(), web.BrandOf(c).ID, postID)
	if perr != nil {
		h.site.Fail(c, err)
		return
	}
	h.site.Refuse(c, web.Form{Page: "thread", At: p.ThreadID, Name: form, ID: postID, Fields: fields}, err)
}

func (h *Handlers) flagPage(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	if _, err := h.mod.FlagPost(c.Request.Context(), web.ActorOf(c), id, c.PostForm("reason"), c.PostForm("note")); err != nil {
		h.refuseOnPost(c, id, "flag", []string{"reason", "note"}, err)
		return
	}
	h.site.Flash(c, "flagged")
	h.backToPost(c, id)
}

func (h *Handlers) postPage(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	if _, err := h.mod.ActOnPost(c.Request.Context(), web.ActorOf(c), id, moderation.PostAct(c.PostForm("act")), c.PostForm("reason")); err != nil {
		h.refuseOnPost(c, id, "mod-post", []string{"reason"}, err)
		return
	}
	h.site.Flash(c, "moderated")
	h.backToPost(c, id)
}

func formInt(c *gin.Context, name string) int64 {
	n, _ := strconv.ParseInt(c.PostForm(name), 10, 64)
	return n
}

func (h *Handlers) threadPage(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	act := moderation.ThreadAct(c.PostForm("act"))
	target := formInt(c, "board_id")
	if act == moderation.Merge {
		target = formInt(c, "into")
	}
	t, err := h.mod.ActOnThread(c.Request.Context(), web.ActorOf(c), id, act, target, c.PostForm("reason"))
	if err != nil {
		h.site.Refuse(c, web.Form{Page: "thread", At: id, Name: "mod-thread", ID: id, Fields: []string{"reason", "board_id", "into"}}, err)
		return
	}
	h.site.Flash(c, "moderated")
	c.Redirect(http.StatusSeeOther, web.ThreadURL(t))
}

func (h *Handlers) queuePage(c *gin.Context) { h.queueRender(c, http.StatusOK, 0) }

// queueRender draws the review queue's page ?cursor= (decisions post back
// with it, so a refused one comes back to the same page).
func (h *Handlers) queueRender(c *gin.Context, code int, _ int64) {
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
	rk, ok := h.site.Ladder(c)
	if !ok {
		return
	}
	for i := range items {
		items[i].Post.AuthorRank = rk.Name(items[i].Post.AuthorReputation)
	}
	h.site.Render(c, code, "mod_queue", web.T(c, "title.review_queue"), struct {
		Items []moderation.QueueItem
		Next  string
		Here  string // this page's cursor, as "?cursor=…", or ""
	}{items, next.String(), here(c, "cursor")})
}

// here is the request's query parameter name as "?name=value", or "".
func here(c *gin.Context, name string) string {
	if v := c.Query(name); v != "" {
		return "?" + url.Values{name: {v}}.Encode()
	}
	return ""
}

func (h *Handlers) decidePage(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	d := moderation.Decision(c.PostForm("decision"))
	if err := h.needsModerator(c, d); err != nil {
		h.site.Refuse(c, web.Form{Page: "queue", Name: "decide", ID: id}, err)
		return
	}
	if _, err := h.mod.Decide(c.Request.Context(), web.ActorOf(c), id, d, c.PostForm("reason"), c.PostForm("title"), c.PostForm("body")); err != nil {
		h.site.Refuse(c, web.Form{Page: "queue", Name: "decide", ID: id, Fields: []string{"reason", "body"}}, err)
		return
	}
	h.site.Flash(c, "moderated")
	c.Redirect(http.StatusSeeOther, "/mod/queue"+here(c, "cursor"))
}

type memberView struct {
	Standing  moderation.Standing
	Suspended bool
}

func (h *Handlers) memberPage(c *gin.Context) {
	h.memberRender(c, http.StatusOK, 0)
}

func (h *Handlers) memberRender(c *gin.Context, code int, _ int64) {
	st, err := h.mod.Standing(c.Request.Context(), web.ActorOf(c), c.Param("username"), h.showEmail(c))
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	h.site.Render(c, code, "mod_member", st.Username, memberView{Standing: st, Suspended: st.Suspended(h.now())})
}

func (h *Handlers) memberAct(c *gin.Context) {
	act := moderation.PersonAct(c.PostForm("act"))
	var until time.Time
	var err error
	if act == moderation.Suspend {
		until, err = parseUntil(c.Request.Context(), c.PostForm("until"), h.now())
	}
	if err == nil {
		_, err = h.mod.ActOnPerson(c.Request.Context(), web.ActorOf(c), c.Param("username"), act, until, c.PostForm("reason"))
	}
	if err != nil {
		h.site.Refuse(c, web.Form{Page: "member", Name: "member", Fields: []string{"reason", "until"}}, err)
		return
	}
	h.site.Flash(c, "moderated")
	c.Redirect(http.StatusSeeOther, "/mod/users/"+url.PathEscape(c.Param("username")))
}

func (h *Handlers) auditPage(c *gin.Context) {
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
	q := url.Values{}
	for _, k := range []string{"actor", "act", "member", "since", "until"} {
		if v := c.Query(k); v != "" {
			q.Set(k, v)
		}
	}
	// The links are built whole: html/template escapes a query string put
	// into the middle of a URL, and the export lost the filter.
	exportURL, nextURL := "/mod/audit.csv?"+q.Encode(), ""
	if next != 0 {
		q.Set("cursor", web.Itoa(next))
		nextURL = "/mod/audit?" + q.Encode()
	}
	h.site.Render(c, http.StatusOK, "mod_audit", web.T(c, "title.audit_log"), struct {
		Rows               []moderation.Action
		Filter             moderation.AuditFilter
		Acts               []string
		Since, Until       string
		ExportURL, NextURL string
	}{rows, f, moderation.Acts, c.Query("since"), c.Query("until"), exportURL, nextURL})
}

// auditCSV exports the filtered audit log, every page of it.
func (h *Handlers) auditCSV(c *gin.Context) {
	f, err := auditFilter(c)
	if err != nil {
		h.site.Fail(c, err)
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
		rows, next, err := h.mod.Audit(ctx, web.BrandOf(c).ID, f, moderation.AuditLimit)
		if err != nil {
			h.log.Error("audit csv", "request_id", web.RequestID(c), "err", err)
			break
		}
		for _, x := range rows {
			_ = w.Write([]string{web.Itoa(x.ID), x.At.Format(time.RFC3339), x.ActorName, x.Act, x.TargetType, web.Itoa(x.TargetID),
				x.TargetUserName, csvSafe(x.Reason), x.Before, x.After})
		}
		if next == 0 {
			break
		}
		f.Before = next
	}
	w.Flush()
}

// csvSafe keeps a cell from being read as a formula by spreadsheets.
func csvSafe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@') {
		return "'" + s
	}
	return s
}

type rolesView struct {
	Holders []moderation.RoleAssignment
	Roles   []string
}

func (h *Handlers) rolesPage(c *gin.Context) { h.rolesRender(c, http.StatusOK, 0) }

func (h *Handlers) rolesRender(c *gin.Context, code int, _ int64) {
	holders, err := h.mod.RoleHolders(c.Request.Context(), web.BrandOf(c).ID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	h.site.Render(c, code, "mod_roles", web.T(c, "title.roles"), rolesView{Holders: holders, Roles: account.Roles[1:]})
}

func (h *Handlers) rolesSet(c *gin.Context) {
	err := h.mod.SetRole(c.Request.Context(), web.ActorOf(c), c.PostForm("username"), c.PostForm("role"), c.PostForm("op") != "revoke", c.PostForm("reason"))
	var fe *fault.Error
	switch {
	case errors.As(err, &fe) && errors.Is(err, fault.ErrNotFound):
		// No such member: a mistake in the username field.
		err = &fault.ValidationError{Fields: map[string]string{"username": fe.Msg}}
		fallthrough
	case err != nil:
		h.site.Refuse(c, web.Form{Page: "roles", Name: "roles", Fields: []string{"username", "role", "reason"}}, err)
		return
	}
	h.site.Flash(c, "moderated")
	c.Redirect(http.StatusSeeOther, "/admin/roles")
}
