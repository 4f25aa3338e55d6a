package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// statement is one SQL-looking string in a Go source: a literal, or a
// concatenation of literals with whatever is not a literal read as "?".
type statement struct {
	pkg  string // import path
	pos  string // file:line, relative to the module root
	text string
}

// access is one table a statement writes or reads.
type access struct {
	table string
	write bool
}

var (
	writeRes = []*regexp.Regexp{
		regexp.MustCompile(`(?i)\bINSERT\s+(?:OR\s+[a-z]+\s+)?INTO\s+([a-z_][a-z0-9_]*)`),
		regexp.MustCompile(`(?i)\bREPLACE\s+INTO\s+([a-z_][a-z0-9_]*)`),
		regexp.MustCompile(`(?i)\bUPDATE\s+(?:OR\s+[a-z]+\s+)?([a-z_][a-z0-9_]*)(?:\s+(?:AS\s+)?[a-z_][a-z0-9_]*)?\s+SET\b`),
		regexp.MustCompile(`(?i)\bDELETE\s+FROM\s+([a-z_][a-z0-9_]*)`),
		regexp.MustCompile(`(?i)\bTRUNCATE\s+(?:TABLE\s+)?([a-z_][a-z0-9_]*)`),
	}
	readRe      = regexp.MustCompile(`(?i)\b(?:FROM|JOIN)\s+([a-z_][a-z0-9_]*)`)
	sqlComment  = regexp.MustCompile(`--[^\n]*`)
	sqlKeywords = regexp.MustCompile(`(?i)\b(SELECT|INSERT|UPDATE|DELETE|REPLACE|TRUNCATE)\b`)
)

// accesses returns the tables a statement writes and, for tables in known, the
// ones it reads. Writes to unknown names are returned too, so a new table
// cannot slip past the map.
func accesses(sql string, known map[string]string) []access {
	sql = sqlComment.ReplaceAllString(sql, " ")
	var out []access
	written := map[string]bool{}
	for _, re := range writeRes {
		for _, m := range re.FindAllStringSubmatch(sql, -1) {
			t := strings.ToLower(m[1])
			if t == "set" { // ON CONFLICT ... DO UPDATE SET
				continue
			}
			written[t] = true
			out = append(out, access{t, true})
		}
	}
	for _, m := range readRe.FindAllStringSubmatch(sql, -1) {
		t := strings.ToLower(m[1])
		if _, ok := known[t]; ok && !written[t] {
			out = append(out, access{t, false})
		}
	}
	return out
}

// moduleRoot finds the directory holding go.mod above the test's directory.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found")
		}
		dir = parent
	}
}

// statements parses every non-test Go file under root and returns its SQL.
func statements(t *testing.T, root, module string) []statement {
	t.Helper()
	var out []statement
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		pkg := module
		if dir := filepath.ToSlash(filepath.Dir(rel)); dir != "." {
			pkg += "/" + dir
		}
		out = append(out, sourceStatements(t, pkg, filepath.ToSlash(rel), src)...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// sourceStatements returns the SQL-looking strings of one Go source file.
func sourceStatements(t *testing.T, pkg, file string, src []byte) []statement {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, src, parser.SkipObjectResolution)
	if err != nil {
		t.Fatalf("parse %s: %v", file, err)
	}
	var out []statement
	ast.Inspect(f, func(n ast.Node) bool {
		var text string
		switch e := n.(type) {
		case *ast.CallExpr:
			return !isErrorMessage(e)
		case *ast.BinaryExpr:
			if e.Op != token.ADD {
				return true
			}
			s, lits := concat(e)
			if lits == 0 {
				return true
			}
			text = s
		case *ast.BasicLit:
			if e.Kind != token.STRING {
				return true
			}
			text = unquote(e.Value)
		default:
			return true
		}
		if sqlKeywords.MatchString(text) {
			out = append(out, statement{pkg, fset.Position(n.Pos()).String(), text})
		}
		// A concatenation is read whole; its parts are not read again.
		_, isConcat := n.(*ast.BinaryExpr)
		return !isConcat
	})
	return out
}

// isErrorMessage reports a call that builds an error: its text is prose
// ("delete from users failed"), never SQL.
func isErrorMessage(call *ast.CallExpr) bool {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	pkg, ok := sel.X.(*ast.Ident)
	return ok && (pkg.Name == "fmt" && sel.Sel.Name == "Errorf" || pkg.Name == "errors" && sel.Sel.Name == "New")
}

// concat flattens a + b + c, reading each operand that is not a string
// literal as "?", and says how many literals it held.
func concat(e ast.Expr) (string, int) {
	switch x := e.(type) {
	case *ast.BinaryExpr:
		if x.Op == token.ADD {
			l, nl := concat(x.X)
			r, nr := concat(x.Y)
			return l + r, nl + nr
		}
	case *ast.BasicLit:
		if x.Kind == token.STRING {
			return unquote(x.Value), 1
		}
	case *ast.ParenExpr:
		return concat(x.X)
	}
	return " ? ", 0
}

func unquote(lit string) string {
	s, err := strconv.Unquote(lit)
	if err != nil {
		return lit
	}
	return s
}
