package app

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/fault"
	"mutual/forum"
	"mutual/forum/notify"
)

// notifyBefore reads the keyset position of a notifications page.
func notifyBefore(c *gin.Context) (int64, error) {
	v := c.Query("after")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, &fault.ValidationError{Fields: map[string]string{"after": "That page link is not valid; start again from the first page."}}
	}
	return n, nil
}

type notifyPageView struct {
	Items      []notify.Notification
	Next       int64
	UnreadOnly bool
	Unread     int
}

func (a *App) notifyPage(c *gin.Context) {
	ctx := c.Request.Context()
	act := web.ActorOf(c)
	before, err := notifyBefore(c)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	unreadOnly := c.Query("filter") == "unread"
	items, next, err := a.nf.store.List(ctx, act.BrandID, act.UserID, before, notify.PageSize, unreadOnly)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	unread, err := a.nf.store.Unread(ctx, act.BrandID, act.UserID)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	a.site.Render(c, http.StatusOK, "notify_list", "Notifications", notifyPageView{Items: items, Next: next, UnreadOnly: unreadOnly, Unread: unread})
}

// notifyOpen marks one notification read and goes where it points: the
// link every item on the list and in the bell is.
func (a *App) notifyOpen(c *gin.Context) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	act := web.ActorOf(c)
	n, err := a.nf.store.Get(c.Request.Context(), act.BrandID, act.UserID, id)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	if _, err := a.nf.store.MarkRead(c.Request.Context(), act.BrandID, act.UserID, []int64{id}); err != nil {
		a.site.Fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, n.URL())
}

// notifyReadPage marks one notification (id in the form) or all read.
func (a *App) notifyReadPage(c *gin.Context) {
	ctx := c.Request.Context()
	act := web.ActorOf(c)
	if v := c.PostForm("id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			a.site.Fail(c, &fault.Error{Kind: fault.ErrBadRequest, Msg: "That notification id is not valid."})
			return
		}
		if _, err := a.nf.store.MarkRead(ctx, act.BrandID, act.UserID, []int64{id}); err != nil {
			a.site.Fail(c, err)
			return
		}
		c.Redirect(http.StatusSeeOther, "/notifications")
		return
	}
	if _, err := a.nf.store.MarkAllRead(ctx, act.BrandID, act.UserID); err != nil {
		a.site.Fail(c, err)
		return
	}
	a.site.Flash(c, "nf-allread")
	c.Redirect(http.StatusSeeOther, "/notifications")
}

func (a *App) notifyWatchPage(on bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx := c.Request.Context()
		id, err := web.IDParam(c, "id")
		if err != nil {
			a.site.Fail(c, err)
			return
		}
		act := web.ActorOf(c)
		t, err := a.forum.Thread(ctx, act.BrandID, id)
		if err != nil {
			a.site.Fail(c, err)
			return
		}
		flash := "nf-watching"
		if on {
			err = a.nf.store.Watch(ctx, act.BrandID, act.UserID, id)
		} else {
			err, flash = a.nf.store.Unwatch(ctx, act.BrandID, act.UserID, id), "nf-unwatched"
		}
		if err != nil {
			a.site.Fail(c, err)
			return
		}
		a.site.Flash(c, flash)
		c.Redirect(http.StatusSeeOther, web.ThreadURL(t))
	}
}

func (a *App) notifyFollowPage(on bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx := c.Request.Context()
		id, err := web.IDParam(c, "id")
		if err != nil {
			a.site.Fail(c, err)
			return
		}
		act := web.ActorOf(c)
		bd, err := a.forum.Board(ctx, act.BrandID, id)
		if err != nil {
			a.site.Fail(c, err)
			return
		}
		flash := "nf-following"
		if on {
			err = a.nf.store.Follow(ctx, act.BrandID, act.UserID, id)
		} else {
			err, flash = a.nf.store.Unfollow(ctx, act.BrandID, act.UserID, id), "nf-unfollowed"
		}
		if err != nil {
			a.site.Fail(c, err)
			return
		}
		a.site.Flash(c, flash)
		next := web.SafeNext(c.PostForm("next"))
		if next == "/" {
			next = "/b/" + web.Itoa(bd.ID) + "/" + bd.Slug
		}
		c.Redirect(http.StatusSeeOther, next)
	}
}

type notifySettingsView struct {
	Prefs    notify.Prefs
	Email    notify.EmailStatus
	MailOn   bool
	Boards   []forum.Board // the boards, each with Followed below
	Followed map[int64]bool
	NewEmail string
	Errors   map[string]string
}

func (a *App) notifySettingsData(c *gin.Context) (notifySettingsView, error) {
	ctx := c.Request.Context()
	act := web.ActorOf(c)
	v := notifySettingsView{MailOn: a.cfg.Notify.MailOn(), Followed: map[int64]bool{}}
	var err error
	if v.Prefs, err = a.nf.store.Prefs(ctx, act.BrandID, act.UserID); err != nil {
		return v, err
	}
	if v.Email, err = a.nf.store.Email(ctx, act.BrandID, act.UserID); err != nil {
		return v, err
	}
	if v.Boards, err = a.forum.Boards(ctx, act.BrandID); err != nil {
		return v, err
	}
	ids, err := a.nf.store.FollowedBoards(ctx, act.BrandID, act.UserID)
	for _, id := range ids {
		v.Followed[id] = true
	}
	return v, err
}

func (a *App) notifySettings(c *gin.Context) {
	v, err := a.notifySettingsData(c)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	a.site.Render(c, http.StatusOK, "notify_settings", "Notification settings", v)
}

func (a *App) notifySaveSettings(c *gin.Context) {
	act := web.ActorOf(c)
	mode, err := notify.ParseEmailMode(c.PostForm("email"))
	if err == nil {
		err = a.nf.store.SetPrefs(c.Request.Context(), act.BrandID, act.UserID, notify.Prefs{EmailMode: mode, Reminders: c.PostForm("reminders") == "on"})
	}
	var ve *fault.ValidationError
	if errors.As(err, &ve) {
		v, lerr := a.notifySettingsData(c)
		if lerr != nil {
			a.site.Fail(c, lerr)
			return
		}
		v.Errors = ve.Fields
		a.site.Render(c, http.StatusUnprocessableEntity, "notify_settings", "Notification settings", v)
		return
	}
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	a.site.Flash(c, "nf-saved")
	c.Redirect(http.StatusSeeOther, "/settings/notifications")
}

// notifyChangeEmail sets a new address after checking the password, and
// sends it a confirmation link.
func (a *App) notifyChangeEmail(c *gin.Context) {
	ctx := c.Request.Context()
	act := web.ActorOf(c)
	email := c.PostForm("email")
	_, err := a.members.Authenticate(ctx, act.BrandID, act.Username, c.PostForm("password"))
	if errors.Is(err, fault.ErrBadCredentials) {
		err = &fault.ValidationError{Fields: map[string]string{"password": "That is not your current password."}}
	}
	if err == nil {
		err = a.nf.store.ChangeEmail(ctx, act.BrandID, act.UserID, email)
	}
	var ve *fault.ValidationError
	if errors.As(err, &ve) {
		v, lerr := a.notifySettingsData(c)
		if lerr != nil {
			a.site.Fail(c, lerr)
			return
		}
		v.Errors, v.NewEmail = ve.Fields, email
		a.site.Render(c, http.StatusUnprocessableEntity, "notify_settings", "Notification settings", v)
		return
	}
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	a.site.Flash(c, "nf-email")
	c.Redirect(http.StatusSeeOther, "/settings/notifications")
}

func (a *App) notifyResendVerify(c *gin.Context) {
	act := web.ActorOf(c)
	if !a.cfg.Notify.MailOn() {
		a.site.Fail(c, &fault.Error{Kind: fault.ErrConflict, Msg: "This community does not send email, so there is nothing to confirm."})
		return
	}
	if _, err := a.nf.store.QueueVerify(c.Request.Context(), act.BrandID, act.UserID); err != nil {
		a.site.Fail(c, err)
		return
	}
	a.site.Flash(c, "nf-verify")
	c.Redirect(http.StatusSeeOther, "/settings/notifications")
}

// notifyQueueVerify sends a new member the link that confirms their address
// (called at signup). Mail trouble never fails the signup: the member can
// ask again from the settings page.
func (a *App) notifyQueueVerify(c *gin.Context, userID int64) {
	if _, err := a.nf.store.QueueVerify(c.Request.Context(), web.BrandOf(c).ID, userID); err != nil {
		a.log.Warn("queue verification mail", "request_id", web.RequestID(c), "err", err)
	}
}

type notifyLinkView struct {
	Heading, Message string
	Action           string // the unsubscribe form's target, when a button is shown
	Username         string
}

func (a *App) notifyVerifyEmail(c *gin.Context) {
	b := web.BrandOf(c)
	claims, err := a.nf.signer.Check(c.Param("token"), notify.PurposeVerify, b.ID, a.cfg.Now())
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	name, err := a.nf.store.VerifyEmail(c.Request.Context(), claims)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	a.site.Render(c, http.StatusOK, "notify_link", "Email confirmed", notifyLinkView{Heading: "Your email address is confirmed",
		Message:  "Thanks, " + name + ". Notifications can now reach " + claims.Email + ". Choose what you hear about in your notification settings.",
		Username: name})
}

func (a *App) notifyUnsubscribeForm(c *gin.Context) {
	b := web.BrandOf(c)
	if _, err := a.nf.signer.Check(c.Param("token"), notify.PurposeUnsubscribe, b.ID, a.cfg.Now()); err != nil {
		a.site.Fail(c, err)
		return
	}
	// A button rather than an action on GET: mail scanners open links.
	a.site.Render(c, http.StatusOK, "notify_link", "Unsubscribe", notifyLinkView{Heading: "Stop notification email?",
		Message: "You will get no more notification email from " + b.Name + ". Notifications stay on the site.",
		Action:  "/unsubscribe/" + c.Param("token")})
}

// notifyUnsubscribe is the one-click unsubscribe: the signed link is the
// credential, so it works from a mail client's button (RFC 8058) as well as
// from the page's form.
func (a *App) notifyUnsubscribe(c *gin.Context) {
	b := web.BrandOf(c)
	claims, err := a.nf.signer.Check(c.Param("token"), notify.PurposeUnsubscribe, b.ID, a.cfg.Now())
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	if err := a.nf.store.Unsubscribe(c.Request.Context(), b.ID, claims.UserID); err != nil {
		a.site.Fail(c, err)
		return
	}
	if c.PostForm("List-Unsubscribe") == "One-Click" {
		c.String(http.StatusOK, "Unsubscribed.")
		return
	}
	a.site.Render(c, http.StatusOK, "notify_link", "Unsubscribed", notifyLinkView{Heading: "You are unsubscribed",
		Message: "No more notification email will be sent. You can turn it back on in your notification settings."})
}
