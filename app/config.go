// Package app wires Mutual together: configuration, the database, domain
// services, the gin router with its middleware, page and API handlers and
// background workers. The command-line commands (package cli) build on it.
package app

import (
	"errors"
	"flag"
	"fmt"
	"maps"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"mutual/forum/notify"
)

// Config is everything an operator can set, by flag or MUTUAL_* variable.
type Config struct {
	Addr          string // MUTUAL_ADDR
	DataDir       string // MUTUAL_DATA
	DatabaseURL   string // MUTUAL_DATABASE_URL: postgres://...; default SQLite in DataDir
	ThemesDir     string // MUTUAL_THEMES: per-brand template and asset overrides
	NoDemo        bool   // MUTUAL_NO_DEMO
	NoRadar       bool   // MUTUAL_NO_RADAR: new threads are grouped by the radar's pass, once a minute, not just after they are asked
	SecureCookies bool   // MUTUAL_SECURE_COOKIES: set behind a TLS-terminating proxy
	// TrustedProxies (MUTUAL_TRUSTED_PROXIES) are the addresses or CIDR
	// ranges of the proxies in front of Mutual, comma-separated: only from
	// them is X-Forwarded-For (or X-Real-IP) taken as the client's address,
	// for rate limits and logs. Empty: the connection's address is the
	// client's, whatever headers say.
	TrustedProxies string
	LogLevel       string // MUTUAL_LOG_LEVEL: debug, info, warn, error
	PprofAddr      string // MUTUAL_PPROF_ADDR: serve net/http/pprof here (keep it on loopback)
	LoginPerMin    int    // MUTUAL_LOGIN_PER_MINUTE: sign-in attempts per address and per account
	PostInterval   time.Duration
	// NewMemberLimits turns on the new-member safeguards (first-day caps,
	// 30 s between posts, duplicate text); on for `mutual serve`.
	NewMemberLimits bool
	JobInterval     time.Duration    // MUTUAL_JOB_INTERVAL: how often background jobs (the escalation detector) run; 0 turns them off
	Now             func() time.Time // the clock; tests replace it
	MetricsToken    string           // MUTUAL_METRICS_TOKEN: bearer token for /metrics; empty = loopback only

	// JobBatch is how many threads one escalation step handles before the
	// detector renews its lease; a crash loses at most the step in flight,
	// which the next owner redoes (the unique thread_id keeps that harmless).
	// Each step is one durable commit (about 6 ms on the reference VM), so a
	// step of 1,000 keeps a burst of 1,000 overdue threads to one commit:
	// 15-17 ms instead of 20-25 ms for five steps of 200
	// (BenchmarkDetectorTick), and well inside the lease.
	JobBatch int

	Notify notify.Config // email and reminders

	// WholePages renders every thread page whole, keeping no parts of
	// pages (web.Site.KeepParts); tests compare the two.
	WholePages bool
	// FreshPages renders visitors' pages again after every change, even
	// those of threads changing several times a second
	// (web.Site.FreshPages); benchmarks of that render use it.
	FreshPages bool

	// BatchHook, for tests, is called after each batch of a background job;
	// an error abandons the run the way a crash would, leaving its lease.
	BatchHook func(job string, batch int) error
}

// DefaultConfig is the configuration before flags and environment.
func DefaultConfig() Config {
	return Config{
		Addr:         "127.0.0.1:8080",
		DataDir:      "data",
		LogLevel:     "info",
		LoginPerMin:  6,
		PostInterval: 3 * time.Second,
		JobInterval:  30 * time.Second,
		JobBatch:     1000,
		Now:          func() time.Time { return time.Now().UTC() },
		Notify:       notify.DefaultConfig(),
	}
}

// DatabaseTarget is what sqldb.Open is given: the URL, or the SQLite file.
func (c Config) DatabaseTarget() string {
	if c.DatabaseURL != "" {
		return c.DatabaseURL
	}
	return filepath.Join(c.DataDir, "mutual.db")
}

// RegisterFlags adds the flags every command shares (data and database) and,
// with serve set, the server's own.
func (c *Config) RegisterFlags(fs *flag.FlagSet, serve bool) {
	fs.StringVar(&c.DataDir, "data", c.DataDir, "data directory (env MUTUAL_DATA)")
	fs.StringVar(&c.DatabaseURL, "db", c.DatabaseURL, "postgres:// URL; SQLite under --data when empty (env MUTUAL_DATABASE_URL)")
	if !serve {
		return
	}
	fs.StringVar(&c.Addr, "addr", c.Addr, "listen address (env MUTUAL_ADDR)")
	fs.StringVar(&c.ThemesDir, "themes", c.ThemesDir, "folder of per-brand theme overrides, one sub-folder per host; empty: the built-in theme only (env MUTUAL_THEMES)")
	fs.BoolVar(&c.NoDemo, "no-demo", c.NoDemo, "do not create the demo community on a fresh database (env MUTUAL_NO_DEMO)")
	fs.BoolVar(&c.NoRadar, "no-radar", c.NoRadar, "do not group threads for the radar just after they are asked; its pass does it once a minute (env MUTUAL_NO_RADAR)")
	fs.BoolVar(&c.SecureCookies, "secure-cookies", c.SecureCookies, "mark cookies Secure and __Host- and send HSTS (behind TLS) (env MUTUAL_SECURE_COOKIES)")
	fs.StringVar(&c.TrustedProxies, "trusted-proxies", c.TrustedProxies, "comma-separated addresses or CIDRs of the proxies whose X-Forwarded-For or Forwarded names the client (env MUTUAL_TRUSTED_PROXIES)")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "debug, info, warn or error (env MUTUAL_LOG_LEVEL)")
	fs.StringVar(&c.PprofAddr, "pprof", c.PprofAddr, "serve Go's profiler on this address, e.g. 127.0.0.1:6060; empty: off (env MUTUAL_PPROF_ADDR)")
	fs.IntVar(&c.LoginPerMin, "login-per-minute", c.LoginPerMin, "sign-in attempts allowed per minute per address and per account (env MUTUAL_LOGIN_PER_MINUTE)")
	fs.DurationVar(&c.JobInterval, "job-interval", c.JobInterval, "how often background jobs such as the escalation detector run; 0 turns them off (env MUTUAL_JOB_INTERVAL)")
	c.Notify.RegisterFlags(fs)
	fs.DurationVar(&c.JobInterval, "detector-interval", c.JobInterval, "how often the escalation detector runs (same setting as --job-interval)")
	fs.StringVar(&c.MetricsToken, "metrics-token", c.MetricsToken, "bearer token that /metrics requires; empty serves it to loopback only (env MUTUAL_METRICS_TOKEN)")
	fs.DurationVar(&c.PostInterval, "post-interval", c.PostInterval, "minimum time between a member's posts; 0 turns it off (env MUTUAL_POST_INTERVAL)")
	fs.BoolVar(&c.NewMemberLimits, "new-member-limits", true, "new members: 30 s between posts, 3 questions and 10 replies on their first day; repeated text refused")
}

// FromEnv applies MUTUAL_* variables, every one of them (the server's and
// the notification settings alike) through the same readers. Flags parsed
// afterwards win. It reports every bad value at once.
func (c *Config) FromEnv() error {
	var e envReader
	e.str("MUTUAL_ADDR", &c.Addr)
	e.str("MUTUAL_DATA", &c.DataDir)
	e.str("MUTUAL_DATABASE_URL", &c.DatabaseURL)
	e.str("MUTUAL_THEMES", &c.ThemesDir)
	e.str("MUTUAL_LOG_LEVEL", &c.LogLevel)
	e.str("MUTUAL_PPROF_ADDR", &c.PprofAddr)
	e.str("MUTUAL_METRICS_TOKEN", &c.MetricsToken)
	e.boolean("MUTUAL_NO_DEMO", &c.NoDemo)
	e.boolean("MUTUAL_NO_RADAR", &c.NoRadar)
	e.boolean("MUTUAL_SECURE_COOKIES", &c.SecureCookies)
	e.str("MUTUAL_TRUSTED_PROXIES", &c.TrustedProxies)
	e.number("MUTUAL_LOGIN_PER_MINUTE", &c.LoginPerMin, 1, "a positive number")
	e.duration("MUTUAL_POST_INTERVAL", &c.PostInterval, 0, "3s")
	e.duration("MUTUAL_JOB_INTERVAL", &c.JobInterval, 0, "30s")

	n := &c.Notify
	e.str("MUTUAL_SMTP_HOST", &n.SMTPHost)
	e.str("MUTUAL_SMTP_USERNAME", &n.SMTPUsername)
	e.str("MUTUAL_SMTP_PASSWORD", &n.SMTPPassword)
	e.str("MUTUAL_SMTP_TLS", &n.SMTPTLS)
	e.str("MUTUAL_MAIL_FROM", &n.MailFrom)
	e.str("MUTUAL_SITE_URL", &n.SiteURL)
	e.number("MUTUAL_SMTP_PORT", &n.SMTPPort, 0, "a number")
	e.number("MUTUAL_REMINDER_DAYS", &n.ReminderDays, 0, "a number")
	e.duration("MUTUAL_MAIL_INTERVAL", &n.MailInterval, time.Nanosecond, "10s") // positive
	return errors.Join(e.errs...)
}

// envVars names, for each flag that has one, the MUTUAL_* variable FromEnv
// reads into the same setting.
var envVars = map[string]string{
	"data":              "MUTUAL_DATA",
	"db":                "MUTUAL_DATABASE_URL",
	"addr":              "MUTUAL_ADDR",
	"themes":            "MUTUAL_THEMES",
	"no-demo":           "MUTUAL_NO_DEMO",
	"no-radar":          "MUTUAL_NO_RADAR",
	"secure-cookies":    "MUTUAL_SECURE_COOKIES",
	"trusted-proxies":   "MUTUAL_TRUSTED_PROXIES",
	"log-level":         "MUTUAL_LOG_LEVEL",
	"pprof":             "MUTUAL_PPROF_ADDR",
	"metrics-token":     "MUTUAL_METRICS_TOKEN",
	"login-per-minute":  "MUTUAL_LOGIN_PER_MINUTE",
	"post-interval":     "MUTUAL_POST_INTERVAL",
	"job-interval":      "MUTUAL_JOB_INTERVAL",
	"detector-interval": "MUTUAL_JOB_INTERVAL",
	"smtp-host":         "MUTUAL_SMTP_HOST",
	"smtp-username":     "MUTUAL_SMTP_USERNAME",
	"smtp-password":     "MUTUAL_SMTP_PASSWORD",
	"smtp-tls":          "MUTUAL_SMTP_TLS",
	"mail-from":         "MUTUAL_MAIL_FROM",
	"site-url":          "MUTUAL_SITE_URL",
	"smtp-port":         "MUTUAL_SMTP_PORT",
	"reminder-days":     "MUTUAL_REMINDER_DAYS",
	"mail-interval":     "MUTUAL_MAIL_INTERVAL",
}

// EnvVar is the MUTUAL_* variable that sets the same as the flag named, or
// "" when only the flag sets it. Command help shows it beside the flag.
func EnvVar(flag string) string { return envVars[flag] }

// EnvVars lists every flag that a MUTUAL_* variable also sets, with the variable.
func EnvVars() map[string]string { return maps.Clone(envVars) }

// envReader reads variables that are set into their settings and collects
// what is wrong with the rest.
type envReader struct{ errs []error }

func (e *envReader) str(name string, dst *string) {
	if v, ok := os.LookupEnv(name); ok {
		*dst = v
	}
}

func (e *envReader) boolean(name string, dst *bool) {
	v, ok := os.LookupEnv(name)
	if !ok {
		return
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		e.errs = append(e.errs, fmt.Errorf("%s: %q is not true or false", name, v))
		return
	}
	*dst = b
}

// number reads a whole number of at least least; what says what it must be.
func (e *envReader) number(name string, dst *int, least int, what string) {
	v, ok := os.LookupEnv(name)
	if !ok {
		return
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < least {
		e.errs = append(e.errs, fmt.Errorf("%s: %q is not %s", name, v, what))
	}
	*dst = n
}

// duration reads a duration of at least least; example is a good value.
func (e *envReader) duration(name string, dst *time.Duration, least time.Duration, example string) {
	v, ok := os.LookupEnv(name)
	if !ok {
		return
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < least {
		e.errs = append(e.errs, fmt.Errorf("%s: %q is not a duration like %s", name, v, example))
	}
	*dst = d
}

// Proxies is TrustedProxies as a list, each checked to be an IP address or
// a CIDR range.
func (c Config) Proxies() ([]string, error) {
	var out []string
	for p := range strings.SplitSeq(c.TrustedProxies, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if _, _, err := net.ParseCIDR(p); err != nil && net.ParseIP(p) == nil {
			return nil, fmt.Errorf("--trusted-proxies: %q is not an IP address or a CIDR range like 10.0.0.0/8", p)
		}
		out = append(out, p)
	}
	return out, nil
}
