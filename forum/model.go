// Package forum owns brands, boards, threads, posts, kudos and accepted
// answers. Who is acting (account.Actor) and the members themselves belong to
// package account; member markdown is rendered by package markup. It knows
// nothing of HTTP.
package forum

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"mutual/fault"
	"mutual/i18n"
)

// Brand is one client's community: its host, name and look.
type Brand struct {
	ID           int64
	Host         string
	Name         string
	Tagline      string
	LogoURL      string
	ColorPrimary string
	ColorAccent  string
	IsDefault    bool
	CreatedAt    time.Time
	// DefaultLanguage is the language of a reader nothing else speaks for;
	// Languages are all the brand offers, the default among them.
	DefaultLanguage string
	Languages       []string
}

// Offered are the brand's languages, its default first.
func (b Brand) Offered() []string {
	def := b.DefaultLanguage
	if def == "" {
		def = "en"
	}
	out := []string{def}
	for _, l := range b.Languages {
		if l != def {
			out = append(out, l)
		}
	}
	return out
}

// Board is a category of threads.
type Board struct {
	ID             int64
	BrandID        int64
	Slug           string
	Name           string
	Description    string
	Position       int
	ThreadCount    int64
	PostCount      int64
	LastActivityAt time.Time
}

// Thread is a question and its replies.
type Thread struct {
	ID             int64
	BrandID        int64
	BoardID        int64
	AuthorID       int64
	AuthorName     string
	Title          string
	Slug           string
	CreatedAt      time.Time
	LastActivityAt time.Time
	ReplyCount     int64
	AcceptedPostID int64 // 0 when unsolved
	FirstReplyAt   time.Time
	Status         string    // visible, pending, hidden or deleted (see visibility.go)
	LockedAt       time.Time // zero when open for replies
	Pinned         bool
	MergedInto     int64  // the thread this one was merged into; 0 when not merged
	Language       string // the language it was asked in: en, es... (lang.Undetermined when unknown)

	// AuthorReputation is the asker's current total, read with the thread
	// (one join, no query per row); AuthorRank is its rank name in the
	// brand, set by app/ for display from the cached ladder.
	AuthorReputation int64
	AuthorRank       string
}

// Solved reports whether the thread has an accepted answer.
func (t Thread) Solved() bool { return t.AcceptedPostID != 0 }

// Answered reports whether anyone but the asker has replied.
func (t Thread) Answered() bool { return !t.FirstReplyAt.IsZero() }

// Post is the question (IsQuestion) or a reply.
type Post struct {
	ID               int64
	BrandID          int64
	ThreadID         int64
	AuthorID         int64
	AuthorName       string
	AuthorReputation int64
	IsQuestion       bool
	BodyMD           string
	BodyHTML         string
	CreatedAt        time.Time
	EditedAt         time.Time
	RevisionCount    int
	KudosCount       int64
	Status           string // visible, pending, hidden or deleted
	IsStaff          bool   // written by an agent, moderator or admin
	StaffLabel       string // the brand's badge for staff posts (thread pages set it)
	AuthorRank       string // the author's rank name in the brand; set by app/ for display
	// MergedFrom is the thread the post was first posted in, when a merge
	// brought it here (0 otherwise); thread pages set Merge to say so.
	MergedFrom int64
	Merge      *MergeOrigin
	// Repeated is set by Reply when its ClientKey was sent before: the post
	// is the reply that first send made, and may have changed since.
	Repeated bool
}

// MergeOrigin is where merged posts came from: the merged thread's title,
// who merged it and when.
type MergeOrigin struct {
	Title string
	By    string
	At    time.Time
}

// Edited reports whether the post has been changed since it was written.
func (p Post) Edited() bool { return !p.EditedAt.IsZero() }

// Revision is one kept version of a post.
type Revision struct {
	PostID     int64
	Revision   int
	EditorID   int64
	EditorName string
	Title      string
	BodyMD     string
	BodyHTML   string
	CreatedAt  time.Time
}

// Filter selects threads in a board list.
type Filter string

// The board list filters.
const (
	FilterAll        Filter = "all"
	FilterUnanswered Filter = "unanswered"
	FilterSolved     Filter = "solved"
)

// ParseFilter accepts "", all, unanswered or solved.
func ParseFilter(ctx context.Context, s string) (Filter, error) {
	switch Filter(s) {
	case "", FilterAll:
		return FilterAll, nil
	case FilterUnanswered, FilterSolved:
		return Filter(s), nil
	}
	return "", &fault.ValidationError{Fields: map[string]string{"filter": i18n.T(ctx, "forum.bad_filter")}}
}

// Cursor is a keyset position in a newest-activity-first list.
type Cursor struct {
	At time.Time
	ID int64
}

// String encodes the cursor for a URL.
func (c Cursor) String() string {
	if c.ID == 0 {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf("%d.%d", c.At.UnixMilli(), c.ID)))
}

// ParseCursor decodes a cursor from a URL; "" is the first page.
func ParseCursor(ctx context.Context, s string) (Cursor, error) {
	if s == "" {
		return Cursor{}, nil
	}
	bad := &fault.ValidationError{Fields: map[string]string{"cursor": i18n.T(ctx, "forum.bad_cursor")}}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Cursor{}, bad
	}
	at, id, ok := strings.Cut(string(raw), ".")
	if !ok {
		return Cursor{}, bad
	}
	ms, err1 := strconv.ParseInt(at, 10, 64)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if err1 != nil || err2 != nil || n <= 0 {
		return Cursor{}, bad
	}
	return Cursor{At: time.UnixMilli(ms).UTC(), ID: n}, nil
}

// Slugify makes a short, URL-safe slug from a title. The id carries identity;
// the slug is decoration for people and search engines.
func Slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= 60 {
			break
		}
	}
	out := strings.Trim(b.String(), "-")
	if out == "" {
		return "topic"
	}
	return out
}
