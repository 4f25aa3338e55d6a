// Command mutual runs a branded peer-to-peer support community.
//
// Run "mutual help" for the sub-commands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"mutual/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
