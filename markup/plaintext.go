package markup

import (
	"hash/maphash"
	"strings"
	"sync"

	"golang.org/x/net/html"
)

// PlainText returns the text of sanitised post HTML, with block elements
// separated by spaces, for snippets, feeds and structured data.
//
// Every thread page puts the text of each post in its structured data, so
// the results for recent bodies are remembered: tokenising thirty bodies
// per page view was a fifth of the page's allocations.
func PlainText(src string) string {
	key := maphash.String(plainSeed, src)
	plainMu.Lock()
	out, ok := plainMemo[key]
	if !ok {
		if out, ok = plainOld[key]; ok {
			remember(key, out)
		}
	}
	plainMu.Unlock()
	if ok {
		return out
	}
	out = plainText(src)
	plainMu.Lock()
	remember(key, out)
	plainMu.Unlock()
	return out
}

// remember keeps out in the memo's newer generation; plainMu is held. Two
// generations: the bodies read since the last turn stay, so a stream of
// new posts (each scored and searched once) does not push the thread
// pages' bodies out with it.
func remember(key uint64, out string) {
	if len(plainMemo) >= plainMemoSize {
		plainOld, plainMemo = plainMemo, make(map[uint64]string, plainMemoSize)
	}
	plainMemo[key] = out
}

// plainMemoSize bounds each generation of the memo: a few thousand bodies,
// a few megabytes.
const plainMemoSize = 4096

var (
	plainSeed = maphash.MakeSeed()
	plainMu   sync.Mutex
	plainMemo = make(map[uint64]string, plainMemoSize)
	plainOld  map[uint64]string
)

func plainText(src string) string {
	z := html.NewTokenizer(strings.NewReader(src))
	var b strings.Builder
	for {
		switch z.Next() {
		case html.ErrorToken:
			return strings.Join(strings.Fields(b.String()), " ")
		case html.TextToken:
			b.Write(z.Text())
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			b.WriteByte(' ')
		}
	}
}
