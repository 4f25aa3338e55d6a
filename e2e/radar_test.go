package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mutual/account"
	"mutual/app"
	"mutual/forum"
	"mutual/internal/testkit"
)

// TestTrendsJourney: a burst of look-alike questions about a 4G outage in
// Leeds is asked over a quarter of an hour; the radar's pass raises it; a
// client manager opens Trends from the Manage menu and sees the emerging
// issue labelled with its words and place, the rising topics and the
// charts. Screenshots go to e2e/artifacts/radar-trends-*.png.
func TestTrendsJourney(t *testing.T) {
	exe := chromePath(t)
	clk := testkit.NewClock(time.Now().UTC().Add(-time.Hour).Truncate(time.Minute))
	base, a := startApp(t, func(c *app.Config) {
		c.NoDemo = true
		c.JobInterval = 0
		c.Now = clk.Now
	})
	ctx := context.Background()
	svc := a.Services()
	brand, err := svc.Brands.Default(ctx)
	if err != nil {
		t.Fatal(err)
	}
	boards, err := svc.Forum.Boards(ctx, brand.ID)
	if err != nil || len(boards) == 0 {
		board, err := svc.Forum.CreateBoard(ctx, brand.ID, forum.NewBoard{Name: "Network and coverage", Description: "Signal, data and outages."})
		if err != nil {
			t.Fatal(err)
		}
		boards = []forum.Board{board}
	}
	var askers []account.Actor
	for i := range 4 {
		u, err := svc.Members.CreateUnclaimed(ctx, account.Unclaimed{BrandID: brand.ID, Username: fmt.Sprintf("member%d", i), CreatedAt: clk.Now()})
		if err != nil {
			t.Fatal(err)
		}
		askers = append(askers, account.Actor{UserID: u.ID, BrandID: brand.ID, Username: u.Username, Roles: []string{"member"}})
	}
	titles := []string{"No 4G in Leeds since 09:00", "4G down in Leeds?", "Lost 4G in Leeds this morning", "Anyone else without 4G in Leeds?",
		"4G not working in Leeds since 09:00", "Is 4G out in Leeds right now?", "Outage? 4G dead in Leeds"}
	for i, title := range titles {
		if _, err := svc.Forum.Ask(ctx, askers[i%len(askers)], forum.NewThread{BoardID: boards[0].ID, Title: title,
			Body: "My phone shows no 4G here in Leeds since this morning. I restarted it twice."}); err != nil {
			t.Fatal(err)
		}
		clk.Add(2 * time.Minute)
	}
	if _, err := a.RunRadar(ctx); err != nil {
		t.Fatal(err)
	}
	mgr, err := svc.Members.Create(ctx, account.Signup{BrandID: brand.ID, Username: "clara_manager", Email: "clara@example.com", Password: password("clara_manager")})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Members.Grant(ctx, brand.ID, mgr.ID, "client_manager"); err != nil {
		t.Fatal(err)
	}

	b := newBrowser(t, exe)
	open(t, b, base+"/")
	signIn(t, b, base, "clara_manager")
	fromMenu(t, b, "Trends")
	if p := here(t, b, base); p != "/reports/trends" {
		t.Fatalf("Trends led to %q", p)
	}
	row := get(t, b, "read the emerging issue", chromedp.Text(chromedp.CSS(`tr.radar-burst`)))
	for _, want := range []string{"4g", "Leeds", boards[0].Name} {
		if !strings.Contains(row, want) {
			t.Errorf("the burst's row %q lacks %q", row, want)
		}
	}
	terms := get(t, b, "read the rising topics", chromedp.Text(chromedp.CSS(`.radar-board`)))
	if !strings.Contains(terms, "4g") {
		t.Errorf("rising topics %q lack 4g", terms)
	}
	shoot(t, b, "radar-trends")
}
