package reputation

// KudosEdges is a window's kudos as DetectRings reads them, for tests that
// drive its search without a database.
type KudosEdges []kudosEdge

// MakeKudosEdges turns {giver, receiver, kudos} triples into KudosEdges;
// each pair must appear once.
func MakeKudosEdges(triples [][3]int64) KudosEdges {
	edges := make(KudosEdges, len(triples))
	for i, t := range triples {
		edges[i] = kudosEdge{from: t[0], to: t[1], n: t[2]}
	}
	return edges
}

// FoundRing is a ring FindRings flags.
type FoundRing struct {
	Members       []int64
	Inside, Given int64
}

// FindRings runs DetectRings' search over edges.
func FindRings(edges KudosEdges, r Rules) []FoundRing {
	var out []FoundRing
	for _, f := range findRings(edges, r) {
		out = append(out, FoundRing{Members: f.members, Inside: f.inside, Given: f.given})
	}
	return out
}
