// Package kb is the knowledge base: articles grown from solved threads. A
// trusted member, moderator or agent proposes one or more solved threads as
// an article (a title and a clean body drafted from the question, the
// accepted answer and any replies worth quoting, which the proposer edits);
// an editor moves it from draft through review to published. Articles keep
// their revisions, credit the members whose posts they came from (on the
// article, and on the reputation ledger when first published), and carry a
// "review by" date after which, or after a reader reports it out of date,
// they wait in the editors' queue. Published articles rank first in search
// and similar questions (rank.go).
//
// It owns kb_articles, kb_article_revisions, kb_article_sources,
// kb_article_credits and kb_article_reports. It reads threads and posts
// through the forum, and credits members through the reputation ledger.
package kb

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"mutual/account"
	"mutual/forum"
	"mutual/markup"
	"mutual/sqldb"
)

// State is where an article stands.
type State string

// An article is drafted, waits for an editor, then is published.
const (
	Draft     State = "draft"
	Review    State = "review"
	Published State = "published"
)

// ReviewPeriod is how long a published article stands before an editor is
// asked to look at it again, unless they chose another date.
const ReviewPeriod = 180 * 24 * time.Hour

// Limits on an article's fields.
const (
	MaxTitle = 150
	MaxBody  = 40000
	MaxTags  = 8
	MaxNote  = 500
)

// Article is one knowledge-base article.
type Article struct {
	ID            int64
	BrandID       int64
	BoardID       int64
	Title         string
	Slug          string
	BodyMD        string
	BodyHTML      string
	Tags          []string
	State         State
	ProposerID    int64
	ProposerName  string
	RevisionCount int
	ReviewNote    string // an editor's word when they returned it to draft
	CreatedAt     time.Time
	UpdatedAt     time.Time
	PublishedAt   time.Time // zero until first published
	ReviewBy      time.Time
	OpenReports   int // readers' "out of date" reports not yet looked at

	Sources []Source // the threads it came from
	Credits []Credit // the members whose posts it came from
}

// URL is the article's page.
func (a Article) URL() string { return "/kb/" + itoa(a.ID) + "/" + a.Slug }

// Stale reports whether a published article waits for an editor: its review
// date has passed, or a reader reported it out of date.
func (a Article) Stale(now time.Time) bool {
	return a.State == Published && (now.After(a.ReviewBy) || a.OpenReports > 0)
}

// Overdue reports whether its review date has passed.
func (a Article) Overdue(now time.Time) bool { return a.State == Published && now.After(a.ReviewBy) }

// Source is a thread an article was drafted from.
type Source struct {
	ThreadID int64
	Title    string
	Slug     string
}

// URL is the source thread's page.
func (s Source) URL() string { return "/t/" + itoa(s.ThreadID) + "/" + s.Slug }

// Credit is a member whose post an article was drafted from.
type Credit struct {
	UserID   int64
	Username string // "" for an erased account
	Role     string // asker, answerer or replier
	PostID   int64
}

// The roles a credit names, most valuable first.
const (
	RoleAnswerer = "answerer"
	RoleAsker    = "asker"
	RoleReplier  = "replier"
)

// Revision is one kept version of an article.
type Revision struct {
	Revision   int
	EditorID   int64
	EditorName string
	Title      string
	BodyMD     string
	BodyHTML   string
	Tags       []string
	CreatedAt  time.Time
}

// Report is a reader's "this is out of date".
type Report struct {
	ID         int64
	ArticleID  int64
	UserID     int64
	Username   string
	Note       string
	CreatedAt  time.Time
	ResolvedAt time.Time
}

// Audit records an editor's act in the append-only audit log, inside the
// act's transaction (moderation's RecordStaffAct, wired by the app).
type Audit func(ctx context.Context, tx *sqldb.Tx, a account.Actor, act, targetType string, targetID int64, before, after any) error

// Service proposes, edits, reviews, publishes and finds articles.
type Service struct {
	db    *sqldb.DB
	md    *markup.Renderer
	forum *forum.Service
	now   func() time.Time

	// Audit, when set, records editors' acts.
	Audit Audit
	// Changed, when set, hears of a change that makes cached pages stale:
	// the source threads (which link to the article) and the lists.
	Changed func(forum.Change)

	mu      sync.Mutex
	corpora map[int64]*corpus // each brand's published articles, tokenised for ranking (rank.go)
}

// New makes the knowledge-base service.
func New(db *sqldb.DB, md *markup.Renderer, fs *forum.Service, now func() time.Time) *Service {
	return &Service{db: db, md: md, forum: fs, now: now, corpora: map[int64]*corpus{}}
}

// mayPropose: trusted members and the staff who answer or look after the
// community; the route's casbin check says the same.
func mayPropose(a account.Actor) bool {
	for _, r := range []string{"trusted", "moderator", "agent", "editor", "admin"} {
		if a.Has(r) {
			return true
		}
	}
	return false
}

// isEditor: editors move articles through review; administrators hold
// every role of their brand.
func isEditor(a account.Actor) bool { return a.Has("editor") || a.Has("admin") }

// MayEdit reports whether the actor may change the article: editors at any
// time, its proposer while it is not published.
func MayEdit(a account.Actor, art Article) bool { return mayEdit(a, art) }

func mayEdit(a account.Actor, art Article) bool {
	return isEditor(a) || (a.SignedIn() && a.UserID == art.ProposerID && art.State != Published)
}

// maySee: published articles are for everyone; drafts for their proposer
// and editors.
func maySee(a account.Actor, art Article) bool {
	return art.State == Published || isEditor(a) || (a.SignedIn() && a.UserID == art.ProposerID)
}

func (s *Service) changed(brandID int64, threads []Source) {
	s.forget(brandID)
	if s.Changed == nil {
		return
	}
	s.Changed(forum.Change{BrandID: brandID, Lists: true})
	for _, t := range threads {
		s.Changed(forum.Change{BrandID: brandID, ThreadID: t.ThreadID})
	}
}

// ParseTags reads tags typed with spaces or commas: lower case, no
// repeats, at most MaxTags.
func ParseTags(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' }) {
		f = strings.Trim(f, "#")
		if f != "" && len(f) <= 30 && !contains(out, f) {
			out = append(out, f)
		}
	}
	if len(out) > MaxTags {
		out = out[:MaxTags]
	}
	return out
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
