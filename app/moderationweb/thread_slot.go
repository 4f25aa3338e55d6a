package moderationweb

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/fault"
	"mutual/forum"
)

// ThreadSlot is what the thread page's moderation slot shows a moderator:
// the brand's boards, by name, to move the thread to, and the threads whose
// title matches what they searched for, to merge it into.
type ThreadSlot struct {
	Boards   []forum.Board
	Find     string        // what was searched for (?into_q=)
	Found    []MergeChoice // the threads it found, this one left out
	FindNote string        // why none are listed: nothing matched, or the search was refused
}

// MergeChoice is a thread a moderator may merge this one into.
type MergeChoice struct {
	forum.Thread
	Board string
}

// mergeChoices bounds the threads listed to choose from.
const mergeChoices = 8

// ThreadSlot fills the slot for a moderator, or is nil for anyone else. The
// search is a plain GET (?into_q=), so choosing the thread to merge into
// works without JavaScript; a refused merge posts into_q back to keep the
// list.
func (h *Handlers) ThreadSlot(c *gin.Context, t forum.Thread) (*ThreadSlot, error) {
	actor := web.ActorOf(c)
	if !h.authz.Can(actor, "thread", "moderate") {
		return nil, nil
	}
	ctx := c.Request.Context()
	boards, err := h.forum.Boards(ctx, actor.BrandID)
	if err != nil {
		return nil, err
	}
	s := &ThreadSlot{Boards: boards, Find: strings.TrimSpace(c.Query("into_q"))}
	if s.Find == "" {
		s.Find = strings.TrimSpace(c.PostForm("into_q"))
	}
	if s.Find == "" {
		return s, nil
	}
	found, err := h.findThreads(ctx, actor.BrandID, s.Find)
	var ve *fault.ValidationError
	if errors.As(err, &ve) {
		s.FindNote = ve.Error()
		return s, nil
	}
	if err != nil {
		return nil, err
	}
	names := map[int64]string{}
	for _, b := range boards {
		names[b.ID] = b.Name
	}
	for _, f := range found {
		if f.ID != t.ID && f.MergedInto == 0 && len(s.Found) < mergeChoices {
			s.Found = append(s.Found, MergeChoice{Thread: f, Board: names[f.BoardID]})
		}
	}
	if len(s.Found) == 0 {
		s.FindNote = "No other thread matches “" + s.Find + "”. Try other words from its title."
	}
	return s, nil
}

// threadLink is a pasted thread link or number: "/t/42/slug", "#42", "42".
var threadLink = regexp.MustCompile(`^(?:.*/t/|#)?(\d+)(?:[/?#].*)?$`)

// findThreads finds the threads a moderator means: the one a pasted link or
// number names, or those whose words match.
func (h *Handlers) findThreads(ctx context.Context, brandID int64, q string) ([]forum.Thread, error) {
	if m := threadLink.FindStringSubmatch(q); m != nil {
		id, _ := strconv.ParseInt(m[1], 10, 64)
		t, err := h.forum.Thread(ctx, brandID, id)
		if errors.Is(err, fault.ErrNotFound) {
			return nil, nil
		}
		return []forum.Thread{t}, err
	}
	if h.Find == nil {
		return nil, nil
	}
	return h.Find(ctx, brandID, q, mergeChoices+1)
}
