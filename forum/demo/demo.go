// Package demo seeds the small demo community a fresh database starts with,
// so a newcomer who runs Mutual sees a living forum at once.
package demo

import (
	"context"
	"fmt"
	"time"

	"mutual/account"
	"mutual/forum"
	"mutual/markup"
	"mutual/report/deflection"
	"mutual/search"
	"mutual/sqldb"
)

type demoThread struct {
	board    int
	asker    int
	title    string
	body     string
	ago      time.Duration
	replies  []demoReply
	accepted int // index into replies + 1; 0 for none
}

type demoReply struct {
	author int
	after  time.Duration
	body   string
	kudos  []int
}

var demoBoards = []forum.NewBoard{
	{Name: "Getting started", Description: "New SIMs, activation, porting your number and first steps.", Position: 1},
	{Name: "Billing and top-ups", Description: "Plans, payments, refunds and anything on your bill.", Position: 2},
	{Name: "Network and coverage", Description: "Signal, data speeds, roaming and outages.", Position: 3},
	{Name: "Phones and devices", Description: "Settings, eSIM, voicemail and handset help.", Position: 4},
}

var demoMembers = []string{"ellie_k", "marcus.r", "priya-s", "tomw", "jo_bloggs", "sam_h"}

var demoThreads = []demoThread{
	{board: 0, asker: 0, title: "How long does it take to port my number from another network?", ago: 72 * time.Hour,
		body: "I've got my PAC code from my old provider. Once I enter it, **how long** until my old number works on the new SIM? Will I lose service in between?",
		replies: []demoReply{
			{author: 1, after: 25 * time.Minute, kudos: []int{0, 2, 3}, body: "Usually the next working day. Request it before 4pm and it normally moves overnight.\n\n- Your new SIM works straight away with a temporary number\n- On switch day you may lose signal for **up to an hour**\n- Restart your phone if calls don't come through by the afternoon"},
			{author: 2, after: 2 * time.Hour, body: "Mine took exactly one working day. Tip: keep the old SIM in a drawer until the switch is done, just in case."},
		}, accepted: 1},
	{board: 1, asker: 3, title: "Charged twice for my monthly plan this month", ago: 30 * time.Hour,
		body: "My banking app shows two payments for this month's plan, a day apart. Has anyone had this before? Do I need to call?",
		replies: []demoReply{
			{author: 4, after: 40 * time.Minute, kudos: []int{3}, body: "Check whether one of them is still *pending*. Pending card holds often drop off within 3–5 days on their own."},
			{author: 1, after: 3 * time.Hour, body: "If both show as completed after 5 days, raise it from *Account → Payments → Report a problem*. They refund duplicate charges to the original card."},
		}},
	{board: 2, asker: 5, title: "No 4G indoors since the weekend", ago: 20 * time.Hour,
		body: "Since Saturday I only get 3G inside my flat, 4G outside is fine. Postcode area is central Leeds. Anyone else nearby?",
		replies: []demoReply{
			{author: 2, after: 90 * time.Minute, body: "Try toggling *Wi-Fi calling* on while it's being looked at, and check the coverage checker for planned works in your area."},
		}},
	{board: 3, asker: 2, title: "Can I use an eSIM and a physical SIM at the same time?", ago: 8 * time.Hour,
		body: "I want my work number on the physical SIM and my personal one on eSIM. Does this work on an iPhone 13?",
		replies: []demoReply{
			{author: 0, after: 15 * time.Minute, kudos: []int{2, 5}, body: "Yes, the iPhone 13 supports dual SIM with one eSIM + one nano-SIM. Go to **Settings → Mobile Data → Add eSIM** and label them *Work* and *Personal*."},
			{author: 3, after: 45 * time.Minute, body: "You can also choose which line is used for data, which saves a lot of confusion."},
			{author: 2, after: 60 * time.Minute, body: "Perfect, that worked — thanks both!"},
		}, accepted: 1},
	{board: 0, asker: 4, title: "Voicemail PIN not accepted after switching phones", ago: 90 * time.Minute,
		body: "I moved my SIM to a new phone and now voicemail asks for a PIN I never set. What's the default?",
	},
	{board: 2, asker: 1, title: "Using data abroad: which countries are included?", ago: 5 * time.Hour,
		body: "Travelling to Spain and then Morocco next month. Is roaming included in both or just the EU?",
		replies: []demoReply{
			{author: 5, after: 50 * time.Minute, kudos: []int{1}, body: "Spain is in the included EU zone. Morocco isn't — you'd pay per MB there, so buy a roaming add-on before you go."},
		}},
}

// Seed creates a small living community in brand b of a fresh database:
// boards, members, questions with replies and kudos, one solved by an
// accepted answer and one still unanswered.
func Seed(ctx context.Context, db *sqldb.DB, md *markup.Renderer, b forum.Brand) error {
	var now time.Time
	clock := func() time.Time { return now }
	svc := forum.NewService(db, md, clock)
	svc.Subscribe(search.New(db, clock).Hook) // the demo is found by search like any other content
	members := account.NewMembers(db, clock)
	start := time.Now().UTC()
	now = start.Add(-30 * 24 * time.Hour)

	boards := make([]forum.Board, len(demoBoards))
	for i, nb := range demoBoards {
		bd, err := svc.CreateBoard(ctx, b.ID, nb)
		if err != nil {
			return err
		}
		boards[i] = bd
	}
	actors := make([]account.Actor, len(demoMembers))
	for i, name := range demoMembers {
		u, err := members.CreateUnclaimed(ctx, account.Unclaimed{BrandID: b.ID, Username: name, CreatedAt: now})
		if err != nil {
			return fmt.Errorf("demo member %s: %w", name, err)
		}
		actors[i] = account.Actor{UserID: u.ID, BrandID: b.ID, Username: name, Roles: []string{"member"}}
	}
	// Kudos come last: only members who have taken part may give them.
	type pending struct {
		from account.Actor
		post int64
	}
	var kudos []pending
	for _, dt := range demoThreads {
		now = start.Add(-dt.ago)
		t, err := svc.Ask(ctx, actors[dt.asker], forum.NewThread{BoardID: boards[dt.board].ID, Title: dt.title, Body: dt.body})
		if err != nil {
			return fmt.Errorf("demo thread %q: %w", dt.title, err)
		}
		var posts []forum.Post
		for _, r := range dt.replies {
			now = start.Add(-dt.ago + r.after)
			p, err := svc.Reply(ctx, actors[r.author], t.ID, forum.NewReply{Body: r.body})
			if err != nil {
				return fmt.Errorf("demo reply: %w", err)
			}
			for _, k := range r.kudos {
				kudos = append(kudos, pending{actors[k], p.ID})
			}
			posts = append(posts, p)
		}
		if dt.accepted > 0 {
			if _, err := svc.Accept(ctx, actors[dt.asker], t.ID, posts[dt.accepted-1].ID); err != nil {
				return fmt.Errorf("demo accept: %w", err)
			}
		}
	}
	for _, k := range kudos {
		if _, err := svc.GiveKudos(ctx, k.from, k.post); err != nil {
			return fmt.Errorf("demo kudos: %w", err)
		}
	}
	if err := deflection.SaveContactPage(ctx, db, md, b.ID, demoContact, start); err != nil {
		return fmt.Errorf("demo contact page: %w", err)
	}
	return nil
}

// demoContact is the demo brand's contact page, where "Contact us" leads:
// what a real brand writes there, with made-up numbers and addresses.
const demoContact = `Our community answers most questions within the hour. When you need us directly, we are here:

- **Chat with us** in the Mutual Mobile app: tap *Help → Chat*, every day 8am–10pm.
- **Call us** on 0800 000 0000 (free from a Mutual Mobile phone), Monday to Saturday 8am–8pm.
- **Lost or stolen phone?** Call 0800 000 0001 any time, day or night, to block your SIM.
- **Email** help@mutual-mobile.example; we reply within one working day.

Have your account number ready: it is on the first page of your bill and under *Account* in the app.

*This is the demo community's contact page. An administrator changes it, or points "Contact us" at the brand's own site, in the report settings (/reports/deflection/settings).*`
