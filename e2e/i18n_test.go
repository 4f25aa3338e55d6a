package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mutual/account"
	"mutual/app"
	"mutual/forum"
)

// TestLanguagesInChromium reads the demo community in each shipped language,
// as a visitor who picked it in the switch and as a client manager, and
// photographs the home, a thread, the ask page and the deflection report in
// each, at desktop and phone widths; then a brand that adds Arabic in its
// theme folder, right to left.
func TestLanguagesInChromium(t *testing.T) {
	exe := chromePath(t)
	themes := t.TempDir()
	msgs := filepath.Join(themes, "localhost", "messages")
	if err := os.MkdirAll(msgs, 0o755); err != nil {
		t.Fatal(err)
	}
	arabic := "[page]\nask_community = \"اسأل المجتمع\"\nlatest = \"آخر النشاطات\"\nboards = \"المنتديات\"\n"
	if err := os.WriteFile(filepath.Join(msgs, "ar.toml"), []byte(arabic), 0o644); err != nil {
		t.Fatal(err)
	}
	base, a := startApp(t, func(c *app.Config) { c.ThemesDir = themes })
	ctx := context.Background()
	brands := forum.NewBrands(a.DB(), time.Now)
	b, err := brands.Default(ctx)
	if err != nil {
		t.Fatal(err)
	}
	langs := []string{"en", "es", "pl", "ar"}
	if err := brands.SetLanguages(ctx, b.ID, "en", langs, func(string) bool { return true }); err != nil {
		t.Fatal(err)
	}
	members := account.NewMembers(a.DB(), time.Now)
	mgr, err := members.Create(ctx, account.Signup{BrandID: b.ID, Username: "lena_manager", Email: "lena@example.com", Password: "report-password-123"})
	if err != nil {
		t.Fatal(err)
	}
	if err := members.Grant(ctx, b.ID, mgr.ID, "client_manager"); err != nil {
		t.Fatal(err)
	}
	browser := newBrowser(t, exe)
	// What each language says on its pages, to prove the page is in it.
	says := map[string]string{"en": "Ask the community", "es": "Pregunta a la comunidad", "pl": "Zapytaj społeczność", "ar": "اسأل المجتمع"}
	for _, lang := range langs {
		v := freshVisitor(t, browser)
		open(t, v, base+"/language/"+lang+"?next=/")
		if p := here(t, v, base); p != "/" {
			t.Fatalf("%s: the switch led to %q", lang, p)
		}
		body := get(t, v, lang+": read the home page", chromedp.Text(chromedp.CSS("main")))
		if !strings.Contains(body, says[lang]) {
			t.Errorf("%s: the home page does not say %q", lang, says[lang])
		}
		htmlLang := get(t, v, lang+": read <html lang>", chromedp.AttributeValue(chromedp.CSS("html"), "lang"))
		dir := get(t, v, lang+": read <html dir>", chromedp.AttributeValue(chromedp.CSS("html"), "dir"))
		wantDir := "ltr"
		if lang == "ar" {
			wantDir = "rtl"
		}
		if htmlLang.Value != lang || dir.Value != wantDir {
			t.Errorf("%s: <html lang=%q dir=%q>, want %q %q", lang, htmlLang.Value, dir.Value, lang, wantDir)
		}
		shoot(t, v, "i18n-"+lang+"-home")
		if lang == "ar" {
			continue // the right-to-left layout is what this one shows
		}
		clickAndLoad(t, v, lang+": open a thread", `(//li[contains(@class,"thread-row")]//h3/a)[1]`)
		shoot(t, v, "i18n-"+lang+"-thread")

		open(t, v, base+"/login")
		do(t, v, lang+": sign in", chromedp.SendKeys(chromedp.ID("login"), "lena_manager"), chromedp.SendKeys(chromedp.ID("password"), "report-password-123"))
		clickAndLoad(t, v, lang+": submit sign-in", `//main//button[@type="submit"]`)
		open(t, v, base+"/ask")
		shoot(t, v, "i18n-"+lang+"-ask")
		open(t, v, base+"/reports/deflection")
		shoot(t, v, "i18n-"+lang+"-report")
	}

	// An administrator's pages speak the language too, down to a refused
	// form's messages.
	boss, err := members.Create(ctx, account.Signup{BrandID: b.ID, Username: "bea_admin", Email: "bea@example.com", Password: "admin-password-123"})
	if err != nil {
		t.Fatal(err)
	}
	if err := members.Grant(ctx, b.ID, boss.ID, "admin"); err != nil {
		t.Fatal(err)
	}
	refused := map[string]string{"es": "Indica el color principal en hexadecimal", "pl": "Podaj kolor główny szesnastkowo"}
	for _, lang := range []string{"es", "pl"} {
		v := freshVisitor(t, browser)
		open(t, v, base+"/language/"+lang+"?next=/login")
		do(t, v, lang+": admin signs in", chromedp.SendKeys(chromedp.ID("login"), "bea_admin"), chromedp.SendKeys(chromedp.ID("password"), "admin-password-123"))
		clickAndLoad(t, v, lang+": submit the admin's sign-in", `//main//button[@type="submit"]`)
		open(t, v, base+"/admin/brand")
		do(t, v, lang+": a colour that is not one", chromedp.SetValue(chromedp.ID("b-primary"), "red"))
		clickAndLoad(t, v, lang+": preview the colours", `//button[@value="preview"]`)
		if body := get(t, v, lang+": read the refusal", chromedp.Text(chromedp.CSS("main"))); !strings.Contains(body, refused[lang]) {
			t.Errorf("%s: the brand page does not refuse the colour in its language (%q):\n%s", lang, refused[lang], body)
		}
		shoot(t, v, "i18n-"+lang+"-admin-brand-refused")
		open(t, v, base+"/admin/privacy")
		shoot(t, v, "i18n-"+lang+"-admin-privacy")
		open(t, v, base+"/admin/sso")
		shoot(t, v, "i18n-"+lang+"-admin-sso")
	}
}
