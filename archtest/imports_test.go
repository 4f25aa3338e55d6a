package archtest

import (
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const gin = "github.com/gin-gonic/gin"

type goPackage struct {
	ImportPath string
	Imports    []string
	Deps       []string
}

// TestHTTPStaysInApp checks the import graph: HTTP (gin, net/http) belongs to
// app/ and nowhere else, except the outbound clients in HTTPClients; and no
// capability's HTTP package under app/ imports another's, only the shared kit.
func TestHTTPStaysInApp(t *testing.T) {
	pkgs := listPackages(t, moduleRoot(t))
	for _, p := range pkgs {
		for _, problem := range importProblems(p) {
			t.Error(problem)
		}
	}
}

// importProblems returns how one package breaks the import rules.
func importProblems(p goPackage) []string {
	var out []string
	if !underApp(p.ImportPath) {
		_, client := HTTPClients[p.ImportPath]
		// A package that wires app/ in (main) reaches HTTP through it; any
		// other must not reach it through any dependency.
		reach := p.Imports
		if !slices.ContainsFunc(p.Deps, underApp) {
			reach = p.Deps
		}
		for _, forbidden := range []string{gin, "net/http"} {
			if forbidden == "net/http" && client {
				continue
			}
			if slices.Contains(reach, forbidden) {
				out = append(out, p.ImportPath+" depends on "+forbidden+": HTTP belongs in mutual/app/...")
			}
		}
		return out
	}
	from := capability(p.ImportPath)
	for _, imp := range p.Imports {
		if !underApp(imp) || imp == AppKit {
			continue
		}
		if imp == "mutual/app" || (from != "" && capability(imp) != from) {
			out = append(out, p.ImportPath+" imports "+imp+": a capability's HTTP package imports only "+AppKit+" from app/")
		}
	}
	return out
}

func underApp(path string) bool {
	return path == "mutual/app" || strings.HasPrefix(path, "mutual/app/")
}

// capability is x for mutual/app/x/..., and "" for app/ itself (the wiring,
// which mounts every capability).
func capability(path string) string {
	rest, ok := strings.CutPrefix(path, "mutual/app/")
	if !ok {
		return ""
	}
	x, _, _ := strings.Cut(rest, "/")
	return x
}

func TestImportRulesCatchBreaks(t *testing.T) {
	cases := []struct {
		p    goPackage
		want string
	}{
		{goPackage{ImportPath: "mutual/forum", Imports: []string{"net/http"}, Deps: []string{"net/http"}}, "depends on net/http"},
		{goPackage{ImportPath: "mutual/reputation", Deps: []string{"mutual/fault", gin}}, "depends on " + gin},
		{goPackage{ImportPath: "mutual/bench/baseline", Imports: []string{gin}, Deps: []string{gin, "net/http"}}, "depends on " + gin},
		{goPackage{ImportPath: "mutual/app/forum", Imports: []string{"mutual/app/web", "mutual/app/reports"}}, "imports mutual/app/reports"},
		{goPackage{ImportPath: "mutual/app/forum/forms", Imports: []string{"mutual/app"}}, "imports mutual/app:"},
		{goPackage{ImportPath: "mutual/app/forum", Imports: []string{"mutual/app/web", "mutual/app/forum/forms", gin}}, ""},
		{goPackage{ImportPath: "mutual/app", Imports: []string{"mutual/app/forum", "mutual/app/reports", gin}}, ""},
		{goPackage{ImportPath: "mutual", Imports: []string{"mutual/app"}, Deps: []string{"mutual/app", gin, "net/http"}}, ""},
		{goPackage{ImportPath: "mutual/bench/baseline", Imports: []string{"net/http"}, Deps: []string{"net/http"}}, ""},
	}
	for _, c := range cases {
		got := strings.Join(importProblems(c.p), "\n")
		if c.want == "" && got != "" || !strings.Contains(got, c.want) {
			t.Errorf("%s: got %q, want %q", c.p.ImportPath, got, c.want)
		}
	}
}

// listPackages runs go list over the module: each package's direct imports
// and all it depends on, tests left out.
func listPackages(t *testing.T, root string) []goPackage {
	t.Helper()
	cmd := exec.Command("go", "list", "-json=ImportPath,Imports,Deps", "./...")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go list: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	var pkgs []goPackage
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p goPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 10 {
		t.Fatalf("go list found %d packages; is the module root right?", len(pkgs))
	}
	return pkgs
}
