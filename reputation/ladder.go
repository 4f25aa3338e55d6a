package reputation

// Ladder is a brand's rank ladder, lowest first (Config.Ranks). Lists that
// name authors put a rank beside every name with it: their rows carry the
// author's reputation, so there is no query per row.
type Ladder []Rank

// Name is the rank's name for a reputation total.
func (l Ladder) Name(rep int64) string { return RankIn(l, rep).Name }
