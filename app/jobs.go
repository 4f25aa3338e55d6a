package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"mutual/escalation"
	"mutual/radar"
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
