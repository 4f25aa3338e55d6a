package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"mutual/escalation"
	"mutual/forum/notify"
	"mutual/radar"
	"mutual/sqldb"
)

// errJobAbandoned is what a BatchHook returns to stop a run the way a crash
// would: without finishing, the lease left to run out.
var errJobAbandoned = errors.New("job abandoned")

// RunEscalations runs the escalation detector once if this instance can claim
// it. For every brand: claims left idle past the claim timeout go back to the
// queue, queued escalations are offered to agents now on shift, then overdue
// threads are escalated page by page from the candidate indexes (no peer
// reply within the SLA; "still need help" past the resolution SLA). It
// reports whether it ran.
func (a *App) RunEscalations(ctx context.Context) (bool, error) {
	const name = "escalation-detector"
	ok, err := a.jobs.Claim(ctx, name)
	if err != nil || !ok {
		return false, err
	}
	start := time.Now()
	runErr := a.escalateAll(ctx, name)
	a.esc.ObserveTick(time.Since(start), runErr)
	if errors.Is(runErr, errJobAbandoned) {
		return true, runErr
	}
	if err := a.jobs.Finish(ctx, name, a.cfg.Now().Add(a.cfg.JobInterval), runErr); err != nil {
		return true, err
	}
	return true, runErr
}

func (a *App) escalateAll(ctx context.Context, name string) error {
	brands, err := a.brands.All(ctx)
	if err != nil {
		return err
	}
	batch := 0
	for _, b := range brands {
		if n, err := a.escalations.TimeOutClaims(ctx, b.ID); err != nil {
			return err
		} else if n > 0 {
			a.log.Info("escalation claims timed out", "brand", b.ID, "count", n)
		}
		if err := a.escalations.RouteQueue(ctx, b.ID); err != nil {
			return err
		}
		for rule := 1; rule <= 2; rule++ {
			cur := escalation.Cursor{}
			for {
				tick, next, more, err := a.escalations.Detect(ctx, b.ID, rule, cur, a.cfg.JobBatch, a.jobs.Owner())
				if err != nil {
					return err
				}
				if tick.Escalated > 0 {
					a.log.Info("escalated threads", "brand", b.ID, "rule", rule, "count", tick.Escalated)
				}
				batch++
				if a.cfg.BatchHook != nil {
					if err := a.cfg.BatchHook(name, batch); err != nil {
						return fmt.Errorf("%w: %v", errJobAbandoned, err)
					}
				}
				if !more {
					break
				}
				cur = next
				if held, err := a.jobs.Renew(ctx, name); err != nil || !held {
					return fmt.Errorf("app: lost the lease on %s: %v", name, err)
				}
			}
		}
	}
	return nil
}

// RunEscalationWebhooks delivers due escalation webhooks while this instance
// holds their job; it reports how many it attempted.
func (a *App) RunEscalationWebhooks(ctx context.Context) int { return a.esc.RunWebhooks(ctx) }

// Escalations exposes the escalation service to commands and tests.
func (a *App) Escalations() *escalation.Service { return a.escalations }

// RunRadar runs one radar pass if this instance can claim it: new threads'
// terms are counted and every brand's groups are checked for bursts, each
// raised through the radar's alarm. It reports whether it ran.
func (a *App) RunRadar(ctx context.Context) (bool, error) {
	const name = "radar-pass"
	ok, err := a.jobs.Claim(ctx, name)
	if err != nil || !ok {
		return false, err
	}
	res, runErr := a.radar.Pass(ctx)
	if res.Bursts > 0 {
		a.log.Info("radar raised bursts", "count", res.Bursts)
	}
	return true, a.jobs.Finish(ctx, name, a.cfg.Now().Add(time.Minute), runErr)
}

// Radar exposes the radar to commands and tests.
func (a *App) Radar() *radar.Service { return a.radar }

// RunRadarWeekly queues the weekly trends mail to every brand's client
// managers on Monday mornings (from 08:00 UTC), once across instances; at
// any other time it only books the next Monday. It reports how many mails
// it queued.
func (a *App) RunRadarWeekly(ctx context.Context) (int, error) {
	const name = "radar-weekly"
	if !a.notify.Mail {
		return 0, nil
	}
	ok, err := a.jobs.Claim(ctx, name)
	if err != nil || !ok {
		return 0, err
	}
	now := a.cfg.Now().UTC()
	queued, runErr := 0, error(nil)
	if now.Weekday() == time.Monday && now.Hour() >= 8 {
		queued, runErr = a.queueTrendsMail(ctx)
	}
	return queued, a.jobs.Finish(ctx, name, nextMonday8(now), runErr)
}

// nextMonday8 is the first Monday 08:00 UTC after now.
func nextMonday8(now time.Time) time.Time {
	day := time.Date(now.Year(), now.Month(), now.Day(), 8, 0, 0, 0, time.UTC)
	for day = day.AddDate(0, 0, 1); day.Weekday() != time.Monday; day = day.AddDate(0, 0, 1) {
	}
	return day
}

func (a *App) queueTrendsMail(ctx context.Context) (int, error) {
	brands, err := a.brands.All(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, b := range brands {
		ids, err := a.members.Holding(ctx, b.ID, "client_manager")
		if err != nil {
			return n, err
		}
		err = a.db.InTx(ctx, func(tx *sqldb.Tx) error {
			for _, id := range ids {
				if err := a.notify.QueueTrends(ctx, tx, b.ID, id); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return n, err
		}
		n += len(ids)
	}
	return n, nil
}

// weeklyTrends fits the radar's trends to what the weekly mail says.
func (a *App) weeklyTrends(ctx context.Context, brandID int64) (notify.Weekly, error) {
	tr, err := a.radar.Trends(ctx, brandID, a.cfg.Now())
	if err != nil {
		return notify.Weekly{}, err
	}
	boards, err := a.forum.Boards(ctx, brandID)
	if err != nil {
		return notify.Weekly{}, err
	}
	names := map[int64]string{}
	for _, b := range boards {
		names[b.ID] = b.Name
	}
	w := notify.Weekly{Threads: tr.Threads7}
	for _, b := range tr.Bursts {
		w.Bursts = append(w.Bursts, notify.WeeklyLine{Text: b.Label, Count: len(b.ThreadIDs)})
	}
	for _, bt := range tr.Boards {
		for _, t := range bt.Week[:min(3, len(bt.Week))] {
			w.Rising = append(w.Rising, notify.WeeklyLine{Text: names[bt.BoardID] + ": " + t.Text, Count: t.Threads})
		}
	}
	for _, g := range tr.Groups[:min(5, len(tr.Groups))] {
		w.Groups = append(w.Groups, notify.WeeklyLine{Text: g.Title, Count: g.Threads})
	}
	return w, nil
}
