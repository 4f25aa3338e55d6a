package notifyweb

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/fault"
	"mutual/forum/notify"
	"mutual/i18n"
)

type apiNotification struct {
	ID         int64      `json:"id"`
	Kind       string     `json:"kind"`
	Text       string     `json:"text"`
	URL        string     `json:"url"`
	ThreadID   *int64     `json:"thread_id"`
	PostID     *int64     `json:"post_id"`
	Actor      *apiActor  `json:"actor"`
	ActorCount int64      `json:"actor_count"`
	Act        string     `json:"act,omitempty"`
	Note       string     `json:"note,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	ReadAt     *time.Time `json:"read_at"`
}

// apiActor is who acted, as the API names a user.
type apiActor struct {
	ID       int64  `json:"id"`
	Username string `json:"username"`
}

func optID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

func toAPINotification(loc *i18n.Localizer, n notify.Notification) apiNotification {
	out := apiNotification{ID: n.ID, Kind: string(n.Kind), Text: n.Text(loc), URL: n.URL(), ThreadID: optID(n.ThreadID),
		PostID: optID(n.PostID), ActorCount: n.ActorCount, Act: n.Act, Note: n.Note, CreatedAt: n.CreatedAt, ReadAt: web.OptTime(n.ReadAt)}
	if n.ActorID != 0 {
		out.Actor = &apiActor{ID: n.ActorID, Username: n.ActorName}
	}
	return out
}

func (h *Handlers) apiNotifications(c *gin.Context) {
	ctx := c.Request.Context()
	act := web.ActorOf(c)
	before, err := pageAfter(c)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	limit := notify.PageSize
	if v := c.Query("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > 100 {
			h.site.Fail(c, &fault.ValidationError{Fields: map[string]string{"limit": web.T(c, "apimsg.limit")}})
			return
		}
	}
	unreadOnly := false
	switch c.Query("filter") {
	case "", "all":
	case "unread":
		unreadOnly = true
	default:
		h.site.Fail(c, &fault.ValidationError{Fields: map[string]string{"filter": web.T(c, "apimsg.filter")}})
		return
	}
	items, next, err := h.store.List(ctx, act.BrandID, act.UserID, before, limit, unreadOnly)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	unread, err := h.store.Unread(ctx, act.BrandID, act.UserID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	out := struct {
		Items       []apiNotification `json:"items"`
		Next        *string           `json:"next"`
		UnreadCount int               `json:"unread_count"`
	}{Items: make([]apiNotification, 0, len(items)), UnreadCount: unread}
	for _, n := range items {
		out.Items = append(out.Items, toAPINotification(web.LocalizerOf(c), n))
	}
	if next != 0 {
		s := strconv.FormatInt(next, 10)
		out.Next = &s
	}
	c.JSON(http.StatusOK, out)
}

func (h *Handlers) apiRead(c *gin.Context) {
	ctx := c.Request.Context()
	act := web.ActorOf(c)
	var in struct {
		IDs []int64 `json:"ids"`
		All bool    `json:"all"`
	}
	if err := web.BindJSON(c, &in); err != nil {
		h.site.Fail(c, err)
		return
	}
	if !in.All && len(in.IDs) == 0 {
		h.site.Fail(c, &fault.ValidationError{Fields: map[string]string{"ids": `Send "ids" (a list of notification ids) or "all": true.`}})
		return
	}
	var n int64
	var err error
	if in.All {
		n, err = h.store.MarkAllRead(ctx, act.BrandID, act.UserID)
	} else {
		n, err = h.store.MarkRead(ctx, act.BrandID, act.UserID, in.IDs)
	}
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	unread, err := h.store.Unread(ctx, act.BrandID, act.UserID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"marked": n, "unread_count": unread})
}

func (h *Handlers) apiPrefs(c *gin.Context) {
	ctx := c.Request.Context()
	act := web.ActorOf(c)
	p, err := h.store.Prefs(ctx, act.BrandID, act.UserID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	st, err := h.store.Email(ctx, act.BrandID, act.UserID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	boards, err := h.store.FollowedBoards(ctx, act.BrandID, act.UserID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"email": p.EmailMode, "reminders": p.Reminders, "email_address": st.Email,
		"email_verified": st.Verified, "mail_enabled": h.cfg.MailOn(), "followed_boards": boards})
}

func (h *Handlers) apiSetPrefs(c *gin.Context) {
	ctx := c.Request.Context()
	act := web.ActorOf(c)
	var in struct {
		Email     *string `json:"email"`
		Reminders *bool   `json:"reminders"`
	}
	if err := web.BindJSON(c, &in); err != nil {
		h.site.Fail(c, err)
		return
	}
	p, err := h.store.Prefs(ctx, act.BrandID, act.UserID)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	if in.Email != nil {
		if p.EmailMode, err = notify.ParseEmailMode(*in.Email); err != nil {
			h.site.Fail(c, err)
			return
		}
	}
	if in.Reminders != nil {
		p.Reminders = *in.Reminders
	}
	if err := h.store.SetPrefs(ctx, act.BrandID, act.UserID, p); err != nil {
		h.site.Fail(c, err)
		return
	}
	h.apiPrefs(c)
}
