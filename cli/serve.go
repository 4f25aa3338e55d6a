package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"mutual/app"
	"mutual/internal/logbuf"
)

// logFlushEvery is how long an INFO line may wait in the server's log
// buffer; WARN and ERROR lines are written at once.
const logFlushEvery = 100 * time.Millisecond

// serve runs the web server until ctx is cancelled (SIGINT or SIGTERM).
func serve(ctx context.Context, args []string, out io.Writer) error {
	fs, cfg := newFlags("serve", true)
	if err := parse(fs, args); err != nil {
		return err
	}
	// A line per request: written out a few times a second, not one by one.
	lines := logbuf.New(os.Stderr, logFlushEvery)
	defer lines.Flush()
	log := slog.New(logbuf.Handler(jsonHandler(lines, cfg.LogLevel), lines))
	a, err := app.New(ctx, *cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	rt := app.ServeRuntime(a.DB().Dialect())
	rt.Apply()
	if err := a.DB().WriterPriority(); err != nil {
		log.Warn("the SQLite writer thread runs at the default priority, so writes slow down under load; allow nice -5 with RLIMIT_NICE 25 (docker run --ulimit nice=25:25, systemd LimitNICE=25) or CAP_SYS_NICE", "err", err)
	}
	return a.Serve(ctx, func(addr string) {
		log.Info("listening", "addr", addr, "database", a.DB().Dialect(), "gomaxprocs", rt.Procs, "gogc", rt.GCPercent, "gomemlimit", rt.MemoryLimit)
		fmt.Fprintf(out, "Mutual is running at http://%s/\n", addr)
		if !strings.HasPrefix(addr, "127.0.0.1") && !strings.HasPrefix(addr, "localhost") {
			return
		}
		fmt.Fprintf(out, "Sign in as the administrator with username admin (password in %s/admin-password.txt).\n", cfg.DataDir)
	})
}

// healthcheck asks a running server's /healthz, for container health checks.
func healthcheck(ctx context.Context, args []string, out io.Writer) error {
	fs, cfg := newFlags("healthcheck", true)
	url := fs.String("url", "", "URL of /healthz; empty: built from --addr (MUTUAL_ADDR)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *url == "" {
		addr := cfg.Addr
		if strings.HasPrefix(addr, "0.0.0.0:") || strings.HasPrefix(addr, ":") {
			addr = "127.0.0.1:" + addr[strings.LastIndex(addr, ":")+1:]
		}
		*url = "http://" + addr + "/healthz"
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *url, nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %s", *url, res.Status)
	}
	fmt.Fprintln(out, "ok")
	return nil
}
