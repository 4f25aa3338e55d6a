package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strings"

	"mutual/app"
)

// Main runs the command args name and returns the exit status: 0 when it
// succeeded or when help was asked for (printed to stdout), 2 for a
// command-line mistake (the error and the command's usage on stderr), 1
// when the command failed.
//
// "mutual", "mutual help" and "mutual --help" list the commands; "mutual help
// CMD", "mutual CMD --help" and "mutual CMD -h" show one command's usage.
// Flags with no command ("mutual --addr :8080") run serve.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cmds := Commands()
	if len(args) == 0 || isHelp(args[0]) {
		if len(args) > 1 && args[0] == "help" {
			return helpFor(ctx, cmds, args[1:], stdout, stderr)
		}
		listCommands(stdout, cmds)
		return 0
	}
	cmd, rest := lookup(cmds, args)
	if cmd == nil {
		fmt.Fprintf(stderr, "mutual: unknown command %q\n\n", strings.Join(args, " "))
		listCommands(stderr, group(cmds, args[0]))
		return 2
	}
	err := cmd.Run(ctx, rest, stdout)
	var help *Help
	switch {
	case err == nil:
		return 0
	case errors.As(err, &help):
		printUsage(stdout, *cmd, help.Flags)
		return 0
	case errors.Is(err, ErrUsage):
		fmt.Fprintf(stderr, "mutual %s: %s\n\n", cmd.Name, strings.TrimPrefix(err.Error(), ErrUsage.Error()+": "))
		printUsage(stderr, *cmd, flagsOf(ctx, *cmd))
		return 2
	default:
		fmt.Fprintf(stderr, "mutual %s: %v\n", cmd.Name, err)
		return 1
	}
}

func isHelp(arg string) bool {
	return arg == "help" || arg == "-h" || arg == "--help" || arg == "-help"
}

// lookup finds the command args start with, and the arguments after its
// name. Flags first mean serve.
func lookup(cmds []Command, args []string) (*Command, []string) {
	if strings.HasPrefix(args[0], "-") {
		return find(cmds, "serve"), args
	}
	if len(args) > 1 {
		if c := find(cmds, args[0]+" "+args[1]); c != nil {
			return c, args[2:]
		}
	}
	return find(cmds, args[0]), args[1:]
}

func find(cmds []Command, name string) *Command {
	for i := range cmds {
		if cmds[i].Name == name {
			return &cmds[i]
		}
	}
	return nil
}

// group is the commands whose first word is word ("brand": brand create and
// brand update), or all of them when none is.
func group(cmds []Command, word string) []Command {
	var out []Command
	for _, c := range cmds {
		if first, _, _ := strings.Cut(c.Name, " "); first == word {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return cmds
	}
	return out
}

// helpFor answers "mutual help CMD": the command's usage, or the commands of
// a group such as "brand".
func helpFor(ctx context.Context, cmds []Command, args []string, stdout, stderr io.Writer) int {
	cmd, rest := lookup(cmds, args)
	if cmd == nil || len(rest) > 0 {
		if g := group(cmds, args[0]); len(args) == 1 && len(g) < len(cmds) {
			listCommands(stdout, g)
			return 0
		}
		fmt.Fprintf(stderr, "mutual help: no command %q\n\n", strings.Join(args, " "))
		listCommands(stderr, cmds)
		return 2
	}
	printUsage(stdout, *cmd, flagsOf(ctx, *cmd))
	return 0
}

// flagsOf asks a command for its flags the way a person does, with --help:
// every command answers before it touches anything.
func flagsOf(ctx context.Context, c Command) *flag.FlagSet {
	var help *Help
	if errors.As(c.Run(ctx, []string{"--help"}, io.Discard), &help) {
		return help.Flags
	}
	return nil
}

// listCommands prints one line per command.
func listCommands(w io.Writer, cmds []Command) {
	fmt.Fprintln(w, "Mutual runs a brand's peer-support community. Start it with `mutual serve`.")
	fmt.Fprintln(w, "\nUsage: mutual COMMAND [flags]\n\nCommands:")
	width := 0
	for _, c := range cmds {
		width = max(width, len(c.Name))
	}
	for _, c := range cmds {
		fmt.Fprintf(w, "  %-*s  %s\n", width, c.Name, c.Summary)
	}
	fmt.Fprintln(w, "\nRun `mutual help COMMAND` (or `mutual COMMAND --help`) for a command's flags, their defaults and")
	fmt.Fprintln(w, "MUTUAL_* environment variables, and an example.")
}

// printUsage prints a command's summary, usage line, flags and example. Its
// own flags come first, then the settings every command shares.
func printUsage(w io.Writer, c Command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "mutual %s: %s\n\nUsage:\n  mutual %s %s\n", c.Name, c.Summary, c.Name, c.Args)
	shared := flag.NewFlagSet("", flag.ContinueOnError)
	cfg := app.DefaultConfig()
	cfg.RegisterFlags(shared, true)
	var own, settings strings.Builder
	if fs != nil {
		fs.VisitAll(func(f *flag.Flag) {
			if shared.Lookup(f.Name) != nil {
				describeFlag(&settings, f)
			} else {
				describeFlag(&own, f)
			}
		})
	}
	if own.Len() > 0 {
		fmt.Fprintf(w, "\nFlags:\n%s", own.String())
	}
	if settings.Len() > 0 {
		fmt.Fprintf(w, "\nSettings (a flag wins over its environment variable):\n%s", settings.String())
	}
	fmt.Fprintf(w, "\nExample:\n  %s\n", c.Example)
}

// envNote is how a usage text names its variable; the help prints the
// variable in one place of its own instead, and a text's advice to prefer
// the variable points there.
var (
	envNote   = regexp.MustCompile(`\s*\(env MUTUAL_[A-Z_]+\)`)
	envAdvice = regexp.MustCompile(`the env MUTUAL_[A-Z_]+`)
)

// describeFlag writes "--name type", then the help text with the default
// and the environment variable.
func describeFlag(w io.Writer, f *flag.Flag) {
	kind, usage := flag.UnquoteUsage(f)
	switch f.Value.(type) {
	case *optDuration:
		kind = "duration"
	case *optString:
		kind = "string"
	}
	var notes []string
	if f.DefValue != "" {
		def := f.DefValue
		if g, ok := f.Value.(flag.Getter); ok {
			if _, isText := g.Get().(string); isText {
				def = fmt.Sprintf("%q", def)
			}
		}
		notes = append(notes, "default "+def)
	}
	if env := app.EnvVar(f.Name); env != "" {
		notes = append(notes, "env "+env)
	}
	line := envAdvice.ReplaceAllString(envNote.ReplaceAllString(usage, ""), "the variable")
	if len(notes) > 0 {
		line += " (" + strings.Join(notes, "; ") + ")"
	}
	fmt.Fprintf(w, "  --%s\n      %s\n", strings.TrimSpace(f.Name+" "+kind), line)
}
