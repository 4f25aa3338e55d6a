package reputationweb

import (
	"context"

	"mutual/forum"
	"mutual/reputation"
)

// Ranks returns the brand's ladder from the cached configuration, for lists
// that put a rank beside every author's name (threads, posts, search
// results, the review queue, the API).
func (h *Handlers) Ranks(ctx context.Context, brandID int64) (reputation.Ladder, error) {
	cfg, err := h.config(ctx, brandID)
	if err != nil {
		return nil, err
	}
	return reputation.Ladder(cfg.Ranks), nil
}

// RankThreads puts the brand's ranks on threads for a page.
func (h *Handlers) RankThreads(ctx context.Context, brandID int64, ts []forum.Thread) error {
	rk, err := h.Ranks(ctx, brandID)
	if err != nil {
		return err
	}
	for i := range ts {
		ts[i].AuthorRank = rk.Name(ts[i].AuthorReputation)
	}
	return nil
}

// RankName is the brand's rank name for a total (the default ladder's if
// the configuration cannot be read; the error is logged).
func (h *Handlers) RankName(ctx context.Context, brandID, rep int64) string {
	cfg, err := h.config(ctx, brandID)
	if err != nil {
		h.log.Error("reputation config", "brand", brandID, "err", err)
		return reputation.RankFor(rep).Name
	}
	return cfg.Rank(rep).Name
}

// LeaderRow is one line of a leaderboard or a board's top helpers, with the
// member's rank.
type LeaderRow struct {
	reputation.Leader
	Rank string
}

// leaderRows pairs each leader with their rank.
func leaderRows(l reputation.Ladder, ls []reputation.Leader) []LeaderRow {
	rows := make([]LeaderRow, 0, len(ls))
	for _, x := range ls {
		rows = append(rows, LeaderRow{x, l.Name(x.Reputation)})
	}
	return rows
}
