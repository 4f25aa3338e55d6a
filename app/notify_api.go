package app

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/fault"
	"mutual/forum/notify"
)

type apiNotification struct {
	ID         int64      `json:"id"`
	Kind       string     `json:"kind"`
	Text       string     `json:"text"`
	URL        string     `json:"url"`
	ThreadID   *int64     `json:"thread_id"`
	PostID     *int64     `json:"post_id"`
	Actor      *apiUser   `json:"actor"`
	ActorCount int64      `json:"actor_count"`
	Act        string     `json:"act,omitempty"`
	Note       string     `json:"note,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	ReadAt     *time.Time `json:"read_at"`
}

func optID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

func toAPINotification(n notify.Notification) apiNotification {
	out := apiNotification{ID: n.ID, Kind: string(n.Kind), Text: n.Text(), URL: n.URL(), ThreadID: optID(n.ThreadID),
		PostID: optID(n.PostID), ActorCount: n.ActorCount, Act: n.Act, Note: n.Note, CreatedAt: n.CreatedAt, ReadAt: optTime(n.ReadAt)}
	if n.ActorID != 0 {
		out.Actor = &apiUser{ID: n.ActorID, Username: n.ActorName}
	}
	return out
}

func (a *App) apiNotifications(c *gin.Context) {
	ctx := c.Request.Context()
	act := web.ActorOf(c)
	before, err := notifyBefore(c)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	limit := notify.PageSize
	if v := c.Query("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > 100 {
			a.site.Fail(c, &fault.ValidationError{Fields: map[string]string{"limit": "limit must be 1 to 100"}})
			return
		}
	}
	unreadOnly := false
	switch c.Query("filter") {
	case "", "all":
	case "unread":
		unreadOnly = true
	default:
		a.site.Fail(c, &fault.ValidationError{Fields: map[string]string{"filter": "filter must be all or unread"}})
		return
	}
	items, next, err := a.nf.store.List(ctx, act.BrandID, act.UserID, before, limit, unreadOnly)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	unread, err := a.nf.store.Unread(ctx, act.BrandID, act.UserID)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	out := struct {
		Items       []apiNotification `json:"items"`
		Next        *string           `json:"next"`
		UnreadCount int               `json:"unread_count"`
	}{Items: make([]apiNotification, 0, len(items)), UnreadCount: unread}
	for _, n := range items {
		out.Items = append(out.Items, toAPINotification(n))
	}
	if next != 0 {
		s := strconv.FormatInt(next, 10)
		out.Next = &s
	}
	c.JSON(http.StatusOK, out)
}

func (a *App) apiNotificationsRead(c *gin.Context) {
	ctx := c.Request.Context()
	act := web.ActorOf(c)
	var in struct {
		IDs []int64 `json:"ids"`
		All bool    `json:"all"`
	}
	if err := web.BindJSON(c, &in); err != nil {
		a.site.Fail(c, err)
		return
	}
	if !in.All && len(in.IDs) == 0 {
		a.site.Fail(c, &fault.ValidationError{Fields: map[string]string{"ids": `Send "ids" (a list of notification ids) or "all": true.`}})
		return
	}
	var n int64
	var err error
	if in.All {
		n, err = a.nf.store.MarkAllRead(ctx, act.BrandID, act.UserID)
	} else {
		n, err = a.nf.store.MarkRead(ctx, act.BrandID, act.UserID, in.IDs)
	}
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	unread, err := a.nf.store.Unread(ctx, act.BrandID, act.UserID)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"marked": n, "unread_count": unread})
}

func (a *App) apiNotifyPrefsOut(c *gin.Context) {
	ctx := c.Request.Context()
	act := web.ActorOf(c)
	p, err := a.nf.store.Prefs(ctx, act.BrandID, act.UserID)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	st, err := a.nf.store.Email(ctx, act.BrandID, act.UserID)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	boards, err := a.nf.store.FollowedBoards(ctx, act.BrandID, act.UserID)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"email": p.EmailMode, "reminders": p.Reminders, "email_address": st.Email,
		"email_verified": st.Verified, "mail_enabled": a.cfg.Notify.MailOn(), "followed_boards": boards})
}

func (a *App) apiNotifyPrefs(c *gin.Context) { a.apiNotifyPrefsOut(c) }

func (a *App) apiNotifySetPrefs(c *gin.Context) {
	ctx := c.Request.Context()
	act := web.ActorOf(c)
	var in struct {
		Email     *string `json:"email"`
		Reminders *bool   `json:"reminders"`
	}
	if err := web.BindJSON(c, &in); err != nil {
		a.site.Fail(c, err)
		return
	}
	p, err := a.nf.store.Prefs(ctx, act.BrandID, act.UserID)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	if in.Email != nil {
		if p.EmailMode, err = notify.ParseEmailMode(*in.Email); err != nil {
			a.site.Fail(c, err)
			return
		}
	}
	if in.Reminders != nil {
		p.Reminders = *in.Reminders
	}
	if err := a.nf.store.SetPrefs(ctx, act.BrandID, act.UserID, p); err != nil {
		a.site.Fail(c, err)
		return
	}
	a.apiNotifyPrefsOut(c)
}

// subscription is a member's watch on a thread or follow of a board, as the
// API reads and sets it: the same four routes for either.
type subscription struct {
	idKey, stateKey string // JSON names: "thread_id"/"watching", "board_id"/"following"
	exists          func(ctx context.Context, brandID, id int64) error
	get             func(ctx context.Context, brandID, userID, id int64) (bool, error)
	set             func(ctx context.Context, brandID, userID, id int64, on bool) error
}

func (a *App) watches() subscription {
	return subscription{idKey: "thread_id", stateKey: "watching",
		exists: func(ctx context.Context, brandID, id int64) error {
			_, err := a.forum.Thread(ctx, brandID, id)
			return err
		},
		get: a.nf.store.Watching,
		set: func(ctx context.Context, brandID, userID, id int64, on bool) error {
			if on {
				return a.nf.store.Watch(ctx, brandID, userID, id)
			}
			return a.nf.store.Unwatch(ctx, brandID, userID, id)
		}}
}

func (a *App) follows() subscription {
	return subscription{idKey: "board_id", stateKey: "following",
		exists: func(ctx context.Context, brandID, id int64) error {
			_, err := a.forum.Board(ctx, brandID, id)
			return err
		},
		get: a.nf.store.Following,
		set: func(ctx context.Context, brandID, userID, id int64, on bool) error {
			if on {
				return a.nf.store.Follow(ctx, brandID, userID, id)
			}
			return a.nf.store.Unfollow(ctx, brandID, userID, id)
		}}
}

func (a *App) apiWatch(c *gin.Context)              { a.apiSubscription(c, a.watches()) }
func (a *App) apiSetWatch(on bool) gin.HandlerFunc  { return a.apiSetSubscription(a.watches(), on) }
func (a *App) apiFollow(c *gin.Context)             { a.apiSubscription(c, a.follows()) }
func (a *App) apiSetFollow(on bool) gin.HandlerFunc { return a.apiSetSubscription(a.follows(), on) }

// apiSubscription answers whether the member watches (or follows) the thread
// (or board) named by :id; one of another brand is not found.
func (a *App) apiSubscription(c *gin.Context, s subscription) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	act := web.ActorOf(c)
	if err := s.exists(c.Request.Context(), act.BrandID, id); err != nil {
		a.site.Fail(c, err)
		return
	}
	on, err := s.get(c.Request.Context(), act.BrandID, act.UserID, id)
	if err != nil {
		a.site.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{s.idKey: id, s.stateKey: on})
}

// apiSetSubscription starts or stops the member's watch (or follow).
func (a *App) apiSetSubscription(s subscription, on bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := web.IDParam(c, "id")
		if err != nil {
			a.site.Fail(c, err)
			return
		}
		act := web.ActorOf(c)
		if err := s.set(c.Request.Context(), act.BrandID, act.UserID, id, on); err != nil {
			a.site.Fail(c, err)
			return
		}
		c.JSON(http.StatusOK, gin.H{s.idKey: id, s.stateKey: on})
	}
}
