package signalsweb

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/fault"
	"mutual/forum"
)

// mentionIn is a mention as a listening tool pushes it.
type mentionIn struct {
	Channel      string `json:"channel"`
	Text         string `json:"text"`
	AuthorHandle string `json:"author_handle"`
	URL          string `json:"url"`
	PostedAt     string `json:"posted_at"`
	NeedsAnswer  bool   `json:"needs_answer"`
	Board        string `json:"board"` // a board's slug; the brand's first board when empty
}

// mentionOut is what the intake answers.
type mentionOut struct {
	ID          int64  `json:"id"`
	Created     bool   `json:"created"` // false: this URL was pushed before
	Channel     string `json:"channel"`
	URL         string `json:"url"`
	BoardID     int64  `json:"board_id"`
	NeedsAnswer bool   `json:"needs_answer"`
}

var channelRe = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,29}$`)

// Limits of what a mention may carry.
const (
	maxMentionText = 10000
	maxHandle      = 100
	maxMentionURL  = 2000
	// futureSlack allows for clocks a little ahead of ours.
	futureSlack = 5 * time.Minute
)

// intake records a mention from another channel. A second push of the same
// URL answers 200 with the mention first recorded; a new one 201. Nothing
// is sent to the channel.
func (h *Handlers) intake(c *gin.Context) {
	var in mentionIn
	if err := web.BindJSON(c, &in); err != nil {
		h.site.Fail(c, err)
		return
	}
	m, err := h.checkMention(c, in)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	t, created, err := h.forum.RecordMention(c.Request.Context(), web.ActorOf(c), m)
	if err != nil {
		h.site.Fail(c, err)
		return
	}
	code := http.StatusOK
	if created {
		code = http.StatusCreated
	}
	c.JSON(code, mentionOut{ID: t.ID, Created: created, Channel: m.Channel, URL: m.URL, BoardID: t.BoardID, NeedsAnswer: m.NeedsAnswer})
}

// checkMention validates a pushed mention field by field, each problem in
// words a developer wiring a tool understands, and finds its board.
func (h *Handlers) checkMention(c *gin.Context, in mentionIn) (forum.Mention, error) {
	v := fault.Validation{}
	m := forum.Mention{Channel: strings.ToLower(strings.TrimSpace(in.Channel)), Text: strings.TrimSpace(in.Text),
		AuthorHandle: strings.TrimSpace(in.AuthorHandle), URL: strings.TrimSpace(in.URL), NeedsAnswer: in.NeedsAnswer}
	if !channelRe.MatchString(m.Channel) {
		v.Add("channel", web.T(c, "signals.bad_channel"))
	}
	if m.Text == "" || utf8.RuneCountInString(m.Text) > maxMentionText || strings.ContainsRune(m.Text, 0) {
		v.Add("text", web.T(c, "signals.bad_text", "Max", maxMentionText))
	}
	if m.AuthorHandle == "" || utf8.RuneCountInString(m.AuthorHandle) > maxHandle || strings.ContainsAny(m.AuthorHandle, "\x00\n\r\t") {
		v.Add("author_handle", web.T(c, "signals.bad_handle", "Max", maxHandle))
	}
	if u, err := url.Parse(m.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(m.URL) > maxMentionURL {
		v.Add("url", web.T(c, "signals.bad_url"))
	}
	at, err := time.Parse(time.RFC3339, strings.TrimSpace(in.PostedAt))
	switch {
	case err != nil:
		v.Add("posted_at", web.T(c, "signals.bad_posted_at"))
	case at.After(h.now().Add(futureSlack)):
		v.Add("posted_at", web.T(c, "signals.future_posted_at"))
	}
	m.PostedAt = at.UTC()
	boardID, found, err := h.mentionBoard(c, strings.TrimSpace(in.Board))
	if err != nil {
		return m, err
	}
	if !found {
		v.Add("board", web.T(c, "signals.bad_board"))
	}
	m.BoardID = boardID
	return m, v.Err()
}

// mentionBoard finds the board a mention goes on: the one named, or the
// brand's first.
func (h *Handlers) mentionBoard(c *gin.Context, slug string) (int64, bool, error) {
	boards, err := h.forum.Boards(c.Request.Context(), web.BrandOf(c).ID)
	if err != nil {
		return 0, false, err
	}
	for _, b := range boards {
		if slug == "" || b.Slug == slug {
			return b.ID, true, nil
		}
	}
	return 0, false, nil
}
