package reputationweb

import (
	"context"

	"github.com/gin-gonic/gin"

	"mutual/account"
	"mutual/app/web"
	"mutual/fault"
	"mutual/forum"
	"mutual/i18n"
	"mutual/reputation"
)

// ThreadInfo is what the thread page's reputation slots show.
type ThreadInfo struct {
	Sort           string // "" (oldest first) or "kudos"
	NextKudos      string // cursor of the next page when sorted by kudos
	ViewerRep      int64
	CanEditOthers  bool
	EditOthersAt   string // "1,000"
	KudosBlocked   string // why the viewer cannot give kudos now, or ""
	SignedInViewer bool
	PostingHint    string // what new members may post, beside the reply box (hintFor)
}

// ThreadPage loads the thread page in the order asked for (?sort=kudos
// sorts replies by kudos after the accepted answer, paged with ?kafter=),
// puts each author's rank on the posts, and says what the viewer may do.
func (h *Handlers) ThreadPage(c *gin.Context, id int64, cur forum.Cursor) (forum.ThreadPage, ThreadInfo, error) {
	ctx := c.Request.Context()
	actor := web.ActorOf(c)
	pg, info, err := h.threadInOrder(c, actor, id, cur)
	if err != nil {
		return forum.ThreadPage{}, info, err
	}
	cfg, err := h.config(ctx, actor.BrandID)
	if err != nil {
		return forum.ThreadPage{}, info, err
	}
	rankPosts(&pg, reputation.Ladder(cfg.Ranks))
	info.EditOthersAt = forum.Thousands(cfg.Privileges.EditOthers)
	if actor.SignedIn() {
		if err := h.viewerInfo(ctx, actor, cfg, &info); err != nil {
			return forum.ThreadPage{}, info, err
		}
	}
	return pg, info, nil
}

// threadInOrder loads the page sorted as ?sort= asks.
func (h *Handlers) threadInOrder(c *gin.Context, actor account.Actor, id int64, cur forum.Cursor) (forum.ThreadPage, ThreadInfo, error) {
	ctx := c.Request.Context()
	var info ThreadInfo
	switch c.Query("sort") {
	case "kudos":
		kc, err := forum.ParseKudosCursor(c.Request.Context(), c.Query("kafter"))
		if err != nil {
			return forum.ThreadPage{}, info, err
		}
		pg, next, err := h.forum.PageByKudos(ctx, actor.BrandID, id, actor.UserID, kc)
		info.Sort, info.NextKudos = "kudos", next.String()
		return pg, info, err
	case "", "oldest":
		// PageAs: authors see their own posts awaiting review, moderators
		// see hidden ones, marked.
		pg, err := h.forum.PageAs(ctx, actor, id, cur)
		return pg, info, err
	default:
		return forum.ThreadPage{}, info, &fault.ValidationError{Fields: map[string]string{"sort": web.T(c, "apimsg.sort")}}
	}
}

// rankPosts puts each author's rank on the page's posts.
func rankPosts(pg *forum.ThreadPage, rk reputation.Ladder) {
	pg.Question.AuthorRank = rk.Name(pg.Question.AuthorReputation)
	if pg.Accepted != nil {
		pg.Accepted.AuthorRank = rk.Name(pg.Accepted.AuthorReputation)
	}
	for i := range pg.Replies {
		pg.Replies[i].AuthorRank = rk.Name(pg.Replies[i].AuthorReputation)
	}
}

// viewerInfo says what a signed-in viewer's reputation lets them do here.
func (h *Handlers) viewerInfo(ctx context.Context, actor account.Actor, cfg reputation.Config, info *ThreadInfo) error {
	info.SignedInViewer = true
	u, err := h.members.ByID(ctx, actor.BrandID, actor.UserID)
	if err != nil {
		return err
	}
	info.ViewerRep = u.Reputation
	info.CanEditOthers = actor.CanModerate() || u.Reputation >= cfg.Privileges.EditOthers
	if !actor.IsStaff() {
		info.PostingHint = hintFor(i18n.From(ctx), u.Reputation, cfg.Privileges)
	}
	info.KudosBlocked, err = h.forum.KudosBlocked(ctx, actor)
	return err
}

// EditOthers says whether the viewer may edit others' posts, and from what
// reputation members may.
func (i ThreadInfo) EditOthers() (allowed bool, at string) { return i.CanEditOthers, i.EditOthersAt }

// KudosHeld says why the viewer cannot give kudos yet, or "".
func (i ThreadInfo) KudosHeld() string { return i.KudosBlocked }
