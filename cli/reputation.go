package cli

import (
	"context"
	"fmt"
	"io"
	"time"

	"mutual/app"
	"mutual/forum"
	"mutual/reputation"
	"mutual/sqldb"
)

// reputationRebuild recomputes every cached reputation figure from the
// ledger (members' totals, roll-ups, posts' kudos counts) in every brand or
// one, and reports each difference it corrected.
func reputationRebuild(ctx context.Context, args []string, out io.Writer) error {
	fs, cfg := newFlags("reputation rebuild", false)
	host := fs.String("brand", "", "host of the brand; empty: every brand")
	if err := parse(fs, args); err != nil {
		return err
	}
	return withBrand(ctx, *cfg, *host, func(s app.Services, b forum.Brand) error {
		brands := []forum.Brand{b}
		if *host == "" {
			var err error
			if brands, err = s.Brands.All(ctx); err != nil {
				return err
			}
		}
		total := 0
		for _, br := range brands {
			var diffs []reputation.Difference
			err := s.DB.InTx(ctx, func(tx *sqldb.Tx) error {
				var err error
				diffs, err = reputation.RebuildReport(ctx, forum.LedgerTx(tx), br.ID)
				return err
			})
			if err != nil {
				return fmt.Errorf("rebuild %s: %w", br.Host, err)
			}
			for _, d := range diffs {
				fmt.Fprintf(out, "%s: %s\n", br.Host, d)
			}
			fmt.Fprintf(out, "%s: rebuilt from the ledger, %d difference(s) corrected\n", br.Host, len(diffs))
			total += len(diffs)
		}
		if total > 0 {
			fmt.Fprintf(out, "%d difference(s) in all; the caches now match the ledger\n", total)
		}
		return nil
	})
}

// reputationExport writes the payback CSV: reputation earned per member
// from --from to --to (both days included, UTC).
func reputationExport(ctx context.Context, args []string, out io.Writer) error {
	fs, cfg := newFlags("reputation export", false)
	fromS := fs.String("from", "", "first day, YYYY-MM-DD (UTC; required)")
	toS := fs.String("to", "", "last day, YYYY-MM-DD (UTC), included (required)")
	host := fs.String("brand", "", brandHelp)
	if err := parse(fs, args); err != nil {
		return err
	}
	if *fromS == "" || *toS == "" {
		return usageErr("--from and --to are required (YYYY-MM-DD)")
	}
	from, err := reputation.ParseDate("from", *fromS)
	if err != nil {
		return usageErr("--from: %v", err)
	}
	to, err := reputation.ParseDate("to", *toS)
	if err != nil {
		return usageErr("--to: %v", err)
	}
	if to.Before(from) {
		return usageErr("--to must not be before --from")
	}
	return withBrand(ctx, *cfg, *host, func(s app.Services, b forum.Brand) error {
		rows, err := reputation.Export(ctx, s.DB, b.ID, from, to.Add(24*time.Hour))
		if err != nil {
			return err
		}
		return reputation.WriteCSV(out, rows)
	})
}

// reputationRings looks for kudos rings now and lists the open ones.
func reputationRings(ctx context.Context, args []string, out io.Writer) error {
	fs, cfg := newFlags("reputation rings", false)
	host := fs.String("brand", "", brandHelp)
	if err := parse(fs, args); err != nil {
		return err
	}
	return withBrand(ctx, *cfg, *host, func(s app.Services, b forum.Brand) error {
		n, err := reputation.DetectRings(ctx, s.DB, b.ID, s.Now())
		if err != nil {
			return err
		}
		rings, err := reputation.Rings(ctx, s.DB, b.ID, reputation.RingOpen, 200)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%s: %d ring(s) seen now, %d open\n", b.Host, n, len(rings))
		for _, g := range rings {
			names := ""
			for i, m := range g.Members {
				if i > 0 {
					names += ", "
				}
				names += m.Username
			}
			fmt.Fprintf(out, "  ring %d: %s — %d kudos to each other (%d%% of what they gave)\n", g.ID, names, g.KudosInside, g.SharePct())
		}
		return nil
	})
}
