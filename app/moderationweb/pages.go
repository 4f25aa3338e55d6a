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

func (h *Handlers) flagPage(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	if _, err := h.mod.FlagPost(c.Request.Context(), web.ActorOf(c), id, c.PostForm("reason"), c.PostForm("note")); err != nil {
		h.site.Fail(c, err)
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
		h.site.Fail(c, err)
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
		h.site.Fail(c, err)
		return
	}
	h.site.Flash(c, "moderated")
	c.Redirect(http.StatusSeeOther, web.ThreadURL(t))
}

func (h *Handlers) queuePage(c *gin.Context) {
	cur, err := forum.ParseCursor(c.Query("cursor"))
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
	h.site.Render(c, http.StatusOK, "mod_queue", "Review queue", struct {
		Items []moderation.QueueItem
		Next  string
	}{items, next.String()})
}

func (h *Handlers) decidePage(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	d := moderation.Decision(c.PostForm("decision"))
	if err := h.needsModerator(c, d); err != nil {
		h.site.Fail(c, err)
		return
	}
	if _, err := h.mod.Decide(c.Request.Context(), web.ActorOf(c), id, d, c.PostForm("reason"), c.PostForm("title"), c.PostForm("body")); err != nil {
		h.site.Fail(c, err)
		return
	}
	h.site.Flash(c, "moderated")
	c.Redirect(http.StatusSeeOther, "/mod/queue")
}

type memberView struct {
	Standing  moderation.Standing
	Suspended bool
	Errors    map[string]string
}

func (h *Handlers) memberPage(c *gin.Context) {
	h.memberRender(c, http.StatusOK, nil)
}

func (h *Handlers) memberRender(c *gin.Context, code int, errs map[string]string) {
	st, err := h.mod.Standing(c.Request.Context(), web.ActorOf(c), c.Param("username"), h.showEmail(c))
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	h.site.Render(c, code, "mod_member", st.Username, memberView{Standing: st, Suspended: st.Suspended(h.now()), Errors: errs})
}

func (h *Handlers) memberAct(c *gin.Context) {
	act := moderation.PersonAct(c.PostForm("act"))
	var until time.Time
	var err error
	if act == moderation.Suspend {
		until, err = parseUntil(c.PostForm("until"), h.now())
	}
	if err == nil {
		_, err = h.mod.ActOnPerson(c.Request.Context(), web.ActorOf(c), c.Param("username"), act, until, c.PostForm("reason"))
	}
	var ve *fault.ValidationError
	if errors.As(err, &ve) {
		h.memberRender(c, http.StatusUnprocessableEntity, ve.Fields)
		return
	}
	if err != nil {
		h.site.Fail(c, err)
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
	h.site.Render(c, http.StatusOK, "mod_audit", "Audit log", struct {
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
	Errors  map[string]string
}

func (h *Handlers) rolesPage(c *gin.Context) { h.rolesRender(c, http.StatusOK, nil) }

func (h *Handlers) rolesRender(c *gin.Context, code int, errs map[string]string) {
	holders, err := h.mod.RoleHolders(c.Request.Context(), web.BrandOf(c).ID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	h.site.Render(c, code, "mod_roles", "Roles", rolesView{Holders: holders, Roles: account.Roles[1:], Errors: errs})
}

func (h *Handlers) rolesSet(c *gin.Context) {
	err := h.mod.SetRole(c.Request.Context(), web.ActorOf(c), c.PostForm("username"), c.PostForm("role"), c.PostForm("op") != "revoke", c.PostForm("reason"))
	var ve *fault.ValidationError
	var fe *fault.Error
	switch {
	case errors.As(err, &ve):
		h.rolesRender(c, http.StatusUnprocessableEntity, ve.Fields)
		return
	case errors.As(err, &fe) && (errors.Is(err, fault.ErrNotFound) || errors.Is(err, fault.ErrConflict)):
		h.rolesRender(c, http.StatusUnprocessableEntity, map[string]string{"username": fe.Msg})
		return
	case err != nil:
		h.site.Fail(c, err)
		return
	}
	h.site.Flash(c, "moderated")
	c.Redirect(http.StatusSeeOther, "/admin/roles")
}
