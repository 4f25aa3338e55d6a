package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"testing"

	"mutual/app"
)

// run is the binary as a person runs it: arguments in, exit status and both
// streams out.
func run(args ...string) (code int, stdout, stderr string) {
	var out, errs bytes.Buffer
	code = Main(context.Background(), args, &out, &errs)
	return code, out.String(), errs.String()
}

// Every command explains itself: --help, -h and `mutual help CMD` print the
// same full usage to stdout and exit 0, naming every flag the command
// defines with its help text, its default, its MUTUAL_* variable where it
// has one, and an example.
func TestEveryCommandExplainsItself(t *testing.T) {
	for _, c := range Commands() {
		var help *Help
		if err := c.Run(context.Background(), []string{"--help"}, nil); !errors.As(err, &help) {
			t.Errorf("%s --help: %v, want the command's flags back", c.Name, err)
			continue
		}
		words := strings.Fields(c.Name)
		code, usage, errs := run(append(words, "--help")...)
		if code != 0 || errs != "" {
			t.Errorf("mutual %s --help: exit %d, stderr %q", c.Name, code, errs)
		}
		for _, again := range [][]string{append(words, "-h"), append([]string{"help"}, words...)} {
			if code, out, _ := run(again...); code != 0 || out != usage {
				t.Errorf("mutual %s: exit %d, and not the same usage as --help:\n%s", strings.Join(again, " "), code, out)
			}
		}
		for _, want := range []string{"mutual " + c.Name + ": " + c.Summary, "Usage:\n  mutual " + c.Name + " ", "Example:\n  " + c.Example + "\n"} {
			if c.Summary == "" || c.Example == "" || !strings.Contains(usage, want) {
				t.Errorf("mutual %s --help lacks %q:\n%s", c.Name, want, usage)
			}
		}
		if !strings.HasPrefix(strings.TrimPrefix(c.Example, "TOKEN=$("), "mutual "+c.Name+" ") {
			t.Errorf("%s: the example %q does not run the command", c.Name, c.Example)
		}
		help.Flags.VisitAll(func(f *flag.Flag) { checkFlag(t, c.Name, usage, f) })
	}
}

// checkFlag looks for one flag's entry in a command's usage.
func checkFlag(t *testing.T, cmd, usage string, f *flag.Flag) {
	t.Helper()
	at := strings.Index(usage, "\n  --"+f.Name+" ")
	if at < 0 {
		at = strings.Index(usage, "\n  --"+f.Name+"\n")
	}
	if at < 0 {
		t.Errorf("mutual %s --help does not list --%s", cmd, f.Name)
		return
	}
	entry, _, _ := strings.Cut(usage[at+1:], "\n  --")
	entry, _, _ = strings.Cut(entry, "\n\n")
	text := strings.TrimSpace(f.Usage)
	if len(text) < 8 {
		t.Errorf("mutual %s: --%s has no help text worth the name: %q", cmd, f.Name, f.Usage)
	}
	if f.DefValue != "" && !strings.Contains(entry, "default "+f.DefValue) && !strings.Contains(entry, fmt.Sprintf("default %q", f.DefValue)) {
		t.Errorf("mutual %s --help: --%s does not show its default %q:\n%s", cmd, f.Name, f.DefValue, entry)
	}
	if env := app.EnvVar(f.Name); env != "" && !strings.Contains(entry, "env "+env+")") {
		t.Errorf("mutual %s --help: --%s does not name its variable %s:\n%s", cmd, f.Name, env, entry)
	}
}

// `mutual`, `mutual help` and `mutual --help` list every command with one
// line each; unknown commands and bad flags say what is wrong and how it is
// used, on stderr, with exit 2.
func TestHelpListsCommandsAndMistakesShowUsage(t *testing.T) {
	code, list, _ := run()
	if code != 0 {
		t.Errorf("mutual: exit %d", code)
	}
	for _, args := range [][]string{{"help"}, {"--help"}, {"-h"}} {
		if c, out, _ := run(args...); c != 0 || out != list {
			t.Errorf("mutual %s: exit %d, not the list of `mutual`", args[0], c)
		}
	}
	for _, c := range Commands() {
		if !strings.Contains(list, "\n  "+c.Name+" ") || !strings.Contains(list, c.Summary+"\n") {
			t.Errorf("mutual help does not list %s with its summary", c.Name)
		}
		if strings.Contains(c.Summary, "\n") || strings.HasSuffix(c.Summary, "...") {
			t.Errorf("%s: the summary is not one line: %q", c.Name, c.Summary)
		}
	}

	code, out, errs := run("brand", "update", "--host", "localhost", "--peer-sla", "soon")
	if code != 2 || out != "" || !strings.Contains(errs, `mutual brand update: invalid value "soon" for flag -peer-sla`) ||
		!strings.Contains(errs, "\n  --agent-sla duration\n") || !strings.Contains(errs, "Example:") {
		t.Errorf("a bad flag value: exit %d, stdout %q, stderr:\n%s", code, out, errs)
	}
	code, _, errs = run("user", "create", "--nope")
	if code != 2 || !strings.Contains(errs, "flag provided but not defined: -nope") || !strings.Contains(errs, "--username string") {
		t.Errorf("an unknown flag: exit %d:\n%s", code, errs)
	}
	code, _, errs = run("reputation", "export")
	if code != 2 || !strings.Contains(errs, "--from and --to are required") || !strings.Contains(errs, "Usage:\n  mutual reputation export --from") {
		t.Errorf("a missing flag: exit %d:\n%s", code, errs)
	}
	code, _, errs = run("brand")
	if code != 2 || !strings.Contains(errs, `unknown command "brand"`) || !strings.Contains(errs, "brand create") || strings.Contains(errs, "healthcheck") {
		t.Errorf("mutual brand: exit %d, want the brand commands:\n%s", code, errs)
	}
	if code, out, _ := run("help", "reputation"); code != 0 || !strings.Contains(out, "reputation rings") || strings.Contains(out, "serve ") {
		t.Errorf("mutual help reputation: exit %d:\n%s", code, out)
	}
	if code, _, errs := run("help", "nothing"); code != 2 || !strings.Contains(errs, `no command "nothing"`) {
		t.Errorf("mutual help nothing: exit %d:\n%s", code, errs)
	}
}

// Help does not depend on the environment being right: a bad variable is
// reported when the command runs, not when its help is asked for.
func TestHelpDespiteABadVariable(t *testing.T) {
	t.Setenv("MUTUAL_LOGIN_PER_MINUTE", "lots")
	if code, out, _ := run("serve", "--help"); code != 0 || !strings.Contains(out, "--login-per-minute int") {
		t.Errorf("serve --help with a bad variable: exit %d", code)
	}
	if code, _, errs := run("migrate", "--data", t.TempDir()); code != 1 || !strings.Contains(errs, `MUTUAL_LOGIN_PER_MINUTE: "lots" is not a positive number`) {
		t.Errorf("migrate with a bad variable: exit %d, %s", code, errs)
	}
}
