package stackexchange_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"mutual/app"
	"mutual/cli"
	"mutual/forum/stackexchange"
)

// runImport runs `mutual import stackexchange` as main finds it.
func runImport(ctx context.Context, args []string, out io.Writer) error {
	for _, c := range cli.Commands() {
		if c.Name == "import stackexchange" {
			return c.Run(ctx, args, out)
		}
	}
	panic("no import stackexchange command")
}

// The command end to end: flags, the real wiring, the summary, and the
// imported thread served as a page.
func TestCmdImport(t *testing.T) {
	ctx := context.Background()
	data := filepath.Join(t.TempDir(), "data")
	dump := stackexchange.WriteTinyDump(t)

	var out bytes.Buffer
	if err := runImport(ctx, []string{dump, "--data", data, "--boards", "one"}, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"threads     2 new", "replies     4 new (2 answers, 2 comments)", "kudos       3 new", "CC BY-SA"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, out.String())
		}
	}
	// DIR after the flags works too, and adds nothing the second time.
	out.Reset()
	if err := runImport(ctx, []string{"--data", data, "--boards", "one", dump}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "threads     0 new") {
		t.Errorf("second run:\n%s", out.String())
	}

	cfg := app.DefaultConfig()
	cfg.DataDir, cfg.NoDemo = data, true
	a, err := app.New(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var id int64
	if err := a.DB().QueryRow(ctx, `SELECT id FROM threads WHERE external_id = 'se:tiny:1'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/t/"+strconv.FormatInt(id, 10), nil)
	req.Host = "localhost"
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	page := string(body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET thread: %d\n%s", res.StatusCode, page)
	}
	for _, want := range []string{"Who owns this question &amp; why?", "Comment on", "Ana-Smith", "deleted-user", "world"} {
		if !strings.Contains(page, want) {
			t.Errorf("thread page lacks %q", want)
		}
	}
	for _, bad := range []string{"alert(", "steal()", "javascript:"} {
		if strings.Contains(page, bad) {
			t.Errorf("thread page contains %q", bad)
		}
	}
}

func TestCmdImportErrors(t *testing.T) {
	ctx := context.Background()
	const data = "DATA" // replaced by a fresh folder per case
	cases := []struct {
		name    string
		args    []string
		usage   bool
		says    string
		opensDB bool
	}{
		{"no folder given", []string{"--data", data}, true, "folder of the unpacked dump", false},
		{"bad boards", []string{stackexchange.WriteTinyDump(t), "--data", data, "--boards", "some"}, true, "--boards", false},
		{"two folders", []string{"a", "--data", data, "b"}, true, `unexpected argument "b"`, false},
		{"folder missing", []string{filepath.Join(t.TempDir(), "nope"), "--data", data}, false, "no such file or directory", false},
		{"file missing", []string{stackexchange.WriteTinyDump(t, stackexchange.VotesFile), "--data", data}, false, "Votes.xml not found", false},
		{"unknown brand", []string{stackexchange.WriteTinyDump(t), "--data", data, "--brand", "nope.example"}, false, `no brand with host "nope.example"`, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			args := slices.Clone(c.args)
			for i := range args {
				if args[i] == data {
					args[i] = dir
				}
			}
			err := runImport(ctx, args, io.Discard)
			if err == nil {
				t.Fatal("no error")
			}
			if errors.Is(err, cli.ErrUsage) != c.usage || !strings.Contains(err.Error(), c.says) {
				t.Errorf("error %q (usage %v), want one saying %q (usage %v)", err, errors.Is(err, cli.ErrUsage), c.says, c.usage)
			}
			if _, statErr := os.Stat(dir); (statErr == nil) != c.opensDB {
				t.Errorf("data folder exists: %v, want %v", statErr == nil, c.opensDB)
			}
		})
	}
}

// A malformed file fails the command with the file and line, and writes
// no content.
func TestCmdImportMalformed(t *testing.T) {
	ctx := context.Background()
	dump := stackexchange.WriteTinyDump(t)
	if err := os.WriteFile(filepath.Join(dump, stackexchange.CommentsFile), []byte("<comments>\n<row Id=\"1\" PostId=\"1\" Text=\"unclosed\n</comments>"), 0o644); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(t.TempDir(), "data")
	err := runImport(ctx, []string{dump, "--data", data}, io.Discard)
	if !errors.Is(err, stackexchange.ErrMalformed) || !strings.Contains(err.Error(), "Comments.xml is not well-formed XML") ||
		!strings.Contains(err.Error(), "line") {
		t.Fatalf("error %v", err)
	}
}
