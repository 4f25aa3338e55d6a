package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"testing"

	"mutual/app"
)

// The operator's token commands: create one that expires, list the brand's
// tokens (never the tokens themselves), revoke one by id.
func TestTokenCommands(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	cfg := app.DefaultConfig()
	cfg.DataDir, cfg.NoDemo = data, true
	a, err := app.New(ctx, cfg, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	_ = a.Close()

	var out bytes.Buffer
	if err := tokenCreate(ctx, []string{"--data", data, "--username", "admin", "--name", "ticket bridge", "--expires", "90d"}, &out); err != nil {
		t.Fatal(err)
	}
	tok := strings.TrimSpace(out.String())
	if !strings.HasPrefix(tok, "mut_") {
		t.Fatalf("token create printed %q", tok)
	}
	out.Reset()
	if err := tokenCreate(ctx, []string{"--data", data, "--username", "admin", "--name", "forever"}, &out); err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][]string{
		{"--username", "admin", "--expires", "soon"},
		{"--username", "admin", "--expires", "2001-01-01"},
		{"--name", "no user"},
	} {
		if err := tokenCreate(ctx, append([]string{"--data", data}, bad...), io.Discard); !errors.Is(err, ErrUsage) {
			t.Errorf("token create %v = %v, want a usage error", bad, err)
		}
	}

	out.Reset()
	if err := tokenList(ctx, []string{"--data", data, "--username", "admin"}, &out); err != nil {
		t.Fatal(err)
	}
	list := out.String()
	if strings.Contains(list, tok) || !strings.Contains(list, "ticket bridge") || !strings.Contains(list, "never") || !strings.Contains(list, "LAST USED") {
		t.Fatalf("token list:\n%s", list)
	}
	id := regexp.MustCompile(`(?m)^(\d+)\s+admin\s+ticket bridge`).FindStringSubmatch(list)
	if id == nil {
		t.Fatalf("no ticket bridge row in:\n%s", list)
	}
	out.Reset()
	if err := tokenRevoke(ctx, []string{"--data", data, "--id", id[1]}, &out); err != nil || !strings.Contains(out.String(), "revoked token "+id[1]) {
		t.Fatalf("token revoke = %v: %s", err, out.String())
	}
	if err := tokenRevoke(ctx, []string{"--data", data, "--id", id[1]}, io.Discard); err == nil || !strings.Contains(err.Error(), "no such token") {
		t.Errorf("revoking twice = %v", err)
	}
	if err := tokenRevoke(ctx, []string{"--data", data}, io.Discard); !errors.Is(err, ErrUsage) {
		t.Errorf("revoke without --id = %v", err)
	}
	out.Reset()
	if err := tokenList(ctx, []string{"--data", data}, &out); err != nil || strings.Contains(out.String(), "ticket bridge") || !strings.Contains(out.String(), "forever") {
		t.Errorf("after revoking = %v:\n%s", err, out.String())
	}
}
