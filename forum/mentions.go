package forum

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"mutual/account"
	"mutual/fault"
	"mutual/forum/lang"
	"mutual/sqldb"
)

// A mention is what a customer said about the brand on another channel (a
// post on X, a Facebook comment), pushed by the provider's listening tool.
// It is kept as a thread whose status is StatusExternal: every page, list,
// feed, sitemap and search shows only visible content, so a mention can
// never reach the public by a query that forgot it, while the readers that
// want it (sentiment, the radar, the escalation queue) select it by name.
// Nothing is ever sent to the channel it came from.

// StatusExternal marks a thread brought in from another channel.
const StatusExternal = "external"

// MentionReceived is emitted inside the transaction that recorded a new
// mention; its Note is NeedsAnswer when the tool said it needs an answer.
const MentionReceived EventKind = "mention.received"

// NeedsAnswer is MentionReceived's note for a mention the agents must
// answer.
const NeedsAnswer = "needs_answer"

// Mention is one mention to record; the caller has validated it.
type Mention struct {
	BoardID      int64
	Channel      string // x, facebook, instagram... as the tool names it
	Text         string
	AuthorHandle string
	URL          string // where it was said; a second push of the same URL is the same mention
	PostedAt     time.Time
	NeedsAnswer  bool
}

// mentionTitle is the first line of the text, cut to a title's length.
func mentionTitle(text string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(text), "\n")
	line = strings.Join(strings.Fields(line), " ")
	if utf8.RuneCountInString(line) > 100 {
		r := []rune(line)
		line = strings.TrimSpace(string(r[:99])) + "…"
	}
	return line
}

// RecordMention keeps a mention as an external thread of the brand, by the
// listening tool's account, and reports whether it is new: the same URL
// pushed again returns the thread recorded the first time.
func (s *Service) RecordMention(ctx context.Context, a account.Actor, m Mention) (Thread, bool, error) {
	if err := requireMember(a); err != nil {
		return Thread{}, false, err
	}
	if _, err := s.Board(ctx, a.BrandID, m.BoardID); err != nil {
		return Thread{}, false, err
	}
	if t, err := s.mentionByURL(ctx, a.BrandID, m.URL); err == nil {
		return t, false, nil
	}
	html, err := s.md.Render(ctx, m.Text)
	if err != nil {
		return Thread{}, false, err
	}
	title, at := mentionTitle(m.Text), sqldb.Millis(m.PostedAt)
	note := ""
	if m.NeedsAnswer {
		note = NeedsAnswer
	}
	var id int64
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO threads (brand_id, board_id, author_id, title, slug, created_at, last_activity_at, status, language,
channel, external_url, author_handle) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, a.BrandID, m.BoardID, a.UserID, title,
			Slugify(title), at, at, StatusExternal, lang.Detect(m.Text), m.Channel, m.URL, m.AuthorHandle).Scan(&id)
		if err != nil {
			return err
		}
		var postID int64
		err = tx.QueryRow(ctx, `INSERT INTO posts (brand_id, thread_id, author_id, is_question, body_md, body_html, created_at, is_staff, status)
VALUES (?, ?, ?, 1, ?, ?, ?, 0, ?) RETURNING id`, a.BrandID, id, a.UserID, m.Text, html, at, StatusExternal).Scan(&postID)
		if err != nil {
			return err
		}
		return s.Emit(ctx, tx, Event{Kind: MentionReceived, BrandID: a.BrandID, BoardID: m.BoardID, ThreadID: id, PostID: postID,
			ActorID: a.UserID, AuthorID: a.UserID, ThreadAuthorID: a.UserID, At: s.now(), Note: note})
	})
	if sqldb.IsUniqueViolation(err) {
		// Pushed twice at once: the first push's thread is the mention.
		if t, lerr := s.mentionByURL(ctx, a.BrandID, m.URL); lerr == nil {
			return t, false, nil
		}
	}
	if err != nil {
		return Thread{}, false, fmt.Errorf("forum: record mention: %w", err)
	}
	t, err := s.mentionByURL(ctx, a.BrandID, m.URL)
	return t, true, err
}

// The query repeats the partial index's condition so SQLite uses it.
func (s *Service) mentionByURL(ctx context.Context, brandID int64, url string) (Thread, error) {
	t, err := scanThread(s.db.QueryRow(ctx, `SELECT `+threadCols+` FROM threads t JOIN users u ON u.id = t.author_id
WHERE t.brand_id = ? AND t.external_url = ? AND t.external_url <> ''`, brandID, url))
	if errors.Is(err, sql.ErrNoRows) {
		return Thread{}, fault.ErrNotFound
	}
	return t, err
}
