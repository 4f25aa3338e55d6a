package reputation

import (
	"cmp"
	"slices"
)

// ringMinEachWay is the fewest kudos each of two accounts must have given
// the other in the window for the pair to be tied: a thank-you returned once
// joins nobody to anybody.
const ringMinEachWay = 2

// kudosEdge is what one account gave another over the window.
type kudosEdge struct {
	from, to    int64 // user ids
	n           int64 // kudos
	first, last int64 // unix milliseconds
}

// foundRing is a group findRings flags, with its figures over the window.
type foundRing struct {
	members         []int64 // user ids, ascending
	inside, given   int64   // kudos the members gave each other; all they gave
	firstAt, lastAt int64   // the first and last kudos inside, unix milliseconds
}

// findRings finds the kudos rings in a window's kudos (one edge per giver
// and receiver). A ring is a group of 2..RingMaxSize accounts such that
//
//   - it is connected by ties: pairs who each gave the other at least
//     ringMinEachWay kudos;
//   - every member gave at least RingSharePct of all their kudos to other
//     members they are tied to;
//   - it is closed: nobody outside it gave RingSharePct of their kudos to
//     members they are tied to (that would make the group part of a wider
//     circle, which is flagged only if it is found whole);
//   - its members gave each other at least RingMinKudos kudos.
//
// The work is linear in the edges, apart from sorting the account ids and
// the ties that survive step 2, and a binary search per edge given twice:
//
//  1. ties from the edges;
//  2. peel: drop every account whose tied kudos to accounts still in fall
//     below the share, until none does (the result does not depend on the
//     order; an honest member, who gives to many, goes here);
//  3. cluster what is left: join ties strongest first (the smaller of the two
//     givers' shares of their kudos), never past RingMaxSize; a cluster that
//     could not take a join is sealed and takes no other (single linkage
//     cut at RingMaxSize), so a ring tied loosely to a wider circle stays
//     apart from it;
//  4. in each cluster, peel again within it, split what is left into
//     connected groups, and keep the closed ones that meet the rules.
//
// The result is ordered by the first member's id.
//
// It stays long: steps 2 to 4 above, marked by number, share the finder's
// arrays and stamps in a hot loop.
func findRings(edges []kudosEdge, r Rules) []foundRing {
	f := newRingFinder(newKudosGraph(edges), r)
	n := int32(len(f.ids))

	// 2. Peel the whole graph.
	for v := range n {
		for s := f.toff[v]; s < f.toff[v+1]; s++ {
			f.inside[v] += f.tgave[s]
		}
		f.keep(v)
	}
	f.peel(func(int32) bool { return true })

	// 3. Cluster the survivors, strongest ties first, never past RingMaxSize.
	parent, size, sealed := make([]int32, n), make([]int32, n), make([]bool, n)
	for v := range parent {
		parent[v], size[v] = int32(v), 1
	}
	find := func(v int32) int32 {
		root := v
		for parent[root] != root {
			root = parent[root]
		}
		for parent[v] != root {
			parent[v], v = root, parent[v]
		}
		return root
	}
	for _, t := range f.ties() {
		a, b := find(t.a), find(t.b)
		switch {
		case a == b:
		case sealed[a] || sealed[b] || int64(size[a]+size[b]) > r.RingMaxSize:
			sealed[a], sealed[b] = true, true
		default:
			if size[a] < size[b] {
				a, b = b, a
			}
			parent[b], size[a] = a, size[a]+size[b]
		}
	}
	clusters := map[int32][]int32{}
	var roots []int32
	for v := range n {
		if !f.alive[v] {
			continue
		}
		root := find(v)
		if clusters[root] == nil {
			roots = append(roots, root)
		}
		clusters[root] = append(clusters[root], v)
	}

	// 4. Within each cluster: peel again, split into connected groups, check each.
	var rings []foundRing
	for _, root := range roots {
		members := clusters[root]
		if len(members) < 2 {
			continue
		}
		cluster := f.stamp()
		for _, v := range members {
			f.mark[v] = cluster
		}
		in := func(u int32) bool { return f.mark[u] == cluster }
		for _, v := range members {
			f.inside[v] = 0
			for s := f.toff[v]; s < f.toff[v+1]; s++ {
				if in(f.tnbr[s]) {
					f.inside[v] += f.tgave[s]
				}
			}
			f.keep(v)
		}
		f.peel(in)
		for _, v := range members {
			if !f.alive[v] || f.mark[v] != cluster {
				continue
			}
			group, stamp := []int32{v}, f.stamp()
			f.mark[v] = stamp
			for i := 0; i < len(group); i++ {
				for s := f.toff[group[i]]; s < f.toff[group[i]+1]; s++ {
					if u := f.tnbr[s]; f.alive[u] && f.mark[u] == cluster {
						f.mark[u] = stamp
						group = append(group, u)
					}
				}
			}
			if ring, ok := f.ring(group, stamp); ok {
				rings = append(rings, ring)
			}
		}
	}
	slices.SortFunc(rings, func(x, y foundRing) int { return cmp.Compare(x.members[0], y.members[0]) })
	return rings
}

// ringFinder holds findRings' working state over one graph.
type ringFinder struct {
	*kudosGraph
	r      Rules
	inside []int64 // kudos an account gave over ties to accounts in its set
	alive  []bool  // not peeled yet
	queue  []int32 // peeled, its ties not yet taken off the others' inside
	mark   []int32 // the stamp of the cluster or group an account was last put in
	into   []int64 // what an outsider gave a group over ties (zero between uses)
	stamps int32
}

func newRingFinder(g *kudosGraph, r Rules) *ringFinder {
	n := len(g.ids)
	return &ringFinder{kudosGraph: g, r: r, inside: make([]int64, n), alive: make([]bool, n),
		mark: make([]int32, n), into: make([]int64, n)}
}

func (f *ringFinder) stamp() int32 { f.stamps++; return f.stamps }

// share reports whether part of all an account gave is its share for a ring.
func (f *ringFinder) share(part, all int64) bool {
	return part > 0 && part*100 >= f.r.RingSharePct*all
}

// keep sets whether v stays in, queueing it to be peeled when it does not.
func (f *ringFinder) keep(v int32) {
	if f.alive[v] = f.share(f.inside[v], f.given[v]); !f.alive[v] {
		f.queue = append(f.queue, v)
	}
}

// peel takes the queued accounts' ties off their neighbours in the set
// (in reports who is), dropping those that fall below the share, until none
// does.
func (f *ringFinder) peel(in func(int32) bool) {
	for len(f.queue) > 0 {
		v := f.queue[len(f.queue)-1]
		f.queue = f.queue[:len(f.queue)-1]
		for s := f.toff[v]; s < f.toff[v+1]; s++ {
			if u := f.tnbr[s]; f.alive[u] && in(u) {
				f.inside[u] -= f.tgot[s]
				f.keep(u)
			}
		}
	}
}

// tie joins two accounts still in, with its strength for clustering.
type tie struct {
	a, b     int32
	num, den int64 // the weaker side's share of what it gave: num of den kudos
	least    int64 // the fewer kudos either gave the other
}

// ties lists the ties between accounts still in, strongest first; equal
// ties in account order, so the clustering is the same on every run.
func (f *ringFinder) ties() []tie {
	var ties []tie
	for a := range int32(len(f.ids)) {
		if !f.alive[a] {
			continue
		}
		for s := f.toff[a]; s < f.toff[a+1]; s++ {
			b := f.tnbr[s]
			if a >= b || !f.alive[b] {
				continue
			}
			t := tie{a: a, b: b, num: f.tgave[s], den: f.given[a], least: min(f.tgave[s], f.tgot[s])}
			if f.tgot[s]*t.den < t.num*f.given[b] {
				t.num, t.den = f.tgot[s], f.given[b]
			}
			ties = append(ties, t)
		}
	}
	slices.SortFunc(ties, func(x, y tie) int {
		if c := cmp.Compare(y.num*x.den, x.num*y.den); c != 0 {
			return c
		}
		if c := cmp.Compare(y.least, x.least); c != 0 {
			return c
		}
		if c := cmp.Compare(x.a, y.a); c != 0 {
			return c
		}
		return cmp.Compare(x.b, y.b)
	})
	return ties
}

// ring checks a connected group (marked with stamp) whose members all give
// their share to it for closure and the minimum kudos, and returns it with
// its figures over every kudos among its members, tied or not.
func (f *ringFinder) ring(group []int32, stamp int32) (foundRing, bool) {
	if len(group) < 2 || int64(len(group)) > f.r.RingMaxSize {
		return foundRing{}, false
	}
	var outsiders []int32
	for _, v := range group {
		for s := f.toff[v]; s < f.toff[v+1]; s++ {
			if u := f.tnbr[s]; f.mark[u] != stamp {
				if f.into[u] == 0 {
					outsiders = append(outsiders, u)
				}
				f.into[u] += f.tgot[s]
			}
		}
	}
	closed := true
	for _, u := range outsiders {
		if f.share(f.into[u], f.given[u]) {
			closed = false
		}
		f.into[u] = 0
	}
	if !closed {
		return foundRing{}, false
	}
	slices.Sort(group)
	ring := foundRing{members: make([]int64, len(group)), firstAt: 1<<63 - 1}
	for i, v := range group {
		ring.members[i] = f.ids[v]
		ring.given += f.given[v]
		for k := f.off[v]; k < f.off[v+1]; k++ {
			if f.mark[f.out[k]] == stamp {
				e := f.edges[f.edge[k]]
				ring.inside += e.n
				ring.firstAt, ring.lastAt = min(ring.firstAt, e.first), max(ring.lastAt, e.last)
			}
		}
	}
	return ring, ring.inside >= f.r.RingMinKudos && ring.inside*100 >= f.r.RingSharePct*ring.given
}

// kudosGraph is a window's kudos between accounts, indexed for findRings.
// Accounts are numbered 0..n-1 in the order of their user ids.
type kudosGraph struct {
	edges []kudosEdge
	ids   []int64 // user id of each account
	given []int64 // all kudos each account gave
	// The edges an account v gave: receivers out[off[v]:off[v+1]], ascending,
	// and edge[...] the index of each in edges.
	off, out, edge []int32
	// The ties of an account v: the other accounts tnbr[toff[v]:toff[v+1]],
	// tgave what v gave each, tgot what each gave v.
	toff, tnbr  []int32
	tgave, tgot []int64
}

func newKudosGraph(edges []kudosEdge) *kudosGraph {
	index := make(map[int64]int32)
	for _, e := range edges {
		index[e.from], index[e.to] = 0, 0
	}
	g := &kudosGraph{edges: edges, ids: make([]int64, 0, len(index))}
	for id := range index {
		g.ids = append(g.ids, id)
	}
	slices.Sort(g.ids)
	for i, id := range g.ids {
		index[id] = int32(i)
	}
	n := int32(len(g.ids))
	g.given = make([]int64, n)
	from, to := make([]int32, len(edges)), make([]int32, len(edges))
	all := make([]int32, len(edges))
	for i, e := range edges {
		from[i], to[i], all[i] = index[e.from], index[e.to], int32(i)
		g.given[from[i]] += e.n
	}
	// By receiver, then stably by giver: each giver's edges by receiver, in linear time.
	byTo, _ := countingSort(all, to, n)
	g.edge, g.off = countingSort(byTo, from, n)
	g.out = make([]int32, len(edges))
	for k, i := range g.edge {
		g.out[k] = to[i]
	}

	// Ties: both directions at least ringMinEachWay.
	type pair struct {
		a, b   int32
		ab, ba int64
	}
	var pairs []pair
	deg := make([]int32, n+1)
	for a := range n {
		for k := g.off[a]; k < g.off[a+1]; k++ {
			b, ab := g.out[k], g.edges[g.edge[k]].n
			if a >= b || ab < ringMinEachWay {
				continue
			}
			if j := g.find(b, a); j >= 0 && g.edges[g.edge[j]].n >= ringMinEachWay {
				pairs = append(pairs, pair{a, b, ab, g.edges[g.edge[j]].n})
				deg[a+1]++
				deg[b+1]++
			}
		}
	}
	for v := range n {
		deg[v+1] += deg[v]
	}
	g.toff = deg
	g.tnbr = make([]int32, 2*len(pairs))
	g.tgave, g.tgot = make([]int64, 2*len(pairs)), make([]int64, 2*len(pairs))
	next := slices.Clone(g.toff[:n])
	for _, p := range pairs {
		i, j := next[p.a], next[p.b]
		g.tnbr[i], g.tgave[i], g.tgot[i] = p.b, p.ab, p.ba
		g.tnbr[j], g.tgave[j], g.tgot[j] = p.a, p.ba, p.ab
		next[p.a]++
		next[p.b]++
	}
	return g
}

// find returns the position in out of the edge from a to b, or -1.
func (g *kudosGraph) find(a, b int32) int32 {
	lo, hi := g.off[a], g.off[a+1]
	if k, ok := slices.BinarySearch(g.out[lo:hi], b); ok {
		return lo + int32(k)
	}
	return -1
}

// countingSort orders items stably by key[item] (keys in 0..n-1) and
// returns them with off, where items with key v sit at off[v]:off[v+1].
func countingSort(items, key []int32, n int32) (sorted, off []int32) {
	off = make([]int32, n+1)
	for _, i := range items {
		off[key[i]+1]++
	}
	for v := range n {
		off[v+1] += off[v]
	}
	next := slices.Clone(off[:n])
	sorted = make([]int32, len(items))
	for _, i := range items {
		sorted[next[key[i]]] = i
		next[key[i]]++
	}
	return sorted, off
}
