package cli

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mutual/internal/testkit/oidcop"
)

// The sso commands on a fresh store: add a provider (its secret from a
// file), list it without the secret, turn password sign-up off and on, and
// remove it.
func TestSSOCommands(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	op := oidcop.Start(t)
	secretFile := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secretFile, []byte(op.ClientSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(cmd func(context.Context, []string, io.Writer) error, args ...string) string {
		t.Helper()
		var out bytes.Buffer
		if err := cmd(ctx, append([]string{"--data", data}, args...), &out); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		return out.String()
	}
	var out bytes.Buffer
	if err := ssoSignup(ctx, []string{"--data", data, "--password", "off"}, &out); err == nil || !strings.Contains(err.Error(), "Add a sign-in provider first") {
		t.Fatalf("sign-up off without a provider = %v", err)
	}
	added := run(ssoAdd,
		"--label", "Acme ID", "--issuer", op.Issuer, "--client-id", op.ClientID, "--client-secret-file", secretFile)
	if !strings.Contains(added, "added provider 1 (Acme ID)") || !strings.Contains(added, "/sso/1/callback") {
		t.Fatalf("add said:\n%s", added)
	}
	listed := run(ssoList)
	if !strings.Contains(listed, "Acme ID") || !strings.Contains(listed, "password sign-up on") || strings.Contains(listed, op.ClientSecret) {
		t.Fatalf("list said:\n%s", listed)
	}
	run(ssoSignup, "--password", "off")
	out.Reset()
	if err := ssoRemove(ctx, []string{"--data", data, "--id", "1"}, &out); err == nil || !strings.Contains(err.Error(), "only way to join") {
		t.Fatalf("removing the only way to join = %v", err)
	}
	run(ssoSignup, "--password", "on")
	if got := run(ssoRemove, "--id", "1"); !strings.Contains(got, "removed provider 1") {
		t.Fatalf("remove said:\n%s", got)
	}
}
