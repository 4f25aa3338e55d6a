package e2e

import (
	"context"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"mutual/app"
)

// Budgets. Every browser context inherits testBudget, so a hang fails the
// test instead of blocking the run; stepBudget bounds each single step.
const (
	testBudget = 50 * time.Second
	stepBudget = 10 * time.Second
)

// startServer runs the real server in-process on a loopback port with a fresh
// data directory and the demo community, and returns its base URL. Cleanup
// cancels the server's context and waits for the graceful shutdown.
func startServer(t *testing.T) string {
	t.Helper()
	base, _ := startApp(t, nil)
	return base
}

// startApp is startServer with the configuration in the journey's hands
// (edit may set a clock, turn jobs off...), handing back the App so a
// journey can check or prepare what is in the database.
func startApp(t *testing.T, edit func(*app.Config)) (string, *app.App) {
	t.Helper()
	cfg := app.DefaultConfig()
	cfg.DataDir = t.TempDir()
	cfg.Addr = "127.0.0.1:0"
	cfg.PostInterval = 0 // the journeys post faster than a person would
	cfg.NoDemo = false
	if edit != nil {
		edit(&cfg)
	}
	// Warnings and errors reach the test log; request lines would drown it.
	logger := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))

	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, cfg, logger)
	if err != nil {
		cancel()
		t.Fatalf("app.New: %v", err)
	}
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, func(addr string) { ready <- addr }) }()

	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		cancel()
		a.Close()
		t.Fatalf("server stopped before it was ready: %v", err)
	case <-time.After(stepBudget):
		cancel()
		t.Fatal("server not ready in time")
	}
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("graceful shutdown: %v", err)
			}
		case <-time.After(25 * time.Second):
			t.Error("server did not shut down within 25 s")
		}
		if err := a.Close(); err != nil {
			t.Errorf("close database: %v", err)
		}
	})
	return "http://" + addr, a
}

// chromePath finds Chromium: $CHROME_PATH, /usr/bin/chromium, or chromium on
// PATH. Without one the test fails under CI and is skipped elsewhere.
func chromePath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROME_PATH"); p != "" {
		if _, err := os.Stat(p); err == nil {
			return p
		}
		missingChrome(t, "CHROME_PATH="+p+" does not exist")
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	missingChrome(t, "no Chromium found (set CHROME_PATH, or install it: apt-get install -y chromium)")
	return ""
}

func missingChrome(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatal("e2e: " + why + "; CI is set, so the browser journeys must run")
	}
	t.Skip("e2e: " + why)
}

// newBrowser starts the headless Chromium at execPath (see chromePath) with a
// fresh profile and returns the context of its first tab. Everything under it
// ends with testBudget.
func newBrowser(t *testing.T, execPath string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(execPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(filepath.Join(t.TempDir(), "profile")),
		chromedp.WindowSize(1280, 900),
	)
	budget, cancelBudget := context.WithTimeout(context.Background(), testBudget)
	alloc, cancelAlloc := chromedp.NewExecAllocator(budget, opts...)
	tab, cancelTab := chromedp.NewContext(alloc)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
		cancelBudget()
	})
	// The first run starts the browser; it must use the tab's own context, not
	// a shorter-lived child, or the browser would die with that child.
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("start Chromium %s: %v", execPath, err)
	}
	return tab
}

// freshVisitor opens a tab in a new browser context of the same browser: no
// cookies or storage shared with any other visitor.
func freshVisitor(t *testing.T, browser context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a fresh browser context: %v", err)
	}
	return ctx
}

// do runs steps in ctx within stepBudget and fails the test with what was
// being done.
func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepBudget)
	defer cancel()
	if err := chromedp.Do(sctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// get runs one action that returns a value, within stepBudget.
func get[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepBudget)
	defer cancel()
	v, err := chromedp.Run(sctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// clickAndLoad clicks what sel finds and waits for the page that follows
// (a link or a form submission) to finish loading.
func clickAndLoad(t *testing.T, ctx context.Context, what, sel string) {
	t.Helper()
	get(t, ctx, what, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(sel)))
}

// open navigates to url and waits for the load.
func open(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	do(t, ctx, "open "+url, chromedp.Navigate(url))
}

// here is the current location without scheme and host.
func here(t *testing.T, ctx context.Context, base string) string {
	t.Helper()
	loc := get(t, ctx, "read location", chromedp.Location())
	return strings.TrimPrefix(loc, base)
}

// button is an XPath for a submit button with exactly this visible label.
func button(label string) string {
	return `//button[normalize-space(.)="` + label + `"]`
}

// link is an XPath for a link with exactly this visible text.
func link(text string) string {
	return `//a[normalize-space(.)="` + text + `"]`
}

// signUp follows the header's "Join" link and creates an account through the
// form, then checks the header greets the new member.
func signUp(t *testing.T, ctx context.Context, base, username string) {
	t.Helper()
	open(t, ctx, base+"/")
	clickAndLoad(t, ctx, "click Join", `//header`+link("Join"))
	if p := here(t, ctx, base); p != "/signup" {
		t.Fatalf("Join led to %q, want /signup", p)
	}
	do(t, ctx, "fill the sign-up form",
		chromedp.SendKeys(chromedp.ID("username"), username),
		chromedp.SendKeys(chromedp.ID("email"), username+"@example.test"),
		chromedp.SendKeys(chromedp.ID("password"), password(username)),
	)
	clickAndLoad(t, ctx, "submit sign-up", button("Create account"))
	expectSignedIn(t, ctx, username)
}

// signIn uses the header's "Sign in" link and the login form.
func signIn(t *testing.T, ctx context.Context, base, username string) {
	t.Helper()
	clickAndLoad(t, ctx, "click Sign in", `//header`+link("Sign in"))
	if p := here(t, ctx, base); !strings.HasPrefix(p, "/login") {
		t.Fatalf("Sign in led to %q, want /login", p)
	}
	do(t, ctx, "fill the sign-in form",
		chromedp.SendKeys(chromedp.ID("login"), username),
		chromedp.SendKeys(chromedp.ID("password"), password(username)),
	)
	clickAndLoad(t, ctx, "submit sign-in", `//main`+button("Sign in"))
	expectSignedIn(t, ctx, username)
}

// signOut presses "Sign out" in the header's account menu and checks the
// header offers "Sign in" again.
func signOut(t *testing.T, ctx context.Context) {
	t.Helper()
	do(t, ctx, "open the account menu", chromedp.Click(`header details.account-menu > summary`))
	clickAndLoad(t, ctx, "click Sign out", `//header`+button("Sign out"))
	do(t, ctx, "wait for the signed-out header", chromedp.WaitVisible(`//header`+link("Sign in")))
	n := get(t, ctx, "look for a member name in the header",
		chromedp.Nodes(chromedp.CSSAll("header a.me"), chromedp.AtLeast(0)))
	if len(n) != 0 {
		t.Fatal("the header still shows a member after signing out")
	}
}

func expectSignedIn(t *testing.T, ctx context.Context, username string) {
	t.Helper()
	got := get(t, ctx, "read the member name in the header's account menu", chromedp.TextContent(chromedp.CSS("header a.me")))
	if strings.TrimSpace(got) != username {
		t.Fatalf("header shows %q, want %q", got, username)
	}
}

func password(username string) string { return "pw-" + username + "-long-enough" }

// pickBoard chooses the board option with this visible name in the ask form.
func pickBoard(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	v := get(t, ctx, "find board "+name, chromedp.AttributeValue(
		`//select[@id="board"]/option[normalize-space(.)="`+name+`"]`, "value"))
	if !v.Exists || v.Value == "" {
		t.Fatalf("board %q has no option value", name)
	}
	do(t, ctx, "choose board "+name, chromedp.SetValue(chromedp.ID("board"), v.Value))
}

// screenshot saves a full-page PNG under e2e/artifacts.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png := get(t, ctx, "screenshot "+name, chromedp.FullScreenshot(100))
	if err := os.MkdirAll("artifacts", 0o755); err != nil {
		t.Fatal(err)
	}
	p, err := filepath.Abs(filepath.Join("artifacts", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes)", p, len(png))
}

// Widths the suite photographs every page it checks at: a common laptop and
// a common phone.
const (
	desktopWidth = 1366
	phoneWidth   = 390
)

// shoot saves name-desktop.png and name-phone.png under e2e/artifacts: the
// page as it lays out 1366 px and 390 px wide, then puts the window back.
func shoot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	for _, v := range []struct {
		suffix string
		width  int64
		height int64
		mobile bool
	}{{"desktop", desktopWidth, 900, false}, {"phone", phoneWidth, 844, true}} {
		emulate := chromedp.EmulateViewport(v.width, v.height)
		if v.mobile {
			emulate = chromedp.EmulateViewport(v.width, v.height, chromedp.EmulateMobile)
		}
		do(t, ctx, "lay out "+name+" at "+v.suffix+" width", emulate)
		screenshot(t, ctx, name+"-"+v.suffix+".png")
	}
	do(t, ctx, "restore the window", chromedp.EmulateReset())
}
