package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mutual/account"
	"mutual/app"
	"mutual/forum"
)

// The operator answers a member's request at the command line: export
// their archive (to standard output or a new private file), then erase the
// account, which only --yes does. Both are audited as the system's acts.
func TestPrivacyCommands(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	cfg := app.DefaultConfig()
	cfg.DataDir, cfg.NoDemo = data, true
	a, err := app.New(ctx, cfg, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	s := a.Services()
	b, err := s.Brands.Default(ctx)
	if err != nil {
		t.Fatal(err)
	}
	u, err := s.Members.Create(ctx, account.Signup{BrandID: b.ID, Username: "dana", Email: "dana@example.com", Password: "a long passphrase"})
	if err != nil {
		t.Fatal(err)
	}
	board, err := s.Forum.CreateBoard(ctx, b.ID, forum.NewBoard{Name: "Billing", Description: "Bills and plans"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Forum.Ask(ctx, account.Actor{UserID: u.ID, BrandID: b.ID, Username: "dana"},
		forum.NewThread{BoardID: board.ID, Title: "Why was I charged twice?", Body: "Two charges for May on my card."}); err != nil {
		t.Fatal(err)
	}
	_ = a.Close()
	with := func(args ...string) []string { return append([]string{"--data", data}, args...) }

	var out bytes.Buffer
	if err := privacyExport(ctx, with("--username", "dana"), &out); err != nil {
		t.Fatal(err)
	}
	var ar struct {
		Format      string `json:"format"`
		RequestedBy string `json:"requested_by"`
		Account     struct {
			Profile struct{ Email string } `json:"profile"`
		} `json:"account"`
		Content struct {
			Posts []any `json:"posts"`
		} `json:"content"`
	}
	if err := json.Unmarshal(out.Bytes(), &ar); err != nil || ar.Format != "mutual.member-data" || ar.RequestedBy != "operator" ||
		ar.Account.Profile.Email != "dana@example.com" || len(ar.Content.Posts) != 1 {
		t.Fatalf("export to standard output (%v): %+v\n%s", err, ar, out.String())
	}

	file := filepath.Join(t.TempDir(), "dana.json")
	out.Reset()
	if err := privacyExport(ctx, with("--username", "dana", "--out", file), &out); err != nil || !strings.Contains(out.String(), "wrote the data of dana in localhost to "+file) {
		t.Fatalf("export to a file = %v: %s", err, out.String())
	}
	if st, err := os.Stat(file); err != nil || st.Mode().Perm() != 0o600 || st.Size() < 500 {
		t.Fatalf("archive file: %v %v", st, err)
	}
	if err := privacyExport(ctx, with("--username", "dana", "--out", file), io.Discard); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("export over an existing file = %v", err)
	}
	ghost := filepath.Join(t.TempDir(), "ghost.json")
	if err := privacyExport(ctx, with("--username", "ghost", "--out", ghost), io.Discard); err == nil || !strings.Contains(err.Error(), "There is no member called ghost here.") {
		t.Errorf("export of nobody = %v", err)
	}
	if _, err := os.Stat(ghost); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed export left its file behind: %v", err)
	}

	// Without --yes it only says what erasing would do.
	for _, bad := range [][]string{{"--username", "dana"}, {"--reason", "request #4471"}, {"--username", "dana", "--reason", "request #4471"}} {
		out.Reset()
		if err := privacyErase(ctx, with(bad...), &out); !errors.Is(err, ErrUsage) {
			t.Errorf("privacy erase %v = %v, want a usage error", bad, err)
		}
	}
	if !strings.Contains(out.String(), "Erasing dana (joined ") || !strings.Contains(out.String(), `their posts stay, by "a former member"`) ||
		!strings.Contains(out.String(), "90 days. It cannot be undone.") {
		t.Errorf("without --yes:\n%s", out.String())
	}
	code, _, errs := run(append([]string{"privacy", "erase"}, with("--username", "dana", "--reason", "request #4471")...)...)
	if code != 2 || !strings.Contains(errs, "nothing was erased: add --yes to erase dana") {
		t.Errorf("mutual privacy erase without --yes: exit %d\n%s", code, errs)
	}

	out.Reset()
	if err := privacyErase(ctx, with("--username", "dana", "--reason", "request #4471", "--yes"), &out); err != nil ||
		!strings.Contains(out.String(), `erased dana in localhost: 1 posts kept, by "a former member"`) ||
		!strings.Contains(out.String(), "the username cannot be taken again until 2") {
		t.Fatalf("erase = %v: %s", err, out.String())
	}
	if err := privacyErase(ctx, with("--username", "dana", "--reason", "again", "--yes"), io.Discard); err == nil || !strings.Contains(err.Error(), "There is no member called dana here.") {
		t.Errorf("erasing twice = %v", err)
	}

	// Audited as the system's acts, with the reason and who asked.
	a, err = app.New(ctx, cfg, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	rows, err := a.DB().Query(ctx, `SELECT act, COALESCE(actor_id, 0), reason, after_json FROM moderation_actions WHERE target_user_id = ? ORDER BY id`, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var audit []string
	for rows.Next() {
		var act, reason, after string
		var actor int64
		if err := rows.Scan(&act, &actor, &reason, &after); err != nil {
			t.Fatal(err)
		}
		if actor != 0 || !strings.Contains(after, `"requested_by":"operator"`) {
			t.Errorf("audit row %s by %d: %s", act, actor, after)
		}
		audit = append(audit, act+" "+reason)
	}
	if strings.Join(audit, ", ") != "member_data_exported , member_data_exported , member_erased request #4471" {
		t.Errorf("audit: %v", audit)
	}
}
