package notifyweb

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"mutual/account"
	"mutual/app/web"
	"mutual/fault"
	"mutual/forum"
	"mutual/forum/notify"
)

// pageAfter reads the keyset position of a notifications page.
func pageAfter(c *gin.Context) (int64, error) {
	v := c.Query("after")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, &fault.ValidationError{Fields: map[string]string{"after": web.T(c, "nfw.bad_page")}}
	}
	return n, nil
}

type pageView struct {
	Items      []notify.Notification
	Next       int64
	UnreadOnly bool
	Unread     int
}

func (h *Handlers) page(c *gin.Context) {
	ctx := c.Request.Context()
	act := web.ActorOf(c)
	before, err := pageAfter(c)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	unreadOnly := c.Query("filter") == "unread"
	items, next, err := h.store.List(ctx, act.BrandID, act.UserID, before, notify.PageSize, unreadOnly)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	unread, err := h.store.Unread(ctx, act.BrandID, act.UserID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	h.site.Render(c, http.StatusOK, "notify_list", web.T(c, "title.notifications"), pageView{Items: items, Next: next, UnreadOnly: unreadOnly, Unread: unread})
}

// open marks one notification read and goes where it points: the
// link every item on the list and in the bell is.
func (h *Handlers) open(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	act := web.ActorOf(c)
	n, err := h.store.Get(c.Request.Context(), act.BrandID, act.UserID, id)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	if _, err := h.store.MarkRead(c.Request.Context(), act.BrandID, act.UserID, []int64{id}); err != nil {
		h.site.Fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, n.URL())
}

// readPage marks one notification (id in the form) or all read.
func (h *Handlers) readPage(c *gin.Context) {
	ctx := c.Request.Context()
	act := web.ActorOf(c)
	if v := c.PostForm("id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			h.site.Fail(c, &fault.Error{Kind: fault.ErrBadRequest, Msg: web.T(c, "nfw.bad_id")})
			return
		}
		if _, err := h.store.MarkRead(ctx, act.BrandID, act.UserID, []int64{id}); err != nil {
			h.site.Fail(c, err)
			return
		}
		c.Redirect(http.StatusSeeOther, "/notifications")
		return
	}
	if _, err := h.store.MarkAllRead(ctx, act.BrandID, act.UserID); err != nil {
		h.site.Fail(c, err)
		return
	}
	h.site.Flash(c, "nf-allread")
	c.Redirect(http.StatusSeeOther, "/notifications")
}

type settingsView struct {
	Prefs    notify.Prefs
	Email    notify.EmailStatus
	MailOn   bool
	Boards   []forum.Board // the boards, each with Followed below
	Followed map[int64]bool
	NewEmail string
	Errors   map[string]string
}

func (h *Handlers) settingsData(c *gin.Context) (settingsView, error) {
	ctx := c.Request.Context()
	act := web.ActorOf(c)
	v := settingsView{MailOn: h.cfg.MailOn(), Followed: map[int64]bool{}}
	var err error
	if v.Prefs, err = h.store.Prefs(ctx, act.BrandID, act.UserID); err != nil {
		return v, err
	}
	if v.Email, err = h.store.Email(ctx, act.BrandID, act.UserID); err != nil {
		return v, err
	}
	if v.Boards, err = h.forum.Boards(ctx, act.BrandID); err != nil {
		return v, err
	}
	ids, err := h.store.FollowedBoards(ctx, act.BrandID, act.UserID)
	for _, id := range ids {
		v.Followed[id] = true
	}
	return v, err
}

func (h *Handlers) settings(c *gin.Context) {
	v, err := h.settingsData(c)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	h.site.Render(c, http.StatusOK, "notify_settings", web.T(c, "title.notify_settings"), v)
}

func (h *Handlers) saveSettings(c *gin.Context) {
	act := web.ActorOf(c)
	mode, err := notify.ParseEmailMode(c.PostForm("email"))
	if err == nil {
		err = h.store.SetPrefs(c.Request.Context(), act.BrandID, act.UserID, notify.Prefs{EmailMode: mode, Reminders: c.PostForm("reminders") == "on"})
	}
	h.settingsSaved(c, err, "", "nf-saved")
}

// settingsSaved ends a settings form: back to the page with a flash, or the
// form again with the fields' errors (and the address as typed).
func (h *Handlers) settingsSaved(c *gin.Context, err error, newEmail, flash string) {
	var ve *fault.ValidationError
	if errors.As(err, &ve) {
		v, lerr := h.settingsData(c)
		if lerr != nil {
			h.site.Fail(c, lerr)
			return
		}
		v.Errors, v.NewEmail = ve.Fields, newEmail
		h.site.Render(c, http.StatusUnprocessableEntity, "notify_settings", web.T(c, "title.notify_settings"), v)
		return
	}
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	h.site.Flash(c, flash)
	c.Redirect(http.StatusSeeOther, "/settings/notifications")
}

// changeEmail sets a new address after checking the password, and
// sends it a confirmation link.
func (h *Handlers) changeEmail(c *gin.Context) {
	ctx := c.Request.Context()
	act := web.ActorOf(c)
	email := c.PostForm("email")
	_, err := h.members.Authenticate(ctx, act.BrandID, act.Username, c.PostForm("password"))
	if errors.Is(err, fault.ErrBadCredentials) {
		err = &fault.ValidationError{Fields: map[string]string{"password": web.T(c, "nfw.wrong_password")}}
	}
	if err == nil {
		err = h.store.ChangeEmail(ctx, act.BrandID, act.UserID, email)
	}
	h.settingsSaved(c, err, email, "nf-email")
}

func (h *Handlers) resendVerify(c *gin.Context) {
	act := web.ActorOf(c)
	if !h.cfg.MailOn() {
		h.site.Fail(c, &fault.Error{Kind: fault.ErrConflict, Msg: web.T(c, "nfw.mail_off")})
		return
	}
	if _, err := h.store.QueueVerify(c.Request.Context(), act.BrandID, act.UserID); err != nil {
		h.site.Fail(c, err)
		return
	}
	h.site.Flash(c, "nf-verify")
	c.Redirect(http.StatusSeeOther, "/settings/notifications")
}

// QueueVerify sends a new member the link that confirms their address
// (called at signup). Mail trouble never fails the signup: the member can
// ask again from the settings page.
func (h *Handlers) QueueVerify(c *gin.Context, userID int64) {
	if _, err := h.store.QueueVerify(c.Request.Context(), web.BrandOf(c).ID, userID); err != nil {
		h.log.Warn("queue verification mail", "request_id", web.RequestID(c), "err", err)
	}
}

type linkView struct {
	Heading, Message string
	Action           string // the unsubscribe form's target, when a button is shown
	Username         string
}

func (h *Handlers) verifyEmail(c *gin.Context) {
	b := web.BrandOf(c)
	claims, err := h.signer.Check(c.Param("token"), notify.PurposeVerify, b.ID, h.now())
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	name, err := h.store.VerifyEmail(c.Request.Context(), claims)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	h.site.Render(c, http.StatusOK, "notify_link", web.T(c, "title.email_confirmed"), linkView{Heading: web.T(c, "nfw.confirmed"),
		Message:  web.T(c, "nfw.confirmed_msg", "Name", name, "Email", claims.Email),
		Username: name})
}

func (h *Handlers) unsubscribeForm(c *gin.Context) {
	b := web.BrandOf(c)
	if _, err := h.signer.Check(c.Param("token"), notify.PurposeUnsubscribe, b.ID, h.now()); err != nil {
		h.site.Fail(c, err)
		return
	}
	// A button rather than an action on GET: mail scanners open links.
	h.site.Render(c, http.StatusOK, "notify_link", web.T(c, "title.unsubscribe"), linkView{Heading: web.T(c, "nfw.stop"),
		Message: web.T(c, "nfw.stop_msg", "Brand", b.Name),
		Action:  "/unsubscribe/" + c.Param("token")})
}

// unsubscribe is the one-click unsubscribe: the signed link is the
// credential, so it works from a mail client's button (RFC 8058) as well as
// from the page's form.
func (h *Handlers) unsubscribe(c *gin.Context) {
	b := web.BrandOf(c)
	claims, err := h.signer.Check(c.Param("token"), notify.PurposeUnsubscribe, b.ID, h.now())
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	if err := h.store.Unsubscribe(c.Request.Context(), b.ID, claims.UserID); err != nil {
		h.site.Fail(c, err)
		return
	}
	if c.PostForm("List-Unsubscribe") == "One-Click" {
		c.String(http.StatusOK, "Unsubscribed.")
		return
	}
	h.site.Render(c, http.StatusOK, "notify_link", web.T(c, "title.unsubscribed"), linkView{Heading: web.T(c, "nfw.unsubscribed"),
		Message: web.T(c, "nfw.unsubscribed_msg")})
}

// ThreadOpened is forumweb's Opened hook: a member opening a thread has
// read what their notifications said about it, however they got there.
func (h *Handlers) ThreadOpened(ctx context.Context, act account.Actor, threadID int64) error {
	_, err := h.store.MarkThreadRead(ctx, act.BrandID, act.UserID, threadID)
	return err
}
