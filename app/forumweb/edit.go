package forumweb

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/fault"
	"mutual/forum"
	"mutual/forum/lang"
	"mutual/i18n"
)

type editView struct {
	Post        forum.Post
	Thread      forum.Thread
	Title       string
	Body        string
	Errors      map[string]string
	PostingHint string // what new members may post, while it applies
	Preview     string // sanitised HTML of the body, when previewing

	Languages []lang.Language // a question's language form's choices
}

func (h *Handlers) loadEdit(c *gin.Context) (editView, error) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return editView{}, err
	}
	p, err := h.forum.Post(c.Request.Context(), web.ActorOf(c).BrandID, id)
	if err != nil {
		return editView{}, err
	}
	return h.loadEditOf(c, p)
}

// loadEditOf is the edit page of p, for an actor who may edit it.
func (h *Handlers) loadEditOf(c *gin.Context, p forum.Post) (editView, error) {
	ctx := c.Request.Context()
	actor := web.ActorOf(c)
	if err := h.forum.CanEdit(ctx, actor, p); err != nil {
		return editView{}, err
	}
	t, err := h.forum.Thread(ctx, actor.BrandID, p.ThreadID)
	if err != nil {
		return editView{}, err
	}
	hint, err := h.rep.PostingHint(ctx, actor)
	if err != nil {
		return editView{}, err
	}
	return editView{Post: p, Thread: t, Title: t.Title, Body: p.BodyMD, PostingHint: hint}, nil
}

func (h *Handlers) editForm(c *gin.Context) {
	v, err := h.loadEdit(c)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	h.editPage(c, http.StatusOK, v)
}

// editPage draws the edit page; a question's also offers its language.
func (h *Handlers) editPage(c *gin.Context, code int, v editView) {
	if v.Post.IsQuestion {
		v.Languages = lang.Known()
	}
	h.site.Render(c, code, "edit", web.T(c, "title.edit"), v)
}

func (h *Handlers) edit(c *gin.Context) {
	v, err := h.loadEdit(c)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	v.Title, v.Body = c.PostForm("title"), c.PostForm("body")
	var ve *fault.ValidationError
	if c.PostForm("preview") != "" {
		// Nothing is saved: the form comes back with the preview under it.
		v.Preview, err = h.md.Render(c.Request.Context(), v.Body)
		switch {
		case errors.As(err, &ve):
			v.Errors = ve.Fields
			h.editPage(c, http.StatusUnprocessableEntity, v)
		case err != nil:
			h.site.Fail(c, err)
		default:
			h.editPage(c, http.StatusOK, v)
		}
		return
	}
	p, err := h.forum.Edit(c.Request.Context(), web.ActorOf(c), v.Post.ID, v.Title, v.Body)
	if errors.As(err, &ve) {
		v.Errors = ve.Fields
		h.editPage(c, http.StatusUnprocessableEntity, v)
		return
	}
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	t, err := h.forum.Thread(c.Request.Context(), p.BrandID, p.ThreadID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	h.site.Flash(c, "edited")
	c.Redirect(http.StatusSeeOther, web.ThreadURL(t)+"#p"+web.Itoa(p.ID))
}

func (h *Handlers) history(c *gin.Context) {
	ctx := c.Request.Context()
	b := web.BrandOf(c)
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	revs, err := h.forum.Revisions(ctx, b.ID, id)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	p, err := h.forum.Post(ctx, b.ID, id)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	t, err := h.forum.Thread(ctx, b.ID, p.ThreadID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	h.site.Render(c, http.StatusOK, "history", web.T(c, "title.edit_history"), struct {
		Post      forum.Post
		Thread    forum.Thread
		Revisions []revisionView
	}{p, t, historyOf(web.LocalizerOf(c), revs)})
}

// revisionView is one revision as the history shows it: its label and
// what it changed in the revision before it.
type revisionView struct {
	forum.Revision
	Label     string           // "Revision 3 (current)"
	TitleDiff []forum.DiffPart // nil when the title did not change
	BodyDiff  []forum.DiffPart // nil for the original
}

// historyOf labels revisions (oldest first, as forum.Revisions lists them)
// and compares each with the one before, newest first as people read
// history.
func historyOf(loc *i18n.Localizer, revs []forum.Revision) []revisionView {
	out := make([]revisionView, len(revs))
	for i, r := range revs {
		v := revisionView{Revision: r, Label: revisionLabel(loc, r.Revision, i == 0, i == len(revs)-1)}
		if i > 0 {
			prev := revs[i-1]
			v.BodyDiff = forum.WordDiff(prev.BodyMD, r.BodyMD)
			if prev.Title != r.Title {
				v.TitleDiff = forum.WordDiff(prev.Title, r.Title)
			}
		}
		out[len(revs)-1-i] = v
	}
	return out
}

func revisionLabel(loc *i18n.Localizer, n int, original, current bool) string {
	switch {
	case original && current:
		return loc.T("pg2.rev_original_current", "N", n)
	case current:
		return loc.T("pg2.rev_current", "N", n)
	case original:
		return loc.T("pg2.rev_original", "N", n)
	}
	return loc.T("pg2.rev", "N", n)
}
