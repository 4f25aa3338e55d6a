package reportweb

import (
	"context"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/fault"
	"mutual/forum"
	"mutual/i18n"
	"mutual/report/deflection"
)

// threadSlot is the reports capability's piece of a thread page: the
// survey under the accepted answer, and "Contact us" when the brand has
// somewhere for it to lead.
type threadSlot struct {
	ThreadID int64
	Solved   bool
	Contact  bool   // "Contact us" leads somewhere
	Survey   bool   // the viewer is asked: a solved thread they did not ask
	Answer   string // "yes" or "no" once answered: a member's stored answer, or a visitor's just given
	CSRF     string // members post the survey with it; visitors' pages are cached without one
}

// ThreadSlot is the slot for the viewer of thread t. A fault reading the
// settings or the answer is logged and the slot shown without it: a thread
// page never fails for its survey.
func (h *Handlers) ThreadSlot(c *gin.Context, t forum.Thread) any {
	ctx := c.Request.Context()
	s := &threadSlot{ThreadID: t.ID, Solved: t.Solved()}
	contact, err := deflection.LoadContact(ctx, h.db, t.BrandID)
	if err != nil {
		h.log.Error("report slot: contact", "request_id", web.RequestID(c), "err", err)
	}
	s.Contact = contact.Configured()
	act := web.ActorOf(c)
	s.Survey = s.Solved && act.UserID != t.AuthorID
	switch {
	case !s.Survey:
	case act.SignedIn():
		s.CSRF = h.site.CSRFToken(c)
		if s.Answer, err = deflection.SurveyAnswer(ctx, h.db, t.BrandID, t.ID, deflection.MemberKey(act.UserID)); err != nil {
			h.log.Error("report slot: survey answer", "request_id", web.RequestID(c), "err", err)
		}
	default:
		// A visitor's page is shared through the cache: it shows only the
		// answer they were just sent back with.
		if a := c.Query("survey"); a == "yes" || a == "no" {
			s.Answer = a
		}
	}
	return s
}

type surveyView struct {
	ThreadID int64
	Title    string
	URL      string
	Answer   string // what they chose on the thread page: yes or no
	Current  string // what is stored
	CSRF     string
}

// surveyForm is where the thread page's yes/no buttons lead for a visitor
// without scripts whose page came from the cache (and so carries no form
// token): it asks them to confirm, with a token. Links to it keep working.
func (h *Handlers) surveyForm(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	ctx := c.Request.Context()
	t, err := h.forum.Thread(ctx, web.BrandOf(c).ID, id)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	rd, err := h.reader(c)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	cur, err := deflection.SurveyAnswer(ctx, h.db, t.BrandID, t.ID, rd.Key)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	ans := c.Query("answer")
	if ans != "yes" && ans != "no" {
		ans = ""
	}
	h.site.Render(c, http.StatusOK, "report_survey", web.T(c, "title.survey"), surveyView{ThreadID: t.ID, Title: t.Title, URL: web.ThreadURL(t), Answer: ans, Current: cur, CSRF: h.site.CSRFToken(c)})
}

// surveySave takes the answer from the thread page's form (or the confirm
// page) and shows the thread again at the survey, thanking the reader. The
// page's script, answering in place, asks for JSON instead.
func (h *Handlers) surveySave(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	ans := c.PostForm("answer")
	if ans != "yes" && ans != "no" {
		h.site.Fail(c, &fault.ValidationError{Fields: map[string]string{"answer": web.T(c, "repmsg.yes_or_no")}})
		return
	}
	rd, err := h.reader(c)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	ctx := c.Request.Context()
	brand := web.BrandOf(c).ID
	if err := deflection.AnswerSurvey(ctx, h.db, brand, id, rd, ans == "yes", h.now()); err != nil {
		h.site.Fail(c, err)
		return
	}
	if c.GetHeader("Accept") == "application/json" {
		c.JSON(http.StatusOK, gin.H{"thread_id": id, "answer": ans})
		return
	}
	t, err := h.forum.Thread(ctx, brand, id)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, web.ThreadURL(t)+"?survey="+ans+"#survey")
}

// contact is the brand's "Contact us": its own page here, or a redirect to
// its contact page elsewhere, counting the click either way (staff looking
// at the page are not contacts). A brand with neither is a plain 404.
func (h *Handlers) contact(c *gin.Context) {
	var from int64
	if v := c.Query("from"); v != "" {
		from, _ = strconv.ParseInt(v, 10, 64)
	}
	ctx := c.Request.Context()
	brand := web.BrandOf(c).ID
	var ct deflection.Contact
	var err error
	if act := web.ActorOf(c); act.IsStaff() {
		ct, err = deflection.LoadContact(ctx, h.db, brand)
		if err == nil && !ct.Configured() {
			err = &fault.Error{Kind: fault.ErrNotFound, ID: "nfx.no_contact", Msg: i18n.T(context.Background(), "nfx.no_contact")}
		}
	} else {
		var rd deflection.Reader
		if rd, err = h.reader(c); err == nil {
			ct, err = deflection.RecordContact(ctx, h.db, brand, max(from, 0), rd, h.now())
		}
	}
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	if ct.Redirects() {
		c.Redirect(http.StatusFound, ct.URL)
		return
	}
	v := contactView{Page: ct.PageHTML, CanEdit: h.authz.Can(web.ActorOf(c), "brand", "manage")}
	if from > 0 {
		if t, err := h.forum.Thread(ctx, brand, from); err == nil && t.Status == forum.StatusVisible {
			v.From, v.FromURL = t.Title, web.ThreadURL(t)
		}
	}
	h.site.Render(c, http.StatusOK, "report_contact", web.T(c, "title.contact"), v)
}

type contactView struct {
	Page          string // sanitised HTML; the template marks it safe with sanitized
	From, FromURL string // the question they came from, if any
	CanEdit       bool
}
