package forumweb

import (
	"mutual/account"
	"mutual/app/web"
	"mutual/forum"
)

// postBar is one post's action bar on a thread page, worked out in Go once
// per post so the templates (post-actions and the capabilities'
// actions-* partials) only print it. Evaluated in html/template through a
// dict of the post and the whole view (View.Page.Page.Thread.AuthorID...),
// every field was found by reflection on large types, and the bar was 43% of
// a member's thread page.
type postBar struct {
	ID, ThreadID int64
	KudosCount   int64
	AuthorName   string
	Status       string
	CSRF         string // only for a signed-in viewer: visitors' pages stay cookie-free
	Signed       bool   // a member is signed in

	CanKudos bool   // signed in and not the author: the kudos button, else the count
	Kudoed   bool   // ...which takes the viewer's kudos back
	KudosWhy string // why the viewer cannot give kudos yet, said in the button's place
	Edit     bool   // the author or a moderator: the shared Edit link

	// Editing others' posts, unlocked by reputation (actions-reputation):
	// shown to members who are neither the author nor moderators.
	EditOthers    bool
	CanEditOthers bool
	EditOthersAt  string

	Accept   bool // the viewer may accept this reply (or withdraw it)
	Accepted bool // it is the accepted answer

	Flag     bool // another member's post that members see
	Moderate bool // the viewer moderates: hide, delete, the member record

	Here    string       // the page's own query, which its forms post back with (threadView.Here)
	Refused *web.Refused // a refused form about this post, drawn again; nil on every other post
}

// postBars works out the bar of every post on the page, by post id. A
// member held to a visitor's rights (suspended, banned) gets a visitor's
// bar: the page says why once, rather than offering buttons that refuse.
func postBars(tv threadView, actor account.Actor, csrf string, refused *web.Refused) map[int64]postBar {
	pg := tv.Page
	var editOthers bool
	var editOthersAt, kudosWhy string
	if tv.Rep != nil {
		editOthers, editOthersAt = tv.Rep.EditOthers()
		kudosWhy = tv.Rep.KudosHeld()
	}
	bars := make(map[int64]postBar, len(pg.Replies)+2)
	add := func(p forum.Post) {
		b := postBar{ID: p.ID, ThreadID: p.ThreadID, KudosCount: p.KudosCount, AuthorName: p.AuthorName, Status: p.Status, Here: tv.Here}
		if refused != nil && refused.ID == p.ID {
			b.Refused = refused
		}
		if actor.SignedIn() && tv.PostingBlocked == "" {
			own, mod := actor.UserID == p.AuthorID, actor.CanModerate()
			b.Signed, b.CSRF = true, csrf
			b.CanKudos, b.Kudoed = !own, tv.Kudoed[p.ID]
			if !b.Kudoed { // a kudos given can always be taken back
				b.KudosWhy = kudosWhy
			}
			b.Edit = own || mod
			b.EditOthers, b.CanEditOthers, b.EditOthersAt = !own && !mod, editOthers, editOthersAt
			b.Accept = !p.IsQuestion && tv.CanAccept && p.AuthorID != pg.Thread.AuthorID
			b.Accepted = pg.Thread.AcceptedPostID == p.ID
			b.Flag = !own && p.Shown()
			b.Moderate = mod
		}
		bars[p.ID] = b
	}
	add(pg.Question)
	if pg.Accepted != nil {
		add(*pg.Accepted)
	}
	for _, p := range pg.Replies {
		add(p)
	}
	return bars
}
