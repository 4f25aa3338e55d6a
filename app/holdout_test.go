package app_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"mutual/app"
	"mutual/report/deflection"
)

// The deflection holdout end to end: the admin sets the share (audited; a
// bad value is refused in place), a held-out member is shown no similar
// questions while a shown one is, opening the Ask form and posting are
// recorded in the member's group, and the report's section and its CSV of
// raw events say the same.
func TestHoldoutHidesSuggestionsAndRecordsExposure(t *testing.T) {
	eachStoreOpts(t, testHoldout)
}

func testHoldout(t *testing.T, opts ...func(*app.Config)) {
	s := newSite(t, opts...)
	ctx := context.Background()
	asker, helper := s.user(s.brand.ID, "asker"), s.user(s.brand.ID, "helper")
	solved := s.discoverySolved(asker, helper, "eSIM activation stuck on Pixel", "It has said activating for a day.", "Restart after 10 minutes; it finishes.")
	admin := s.signedIn(s.user(s.brand.ID, "boss", "admin"))

	admin.get("/reports/deflection/settings")
	if r := admin.post("/reports/deflection/holdout", url.Values{"holdout": {"80"}}); r.code != http.StatusUnprocessableEntity ||
		!strings.Contains(r.body, "percent from 0 to 50") || !strings.Contains(r.body, `value="80"`) {
		t.Fatalf("a share over 50%%: %d %s", r.code, clip(r.body))
	}
	if bp, _ := deflection.HoldoutBP(ctx, s.app.DB(), s.brand.ID); bp != 0 {
		t.Fatalf("a refused share was saved: %d", bp)
	}
	if r := admin.post("/reports/deflection/holdout", url.Values{"holdout": {"50"}}); r.code != http.StatusSeeOther {
		t.Fatalf("set the holdout: %d %s", r.code, clip(r.body))
	}
	var audited int
	if err := s.app.DB().QueryRow(ctx, `SELECT COUNT(*) FROM moderation_actions WHERE act = 'settings_changed' AND reason = 'deflection holdout'`).
		Scan(&audited); err != nil || audited != 1 {
		t.Fatalf("audit rows %d (%v)", audited, err)
	}

	// One member of each group (the hash decides; 50% makes both quick to find).
	var held, shown member
	for i := 0; held.actor.UserID == 0 || shown.actor.UserID == 0; i++ {
		m := s.user(s.brand.ID, "member"+itoa(int64(i)))
		if deflection.Assign(s.brand.ID, deflection.AskerKey(m.actor.UserID), 5000) == deflection.ArmHeldOut {
			if held.actor.UserID == 0 {
				held = m
			}
		} else if shown.actor.UserID == 0 {
			shown = m
		}
	}
	similar := "/api/v1/similar?title=" + url.QueryEscape("Pixel eSIM activation never ends")
	if r := s.bearerClient(shown).api("GET", similar, nil); !strings.Contains(r.body, `"items":[{"id":`+itoa(solved.ID)) {
		t.Fatalf("the shown member's suggestions: %s", r.body)
	}
	if r := s.bearerClient(held).api("GET", similar, nil); r.code != http.StatusOK || !strings.Contains(r.body, `"items":[]`) {
		t.Fatalf("the held-out member's suggestions: %d %s", r.code, r.body)
	}
	hb := s.signedIn(held)
	hb.get("/ask")
	if r := hb.post("/ask/similar", url.Values{"board_id": {itoa(s.board.ID)}, "title": {"Pixel eSIM activation never ends"}, "body": {"details"}}); strings.Contains(r.body, `href="/ask/similar/`+itoa(solved.ID)+`"`) {
		t.Fatal("the no-JavaScript check suggested a thread to a held-out member")
	}

	// Both open the Ask form; the held-out member posts, the shown one does not.
	s.signedIn(shown).get("/ask")
	hb.get("/ask")
	r := hb.post("/ask", url.Values{"board_id": {itoa(s.board.ID)}, "title": {"My eSIM will not activate at all"}, "body": {"It spins for hours and never finishes."}})
	if r.code != http.StatusSeeOther {
		t.Fatalf("ask: %d %s", r.code, clip(r.body))
	}
	events, err := deflection.Exposures(ctx, s.app.DB(), s.brand.ID, s.clock.Now().Add(-time.Hour), s.clock.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range events {
		got = append(got, e.Asker+" "+e.Arm+" "+e.Event)
	}
	hk, sk := deflection.AskerKey(held.actor.UserID), deflection.AskerKey(shown.actor.UserID)
	want := []string{hk + " held_out opened", sk + " shown opened", hk + " held_out opened", hk + " held_out posted"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("events:\n%q\nwant\n%q", got, want)
	}

	// The report says the sample is too small, states its method, and its
	// CSV holds the same events, from which Analyse gives the same figures.
	rep := s.signedIn(s.user(s.brand.ID, "reporter", "client_manager")).get("/reports/deflection")
	for _, w := range []string{`id="holdout"`, `data-verdict="too_small"`, "Too few askers to tell yet", "Newcombe", "/api/v1/reports/deflection/holdout.csv?"} {
		if !strings.Contains(rep.body, w) {
			t.Fatalf("report lacks %q:\n%s", w, clip(rep.body))
		}
	}
	csvBody := s.bearerClient(s.user(s.brand.ID, "reporter2", "client_manager")).api("GET", "/api/v1/reports/deflection/holdout.csv", nil)
	rows, err := csv.NewReader(strings.NewReader(csvBody.body)).ReadAll()
	if err != nil || len(rows) != len(events)+1 || strings.Join(rows[0], ",") != "id,at,asker,group,event,thread_id" {
		t.Fatalf("csv: %v %q", err, csvBody.body)
	}
	var fromCSV []deflection.Exposure
	for _, row := range rows[1:] {
		at, _ := time.Parse(time.RFC3339Nano, row[1])
		fromCSV = append(fromCSV, deflection.Exposure{At: at, Asker: row[2], Arm: row[3], Event: row[4]})
	}
	if a, b := deflection.Analyse(fromCSV), deflection.Analyse(events); a != b || a.HeldOut.Posted != 1 || a.Shown.Askers != 1 {
		t.Fatalf("from the CSV %+v, from the database %+v", a, b)
	}
	s.noErrorLogs()
}
