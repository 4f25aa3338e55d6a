package forumweb

import (
	"testing"

	"mutual/account"
	"mutual/forum"
)

// Each post's action bar offers what the viewer may do to that post and
// nothing else; visitors get no forms and no token.
func TestPostBars(t *testing.T) {
	const asker, helper, other, mod = 1, 2, 3, 4
	q := forum.Post{ID: 10, ThreadID: 7, AuthorID: asker, IsQuestion: true, Status: forum.StatusVisible, KudosCount: 1}
	answer := forum.Post{ID: 11, ThreadID: 7, AuthorID: helper, Status: forum.StatusVisible, KudosCount: 3}
	own := forum.Post{ID: 12, ThreadID: 7, AuthorID: asker, Status: forum.StatusVisible}
	hidden := forum.Post{ID: 13, ThreadID: 7, AuthorID: helper, Status: "hidden"}
	page := func(viewer int64, canAccept bool) threadView {
		return threadView{
			Page:      forum.ThreadPage{Thread: forum.Thread{ID: 7, AuthorID: asker, AcceptedPostID: 11}, Question: q, Accepted: &answer, Replies: []forum.Post{own, hidden}},
			CanAccept: canAccept,
			Kudoed:    map[int64]bool{11: viewer == other},
			Rep:       editRights{allowed: false, at: "1,000"},
		}
	}
	visitor := postBars(page(0, false), account.Anonymous(1), "", nil)
	if b := visitor[11]; b.Signed || b.CanKudos || b.Flag || b.Edit || b.EditOthers || b.Accept || b.Moderate || b.CSRF != "" {
		t.Errorf("a visitor's bar offers something: %+v", b)
	}
	if len(visitor) != 4 {
		t.Errorf("%d bars, want one for each of the 4 posts", len(visitor))
	}

	byAsker := postBars(page(asker, true), account.Actor{UserID: asker, BrandID: 1}, "tok", nil)
	if b := byAsker[10]; b.CanKudos || !b.Edit || b.Flag || b.Accept || b.EditOthers {
		t.Errorf("the asker's own question: %+v", b)
	}
	if b := byAsker[11]; !b.CanKudos || b.Kudoed || !b.Accept || !b.Accepted || !b.Flag || b.Edit || !b.EditOthers || b.CSRF != "tok" {
		t.Errorf("the accepted answer, seen by the asker: %+v", b)
	}
	if b := byAsker[12]; b.Accept {
		t.Errorf("the asker may not accept their own reply: %+v", b)
	}
	if b := byAsker[13]; b.Flag {
		t.Errorf("a hidden post can be flagged: %+v", b)
	}

	byOther := postBars(page(other, false), account.Actor{UserID: other, BrandID: 1}, "tok", nil)
	if b := byOther[11]; !b.Kudoed || b.Accept || b.Moderate || !b.EditOthers || b.CanEditOthers || b.EditOthersAt != "1,000" {
		t.Errorf("the answer, seen by another member who gave it kudos: %+v", b)
	}

	byMod := postBars(page(mod, true), account.Actor{UserID: mod, BrandID: 1, Roles: []string{"moderator"}}, "tok", nil)
	if b := byMod[13]; !b.Moderate || !b.Edit || b.EditOthers || b.Status != "hidden" {
		t.Errorf("a hidden reply, seen by a moderator: %+v", b)
	}

	// A new account is told why it cannot give kudos yet, on every post.
	held := page(other, false)
	held.Rep = editRights{at: "1,000", kudos: "New accounts can give kudos once they are 1 hour old."}
	if b := postBars(held, account.Actor{UserID: other, BrandID: 1}, "tok", nil)[10]; !b.CanKudos || b.KudosWhy == "" {
		t.Errorf("a new account's bar does not say why no kudos: %+v", b)
	}
	// A suspended member gets a visitor's bar: no buttons that would refuse.
	suspended := page(other, false)
	suspended.PostingBlocked = "Your account is suspended until 2 Jan 2026 15:04 UTC."
	if b := postBars(suspended, account.Actor{UserID: other, BrandID: 1}, "tok", nil)[10]; b.Signed || b.CanKudos || b.Flag || b.EditOthers || b.CSRF != "" {
		t.Errorf("a suspended member's bar offers something: %+v", b)
	}
}

// editRights is a reputation slot that says who may edit others' posts, and
// why the viewer may not give kudos yet.
type editRights struct {
	allowed bool
	at      string
	kudos   string
}

func (e editRights) EditOthers() (bool, string) { return e.allowed, e.at }

func (e editRights) KudosHeld() string { return e.kudos }
