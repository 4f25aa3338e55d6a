package deflectiontest

import (
	"context"
	"math/rand/v2"
	"time"

	"mutual/forum"
	"mutual/report/deflection"
	"mutual/sqldb"
)

// HoldoutWorld is a generated history of askers in which the truth is
// known: the generator decides, for every asker, whether they would post a
// thread without suggestions and whether suggestions would deflect them.
type HoldoutWorld struct {
	Askers   int     // askers who open the Ask form
	BP       int64   // share held out, in basis points
	PostRate float64 // chance an asker posts when shown nothing
	Deflect  float64 // chance suggestions answer a would-be poster
}

// HoldoutTruth is what really happened in one generated history.
type HoldoutTruth struct {
	// Deflected is how many shown askers posted nothing only because they
	// were shown suggestions: the threads the shown group would have
	// posted more without them.
	Deflected int
	Shown     int
}

// asker is one generated asker: their group and what they do.
type asker struct {
	user            int64
	arm             string
	posts, deflects bool
}

// draw decides asker i's fate in the history of seed: whether they would
// post when shown nothing, and whether suggestions would answer them.
func (w HoldoutWorld) draw(rng *rand.Rand, brandID int64, i int) asker {
	a := asker{user: int64(i + 1)}
	a.arm = deflection.Assign(brandID, deflection.AskerKey(a.user), w.BP)
	wouldPost := rng.Float64() < w.PostRate
	a.deflects = wouldPost && a.arm == deflection.ArmShown && rng.Float64() < w.Deflect
	a.posts = wouldPost && !a.deflects
	return a
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)) }

// Counts draws one history in memory, counted straight into the two groups
// (the brand id, for the groups' hash, is the seed), with its truth.
func (w HoldoutWorld) Counts(seed uint64) (shown, held deflection.HoldoutGroup, deflected int) {
	rng := newRand(seed)
	for i := range w.Askers {
		a := w.draw(rng, int64(seed), i)
		g := &shown
		if a.arm == deflection.ArmHeldOut {
			g = &held
		}
		g.Askers++
		if a.posts {
			g.Posted++
		}
		if a.deflects {
			deflected++
		}
	}
	return shown, held, deflected
}

// Generate writes one history for brandID through the product's own
// recording (the Ask form's exposure and the forum's ThreadAsked event into
// deflection.Hook), in one transaction, and returns its truth.
func (w HoldoutWorld) Generate(ctx context.Context, db *sqldb.DB, brandID int64, seed uint64, start time.Time) (HoldoutTruth, error) {
	rng := newRand(seed)
	var truth HoldoutTruth
	err := db.InTx(ctx, func(tx *sqldb.Tx) error {
		for i := range w.Askers {
			a := w.draw(rng, brandID, i)
			at := start.Add(time.Duration(i) * time.Minute)
			if a.arm == deflection.ArmShown {
				truth.Shown++
			}
			if a.deflects {
				truth.Deflected++
			}
			if err := deflection.RecordOpened(ctx, tx, brandID, deflection.AskerKey(a.user), a.arm, at); err != nil {
				return err
			}
			if !a.posts {
				continue
			}
			ev := forum.Event{Kind: forum.ThreadAsked, BrandID: brandID, ThreadID: a.user, ActorID: a.user, ThreadAuthorID: a.user,
				At: at.Add(3 * time.Minute)}
			if err := deflection.Hook(ctx, tx, ev); err != nil {
				return err
			}
		}
		return nil
	})
	return truth, err
}
