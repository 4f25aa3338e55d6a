package forumweb

import (
	"html/template"

	"github.com/gin-gonic/gin"

	"mutual/app/web"
	"mutual/forum"
	"mutual/i18n"
)

// partsFor fills in the question's and the accepted answer's bylines and
// action bars, and the other replies whole, as the site keeps them
// (web.Site.CachedPart), for a visitor, whose page shows every
// post as every other visitor sees it. A reply makes the thread's page
// stale; rendering it again then runs the templates of the new post only.
// Members' bars are their own, and a refused form draws its message into
// one bar, so their pages render every post.
func (h *Handlers) partsFor(c *gin.Context, tv *threadView) error {
	if web.ActorOf(c).SignedIn() || web.RefusedOf(c) != nil || !h.site.Parts() {
		return nil
	}
	loc := web.LocalizerOf(c)
	tv.Meta = make(map[int64]template.HTML, 2)
	tv.Actions = make(map[int64]template.HTML, 2)
	for _, p := range []*forum.Post{&tv.Page.Question, tv.Page.Accepted} {
		if p == nil {
			continue
		}
		html, err := h.site.CachedPart(c, "thread", "post-meta", p.ID, metaSum(loc, *p), *p)
		if err != nil {
			return err
		}
		tv.Meta[p.ID] = html
		bar := tv.Bars[p.ID]
		if html, err = h.site.CachedPart(c, "thread", "post-actions", p.ID, barSum(bar), bar); err != nil {
			return err
		}
		tv.Actions[p.ID] = html
	}
	tv.Replies = make(map[int64]template.HTML, len(tv.Page.Replies))
	for _, p := range tv.Page.Replies {
		r := tv.Reply(p)
		s := sum(metaSum(loc, p) ^ barSum(r.Bar))
		s.strs(r.Lang, p.BodyHTML)
		html, err := h.site.CachedPart(c, "thread", "thread-reply", p.ID, uint64(s), r)
		if err != nil {
			return err
		}
		tv.Replies[p.ID] = html
	}
	return nil
}

// metaSum is a hash of what the post-meta partial (and the author-* slots
// it calls) shows of p: TestPartSumsCoverWhatTheyShow lists the fields it
// leaves out. The relative times are worded here as the template words
// them, so a byline is rendered again when "3 minutes ago" becomes "4".
func metaSum(loc *i18n.Localizer, p forum.Post) uint64 {
	var s sum = fnvOffset
	s.ints(p.ID, p.AuthorReputation, p.CreatedAt.UnixNano(), p.EditedAt.UnixNano(), int64(p.RevisionCount), flag(p.IsStaff))
	s.strs(p.AuthorName, p.AuthorRank, p.StaffLabel, p.Status, loc.Ago(p.CreatedAt), loc.Ago(p.EditedAt))
	if m := p.Merge; m != nil {
		s.strs(m.Title, m.By)
		s.ints(m.At.UnixNano())
	}
	return uint64(s)
}

// barSum is a hash of a post's action bar (every field but Refused, which
// is nil on the pages that keep parts).
func barSum(b postBar) uint64 {
	var s sum = fnvOffset
	s.ints(b.ID, b.ThreadID, b.KudosCount, flag(b.Signed), flag(b.CanKudos), flag(b.Kudoed), flag(b.Edit), flag(b.EditOthers),
		flag(b.CanEditOthers), flag(b.Accept), flag(b.Accepted), flag(b.Flag), flag(b.Moderate))
	s.strs(b.AuthorName, b.Status, b.CSRF, b.KudosWhy, b.EditOthersAt, b.Here)
	return uint64(s)
}

// sum is FNV-1a, 64 bits, over fields written with a separator.
type sum uint64

const (
	fnvOffset sum = 14695981039346656037
	fnvPrime  sum = 1099511628211
)

func (s *sum) ints(vs ...int64) {
	for _, v := range vs {
		for i := 0; i < 64; i += 8 {
			*s = (*s ^ sum(byte(v>>i))) * fnvPrime
		}
	}
}

func (s *sum) strs(vs ...string) {
	for _, v := range vs {
		for i := 0; i < len(v); i++ {
			*s = (*s ^ sum(v[i])) * fnvPrime
		}
		*s = (*s ^ 0xff) * fnvPrime // no string holds 0xff: "ab","c" and "a","bc" differ
	}
}

func flag(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
