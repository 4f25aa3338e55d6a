// Command mutual runs a branded peer-to-peer support community.
//
// Run "mutual help" for the sub-commands.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"mutual/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:]))
}

func run(ctx context.Context, args []string) int {
	cmds := cli.Commands()
	if len(args) > 0 && (args[0] == "help" || args[0] == "-h" || args[0] == "--help") {
		usage(cmds)
		return 0
	}
	// "mutual" alone, or "mutual --flag ...", serves.
	name, rest := "serve", args
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, rest = args[0], args[1:]
		if len(args) > 1 && !strings.HasPrefix(args[1], "-") {
			if two := args[0] + " " + args[1]; find(cmds, two) != nil {
				name, rest = two, args[2:]
			}
		}
	}
	cmd := find(cmds, name)
	if cmd == nil {
		fmt.Fprintf(os.Stderr, "mutual: unknown command %q\n\n", strings.Join(args, " "))
		usage(cmds)
		return 2
	}
	if err := cmd.Run(ctx, rest, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "mutual %s: %v\n", cmd.Name, err)
		if errors.Is(err, cli.ErrUsage) {
			fmt.Fprintf(os.Stderr, "usage: mutual %s\n", cmd.Usage)
			return 2
		}
		return 1
	}
	return 0
}

func find(cmds []cli.Command, name string) *cli.Command {
	for i := range cmds {
		if cmds[i].Name == name {
			return &cmds[i]
		}
	}
	return nil
}

func usage(cmds []cli.Command) {
	fmt.Fprintln(os.Stderr, "usage: mutual [command] [flags]   (no command: serve)")
	for _, c := range cmds {
		fmt.Fprintf(os.Stderr, "  mutual %s\n", c.Usage)
	}
}
