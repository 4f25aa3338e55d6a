package cli

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A brand offers the languages an operator names, among those shipped and
// those its theme folder adds; its default is one of them.
func TestBrandUpdateSetsLanguages(t *testing.T) {
	dir := t.TempDir()
	run := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := brandUpdate(context.Background(), append([]string{"--data", dir}, args...), &out)
		return out.String(), err
	}
	out, err := run("--host", "localhost", "--languages", "es,pl,en", "--default-language", "es")
	if err != nil || !strings.Contains(out, "languages es,pl,en (default es)") {
		t.Fatalf("brand update: %q %v", out, err)
	}
	if _, err := run("--host", "localhost", "--languages", "es,ca", "--default-language", "es"); err == nil || !strings.Contains(err.Error(), "ca is not a language") {
		t.Errorf("Catalan without a catalogue: %v", err)
	}
	if _, err := run("--host", "localhost", "--languages", "es,@@"); !errors.Is(err, ErrUsage) {
		t.Errorf("a bad tag: %v, want a usage error", err)
	}
	themes := t.TempDir()
	if err := os.MkdirAll(filepath.Join(themes, "localhost", "messages"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(themes, "localhost", "messages", "ca.toml"), []byte("[lang]\nswitch = \"Llengua\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("MUTUAL_THEMES", themes)
	out, err = run("--host", "localhost", "--languages", "es,ca")
	if err != nil || !strings.Contains(out, "languages es,ca (default es)") {
		t.Fatalf("Catalan from the theme: %q %v", out, err)
	}
}
