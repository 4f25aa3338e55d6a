package web

import (
	"time"

	"mutual/forum"
	"mutual/reputation"
)

// JSON shapes of the API. Times are RFC 3339 UTC; absent values are null.

// BoardJSON is a board in the API.
type BoardJSON struct {
	ID             int64      `json:"id"`
	Name           string     `json:"name"`
	Slug           string     `json:"slug"`
	Description    string     `json:"description"`
	ThreadCount    int64      `json:"thread_count"`
	PostCount      int64      `json:"post_count"`
	LastActivityAt *time.Time `json:"last_activity_at"`
	URL            string     `json:"url"`
}

// UserJSON is a member in the API.
type UserJSON struct {
	ID         int64  `json:"id"`
	Username   string `json:"username"`
	Reputation *int64 `json:"reputation,omitempty"`
	Rank       string `json:"rank,omitempty"` // with reputation: authors of threads and posts
}

// AuthorJSON is a thread's or post's author: their reputation and, from the
// brand's ladder, their rank.
func AuthorJSON(id int64, name string, rep int64, rk reputation.Ladder) UserJSON {
	return UserJSON{ID: id, Username: name, Reputation: &rep, Rank: rk.Name(rep)}
}

// ThreadJSON is a thread in the API, with its posts when one thread is asked for.
type ThreadJSON struct {
	ID             int64      `json:"id"`
	BoardID        int64      `json:"board_id"`
	Title          string     `json:"title"`
	Slug           string     `json:"slug"`
	Author         UserJSON   `json:"author"`
	CreatedAt      time.Time  `json:"created_at"`
	LastActivityAt time.Time  `json:"last_activity_at"`
	ReplyCount     int64      `json:"reply_count"`
	AcceptedPostID *int64     `json:"accepted_post_id"`
	Solved         bool       `json:"solved"`
	Answered       bool       `json:"answered"`
	URL            string     `json:"url"`
	Posts          []PostJSON `json:"posts,omitempty"`
	Next           *string    `json:"next,omitempty"`
	FirstReplyAt   *time.Time `json:"first_reply_at"`
	Status         string     `json:"status"`
	Locked         bool       `json:"locked"`
	Pinned         bool       `json:"pinned"`
	MergedInto     *int64     `json:"merged_into,omitempty"`
	Language       string     `json:"language"` // asked in: en, es... ("und" when it could not be told)
}

// PostJSON is a post in the API.
type PostJSON struct {
	ID            int64      `json:"id"`
	ThreadID      int64      `json:"thread_id"`
	Author        UserJSON   `json:"author"`
	IsQuestion    bool       `json:"is_question"`
	Body          string     `json:"body"`
	BodyHTML      string     `json:"body_html"`
	CreatedAt     time.Time  `json:"created_at"`
	EditedAt      *time.Time `json:"edited_at"`
	RevisionCount int        `json:"revision_count"`
	KudosCount    int64      `json:"kudos_count"`
	Accepted      bool       `json:"accepted"`
	Status        string     `json:"status"`
	IsStaff       bool       `json:"is_staff"`
}

// List is a page of items and the cursor of the next page (null at the end).
type List[T any] struct {
	Items []T     `json:"items"`
	Next  *string `json:"next"`
}

// OptTime is a time for the API: null when unset.
func OptTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// OptCursor is a page cursor for the API: null at the end.
func OptCursor(c forum.Cursor) *string {
	if s := c.String(); s != "" {
		return &s
	}
	return nil
}

// ToBoardJSON is the API's shape of a board.
func ToBoardJSON(b forum.Board) BoardJSON {
	return BoardJSON{ID: b.ID, Name: b.Name, Slug: b.Slug, Description: b.Description, ThreadCount: b.ThreadCount,
		PostCount: b.PostCount, LastActivityAt: OptTime(b.LastActivityAt), URL: "/b/" + Itoa(b.ID) + "/" + b.Slug}
}

// ToThreadJSON is the API's shape of a thread, its author ranked on rk.
func ToThreadJSON(t forum.Thread, rk reputation.Ladder) ThreadJSON {
	out := ThreadJSON{ID: t.ID, BoardID: t.BoardID, Title: t.Title, Slug: t.Slug, Author: AuthorJSON(t.AuthorID, t.AuthorName, t.AuthorReputation, rk),
		CreatedAt: t.CreatedAt, LastActivityAt: t.LastActivityAt, ReplyCount: t.ReplyCount, Solved: t.Solved(), Answered: t.Answered(),
		URL: ThreadURL(t), FirstReplyAt: OptTime(t.FirstReplyAt), Status: t.Status, Locked: t.Locked(), Pinned: t.Pinned,
		Language: t.Language}
	if t.MergedInto != 0 {
		into := t.MergedInto
		out.MergedInto = &into
	}
	if t.AcceptedPostID != 0 {
		id := t.AcceptedPostID
		out.AcceptedPostID = &id
	}
	return out
}

// ThreadListJSON is a page of threads as the API lists them.
func ThreadListJSON(threads []forum.Thread, next forum.Cursor, rk reputation.Ladder) List[ThreadJSON] {
	out := List[ThreadJSON]{Items: make([]ThreadJSON, 0, len(threads)), Next: OptCursor(next)}
	for _, t := range threads {
		out.Items = append(out.Items, ToThreadJSON(t, rk))
	}
	return out
}

// ToPostJSON is the API's shape of a post; acceptedID is the thread's accepted answer.
func ToPostJSON(p forum.Post, acceptedID int64, rk reputation.Ladder) PostJSON {
	return PostJSON{ID: p.ID, ThreadID: p.ThreadID, Author: AuthorJSON(p.AuthorID, p.AuthorName, p.AuthorReputation, rk),
		IsQuestion: p.IsQuestion, Body: p.BodyMD, BodyHTML: p.BodyHTML, CreatedAt: p.CreatedAt, EditedAt: OptTime(p.EditedAt),
		RevisionCount: p.RevisionCount, KudosCount: p.KudosCount, Accepted: acceptedID != 0 && p.ID == acceptedID,
		Status: p.Status, IsStaff: p.IsStaff}
}
