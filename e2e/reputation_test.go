package e2e

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mutual/app"
)

// repClock is the server's clock in the reputation journey: new accounts
// give kudos once they are an hour old, and the test moves time instead of
// waiting for it.
type repClock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *repClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().UTC().Add(c.off)
}

func (c *repClock) Add(d time.Duration) {
	c.mu.Lock()
	c.off += d
	c.mu.Unlock()
}

// repStartServer is startServer with the server's clock in the test's hands.
func repStartServer(t *testing.T, clock *repClock) string {
	t.Helper()
	base, _ := startApp(t, func(cfg *app.Config) { cfg.Now = clock.Now })
	return base
}

// repTarget is the first post on the page the member may give kudos to.
type repTarget struct {
	Post   string `json:"post"`
	Author string `json:"author"`
	Rank   string `json:"rank"`
	Label  string `json:"label"`
}

const repTargetJS = `(() => {
  for (const b of document.querySelectorAll('button.btn-kudos')) {
    const post = b.closest('section.post');
    if (!post || b.getAttribute('aria-pressed') !== 'false') continue;
    return {post: post.id, author: post.querySelector('.post-meta a.author').textContent.trim(),
      rank: (post.querySelector('.post-meta .rep-rank') || {textContent: ''}).textContent.trim(),
      label: b.textContent.trim()};
  }
  return {post: '', author: '', rank: '', label: ''};
})()`

// TestJourneyKudosRankAndLedger: a new member is told why they cannot give
// kudos yet, takes part, and an hour later gives kudos; the count goes up,
// the author's rank shows beside their name, and the author's profile shows
// the ledger line.
func TestJourneyKudosRankAndLedger(t *testing.T) {
	exec := chromePath(t)
	clock := &repClock{}
	base := repStartServer(t, clock)
	ctx := newBrowser(t, exec)

	signUp(t, ctx, base, "kudosfan")
	open(t, ctx, base+"/")
	clickAndLoad(t, ctx, "open the latest thread", `(//ul[@class="threads"]//h3/a)[1]`)
	note := get(t, ctx, "read the kudos note", chromedp.Text(chromedp.CSS(".rep-note")))
	if !strings.Contains(note, "New accounts can give kudos once they are 1 hour old") {
		t.Fatalf("a brand-new member sees %q, want the reason they cannot give kudos yet", note)
	}
	reply(t, ctx, base, "Thanks, this thread helped me too.")

	clock.Add(2 * time.Hour)
	do(t, ctx, "reload the thread", chromedp.Reload())
	target := get(t, ctx, "find a post to thank", chromedp.Evaluate[repTarget](repTargetJS))
	if target.Post == "" || target.Author == "kudosfan" {
		t.Fatalf("no post to give kudos to: %+v", target)
	}
	if target.Rank == "" {
		t.Errorf("no rank beside %s's name", target.Author)
	}
	before := strings.TrimSpace(strings.TrimPrefix(target.Label, "Give kudos ·"))
	clickAndLoad(t, ctx, "give kudos", `//section[@id="`+target.Post+`"]//button[contains(@class,"btn-kudos")]`)
	after := get(t, ctx, "read the kudos button", chromedp.Text(chromedp.CSS(`#`+target.Post+` button.btn-kudos`)))
	if want := "Kudos given · " + itoaStr(atoiStr(before)+1); strings.TrimSpace(after) != want {
		t.Errorf("after giving kudos the button says %q, want %q", after, want)
	}
	rank := get(t, ctx, "read the author's rank", chromedp.Text(chromedp.CSS(`#`+target.Post+` .post-meta .rep-rank`)))
	if strings.TrimSpace(rank) == "" {
		t.Error("the author's rank is not shown beside their name")
	}

	clickAndLoad(t, ctx, "open the author's profile", `//section[@id="`+target.Post+`"]//a[@class="author"]`)
	ledger := get(t, ctx, "read the ledger", chromedp.Text(chromedp.CSS(".rep-ledger")))
	if !strings.Contains(ledger, "+10") || !strings.Contains(ledger, "Kudos from kudosfan") {
		t.Errorf("the author's ledger does not show the kudos:\n%s", ledger)
	}
	total := get(t, ctx, "read the reputation", chromedp.Text(chromedp.CSS(".rep-total")))
	if !strings.Contains(total, strings.TrimSpace(rank)) {
		t.Errorf("profile says %q, want the rank %q", total, rank)
	}
}

func atoiStr(s string) int {
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			return -1
		}
		n = n*10 + int(r-'0')
	}
	return n
}

func itoaStr(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
