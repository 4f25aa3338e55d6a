package radar_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"mutual/account"
	"mutual/forum"
	"mutual/internal/testkit"
	"mutual/markup"
	"mutual/radar"
	"mutual/sqldb"
	"mutual/sqldb/sqldbtest"
)

// The radar's SQL on each store (SQLite, and PostgreSQL when
// MUTUAL_TEST_POSTGRES names a server): the pass's grouping of new threads,
// its term counts and detection, the recorder, trends. A burst that begins
// before midnight and is found after it is labelled by its words as any
// other: the days it is measured against end before it began.
func TestRadarOnEachStore(t *testing.T) {
	for _, start := range []time.Time{time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC), time.Date(2026, 3, 3, 23, 52, 0, 0, time.UTC)} {
		t.Run(start.Format("15:04"), func(t *testing.T) { radarOnEachStore(t, start) })
	}
}

func radarOnEachStore(t *testing.T, start time.Time) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		clk := testkit.NewClock(start)
		svc := forum.NewService(db, markup.NewRenderer(), clk.Now)
		r := radar.New(db, clk.Now)
		brand := testkit.Brand(t, forum.NewBrands(db, clk.Now), forum.NewBrand{Host: "localhost", Name: "Alpha", Default: true})
		board := testkit.Board(t, svc, brand.ID, forum.NewBoard{Name: "Network"})
		members := account.NewMembers(db, clk.Now)
		var ids []int64
		for i, title := range []string{"No 4G in Leeds since 09:00", "4G down in Leeds?", "Lost 4G in Leeds this morning",
			"Anyone else without 4G in Leeds?", "4G not working in Leeds"} {
			a := testkit.Member(t, members, account.Unclaimed{BrandID: brand.ID, Username: fmt.Sprintf("member%d", i), CreatedAt: clk.Now()})
			ids = append(ids, testkit.Ask(t, svc, a, forum.NewThread{BoardID: board.ID, Title: title, Body: "No 4G at all here in Leeds, restarted twice."}).ID)
			clk.Add(2 * time.Minute)
		}
		res, err := r.Pass(ctx)
		if err != nil || res.Rolled != len(ids) || res.Bursts != 1 {
			t.Fatalf("pass: %+v %v", res, err)
		}
		bursts, err := r.Bursts(ctx, brand.ID, clk.Now().Add(-time.Hour), 5)
		if err != nil || len(bursts) != 1 || len(bursts[0].ThreadIDs) != len(ids) || !strings.Contains(bursts[0].Label, "4g") {
			t.Fatalf("bursts: %+v %v", bursts, err)
		}
		got, err := r.ThreadsOf(ctx, brand.ID, bursts[0].GroupKey)
		if err != nil || len(got) != len(ids) {
			t.Errorf("threads of %s: %v %v", bursts[0].GroupKey, got, err)
		}
		tr, err := r.ComputeTrends(ctx, brand.ID, clk.Now())
		if err != nil || len(tr.Boards) != 1 || tr.Threads7 != len(ids) || len(tr.Groups) != 1 || len(tr.Boards[0].Week) == 0 {
			t.Fatalf("trends: %+v %v", tr, err)
		}
		// Today's rising terms come from today's threads: just after
		// midnight there is one, too few to rise.
		if sameDay := clk.Now().YearDay() == start.YearDay(); sameDay != (len(tr.Boards[0].Day) > 0) {
			t.Errorf("today's rising terms %+v with the burst's threads all today: %v", tr.Boards[0].Day, sameDay)
		}
	})
}
