package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// TestContentLanguageAskInSpanishAndFilterTheBoard: a member whose browser
// prefers Spanish finds the Ask form's language already on Español, asks in
// Spanish, and the thread says so (with lang="es" on its text for screen
// readers). On the board, which now holds English and Spanish questions, the
// language filter (a plain form) narrows the list to Spanish and back to
// English, keeping the tab; search filters the same way. Then the asker
// changes the question's language from its edit page.
func TestContentLanguageAskInSpanishAndFilterTheBoard(t *testing.T) {
	exe := chromePath(t)
	base := startServer(t)
	ctx := newBrowser(t, exe)
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatalf("enable the network domain: %v", err)
	}
	if _, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
		Headers: network.Headers{"Accept-Language": "es-ES,es;q=0.9,en;q=0.5"}}); err != nil {
		t.Fatalf("prefer Spanish: %v", err)
	}
	signUp(t, ctx, base, "lucia")

	open(t, ctx, base+"/ask")
	if v := get(t, ctx, "read the language select", chromedp.Value(chromedp.ID("language"))); v != "es" {
		t.Fatalf("the language select starts on %q, want es (the browser prefers Spanish)", v)
	}
	const title = "Me han cobrado dos veces el plan este mes"
	pickBoard(t, ctx, "Billing and top-ups")
	do(t, ctx, "write the question in Spanish",
		chromedp.SendKeys(chromedp.ID("title"), title),
		chromedp.SendKeys(chromedp.ID("body"), "En la app del banco aparecen dos pagos del mismo plan, con un día de diferencia. ¿Tengo que llamar?"))
	shoot(t, ctx, "contentlang-ask")
	clickAndLoad(t, ctx, "post the question", button("Post question"))
	threadURL := here(t, ctx, base)

	label := get(t, ctx, "read the language label", chromedp.Text(chromedp.CSS(".thread-head .lang-label")))
	if strings.TrimSpace(label) != "in Español" {
		t.Errorf("language label = %q, want %q", label, "in Español")
	}
	langs := get(t, ctx, "read the lang attributes", chromedp.Evaluate[[]string](
		`[document.getElementById("thread-title").lang, document.querySelector(".post.question .body").lang]`))
	if len(langs) != 2 || langs[0] != "es" || langs[1] != "es" {
		t.Errorf("lang of the title and question = %v, want es and es", langs)
	}
	shoot(t, ctx, "contentlang-thread")

	// The board: both languages at first, then Spanish only, then English only.
	clickAndLoad(t, ctx, "open the board", `//nav[@class="crumbs"]`+link("Billing and top-ups"))
	titles := boardTitles(t, ctx)
	if !contains(titles, title) || !contains(titles, "Charged twice for my monthly plan this month") {
		t.Fatalf("board lists %v, want the Spanish and the English question", titles)
	}
	do(t, ctx, "choose Español", chromedp.SetValue(chromedp.ID("f-lang"), "es"))
	clickAndLoad(t, ctx, "filter the board", `//form[contains(@class,"lang-filter")]`+button("Show"))
	if p := here(t, ctx, base); !strings.HasSuffix(p, "?lang=es") {
		t.Errorf("filtering led to %q, want ?lang=es", p)
	}
	if titles = boardTitles(t, ctx); len(titles) != 1 || titles[0] != title {
		t.Errorf("Spanish board lists %v, want only %q", titles, title)
	}
	shoot(t, ctx, "contentlang-board")

	clickAndLoad(t, ctx, "open Unanswered", `//nav[@class="tabs"]`+link("Unanswered"))
	if p := here(t, ctx, base); !strings.Contains(p, "filter=unanswered") || !strings.Contains(p, "lang=es") {
		t.Errorf("the Unanswered tab led to %q, want it to keep lang=es", p)
	}
	do(t, ctx, "choose English", chromedp.SetValue(chromedp.ID("f-lang"), "en"))
	clickAndLoad(t, ctx, "filter the board", `//form[contains(@class,"lang-filter")]`+button("Show"))
	if titles = boardTitles(t, ctx); contains(titles, title) {
		t.Errorf("English unanswered board lists the Spanish question: %v", titles)
	}

	// Search: the same filter beside the others.
	open(t, ctx, base+"/search?q=plan")
	do(t, ctx, "choose Español", chromedp.SetValue(chromedp.ID("f-lang"), "es"))
	clickAndLoad(t, ctx, "search in Spanish", `//form[@role="search"]`+button("Search"))
	found := get(t, ctx, "read the results", chromedp.Evaluate[[]string](
		`[...document.querySelectorAll(".result .thread-title")].map(a => a.textContent.trim())`))
	if len(found) != 1 || found[0] != title {
		t.Errorf("Spanish search found %v, want only %q", found, title)
	}
	shoot(t, ctx, "contentlang-search")

	// The asker puts the label right from the question's edit page.
	open(t, ctx, base+threadURL)
	clickAndLoad(t, ctx, "edit the question", `//section[contains(@class,"question")]`+link("Edit"))
	do(t, ctx, "choose Català", chromedp.SetValue(chromedp.ID("language"), "ca"))
	shoot(t, ctx, "contentlang-edit")
	clickAndLoad(t, ctx, "change the language", button("Change language"))
	if label = get(t, ctx, "read the language label", chromedp.Text(chromedp.CSS(".thread-head .lang-label"))); strings.TrimSpace(label) != "in Català" {
		t.Errorf("after the change the label reads %q, want %q", label, "in Català")
	}
}

func boardTitles(t *testing.T, ctx context.Context) []string {
	t.Helper()
	return get(t, ctx, "read the board's questions", chromedp.Evaluate[[]string](
		`[...document.querySelectorAll(".threads .thread-row h3 a")].map(a => a.textContent.trim())`))
}
