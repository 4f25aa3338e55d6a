package radar

import (
	"encoding/binary"
	"hash/fnv"
	"math"
)

// A thread's MinHash signature estimates how much its features overlap
// another's (Jaccard similarity) from sigSize small numbers; locality
// sensitive hashing then cuts it into bands of bandRows: two threads whose
// signatures agree on any whole band become candidates, so near-duplicates
// are found with one indexed lookup instead of a comparison with every
// thread. With 16 bands of 2 rows, a pair at similarity s is a candidate with
// probability 1-(1-s²)^16: 0.49 at s=0.2, 0.80 at 0.3, 0.98 at 0.5.
const (
	sigSize  = 32
	bandRows = 2
	bands    = sigSize / bandRows
	// joinAt is the estimated similarity to a group's first thread at which
	// a thread joins the group. Comparing with the first thread, not with
	// whichever member shares a band, keeps groups from chaining into one.
	joinAt = 0.3
)

// Signature is a thread's MinHash signature.
type Signature [sigSize]uint32

// The hash family: h_i(x) = (a_i*x + b_i) >> 32 on 64 bits, with a_i odd.
// Fixed constants, so every instance and every restart signs alike.
var mulA, addB [sigSize]uint64

func init() {
	x := uint64(0x9e3779b97f4a7c15)
	next := func() uint64 { // splitmix64
		x += 0x9e3779b97f4a7c15
		z := x
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
		z = (z ^ (z >> 27)) * 0x94d049bb133111eb
		return z ^ (z >> 31)
	}
	for i := range sigSize {
		mulA[i], addB[i] = next()|1, next()
	}
}

func hash64(s string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(s))
	v := h.Sum64()
	// FNV's low bits mix poorly; one round of a finaliser spreads them.
	v ^= v >> 33
	v *= 0xff51afd7ed558ccd
	return v ^ v>>33
}

// sign computes the signature of a set of features. An empty set gets the
// all-max signature, which matches nothing by bands (see bandKeys).
func sign(feats []string) Signature {
	var s Signature
	for i := range s {
		s[i] = math.MaxUint32
	}
	for _, f := range feats {
		x := hash64(f)
		for i := range s {
			if v := uint32((mulA[i]*x + addB[i]) >> 32); v < s[i] {
				s[i] = v
			}
		}
	}
	return s
}

// similarity estimates the Jaccard similarity of the two feature sets.
func similarity(a, b Signature) float64 {
	same := 0
	for i := range a {
		if a[i] == b[i] {
			same++
		}
	}
	return float64(same) / sigSize
}

// bandKeys are the signature's LSH bucket keys, one per band, each folding
// the band's number in so that equal values in different bands differ.
// A signature of an empty text has none.
func bandKeys(s Signature) []int64 {
	if s[0] == math.MaxUint32 && s[1] == math.MaxUint32 {
		return nil
	}
	keys := make([]int64, 0, bands)
	var buf [4 + 4*bandRows]byte
	for b := range bands {
		binary.LittleEndian.PutUint32(buf[:4], uint32(b))
		for r := range bandRows {
			binary.LittleEndian.PutUint32(buf[4+4*r:], s[b*bandRows+r])
		}
		h := fnv.New64a()
		_, _ = h.Write(buf[:])
		keys = append(keys, int64(h.Sum64()>>1)) // non-negative, for any SQL integer
	}
	return keys
}

func (s Signature) bytes() []byte {
	out := make([]byte, 4*sigSize)
	for i, v := range s {
		binary.LittleEndian.PutUint32(out[4*i:], v)
	}
	return out
}

func signatureFrom(b []byte) Signature {
	var s Signature
	for i := range s {
		if 4*i+4 <= len(b) {
			s[i] = binary.LittleEndian.Uint32(b[4*i:])
		}
	}
	return s
}

// candidate is a group reached through a shared band, with the signature of
// its first thread.
type candidate struct {
	group int64
	sig   Signature
}

// choose picks the group the signature is most similar to, if any reaches
// joinAt.
func choose(sig Signature, cands []candidate) (int64, bool) {
	best, bestSim := int64(0), joinAt-1e-9
	for _, c := range cands {
		if sim := similarity(sig, c.sig); sim > bestSim || sim == bestSim && c.group < best {
			best, bestSim = c.group, sim
		}
	}
	return best, best != 0
}
