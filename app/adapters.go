package app

import (
	"context"

	"github.com/gin-gonic/gin"

	"mutual/account"
	"mutual/app/discoveryweb"
	"mutual/app/escalationweb"
	"mutual/app/forumweb"
	"mutual/app/moderationweb"
	"mutual/app/reputationweb"
	"mutual/forum"
)

// The adapters below give one capability's HTTP package what another
// declares it needs, so that no capability imports another's: the consumer
// names the shape, and app/, which sees them all, fits one to the other.

// forumReputation is the reputation capability as the forum pages need it.
type forumReputation struct{ *reputationweb.Handlers }

func (r forumReputation) ThreadPage(c *gin.Context, id int64, cur forum.Cursor) (forum.ThreadPage, forumweb.RepSlot, error) {
	pg, info, err := r.Handlers.ThreadPage(c, id, cur)
	return pg, info, err
}

func (r forumReputation) TopHelpers(ctx context.Context, bd forum.Board) any {
	return r.Handlers.TopHelpers(ctx, bd)
}

func (r forumReputation) Profile(ctx context.Context, brandID int64, u account.User) (string, any, error) {
	v, err := r.Handlers.Profile(ctx, brandID, u)
	return v.Rank, v, err
}

// forumEscalations is the escalation slot as the thread page needs it.
type forumEscalations struct{ *escalationweb.Handlers }

func (e forumEscalations) ThreadSlot(c *gin.Context, t forum.Thread) any {
	if s := e.Handlers.ThreadInfo(c, t); s != nil {
		return s
	}
	return nil
}

// forumModeration is the moderation slot as the thread page needs it.
type forumModeration struct{ *moderationweb.Handlers }

func (m forumModeration) ThreadSlot(c *gin.Context, t forum.Thread) (any, error) {
	s, err := m.Handlers.ThreadSlot(c, t)
	if s == nil || err != nil {
		return nil, err
	}
	return s, nil
}

// askAgain shows the forum's Ask form with what the discovery check found.
func askAgain(f *forumweb.Handlers) func(c *gin.Context, d discoveryweb.Draft) {
	return func(c *gin.Context, d discoveryweb.Draft) { f.AskAgain(c, forumweb.Draft(d)) }
}
