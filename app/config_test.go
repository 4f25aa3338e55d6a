package app_test

import (
	"flag"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"mutual/app"
)

// Every MUTUAL_* variable, the notification settings included, reaches the
// configuration, and every bad value is reported at once by name.
func TestConfigFromEnv(t *testing.T) {
	for name, v := range map[string]string{
		"MUTUAL_ADDR": "0.0.0.0:9000", "MUTUAL_NO_DEMO": "true", "MUTUAL_LOGIN_PER_MINUTE": "9",
		"MUTUAL_POST_INTERVAL": "0s", "MUTUAL_SMTP_HOST": "mail.test", "MUTUAL_SMTP_PORT": "465",
		"MUTUAL_MAIL_INTERVAL": "1m", "MUTUAL_REMINDER_DAYS": "0",
	} {
		t.Setenv(name, v)
	}
	cfg := app.DefaultConfig()
	if err := cfg.FromEnv(); err != nil {
		t.Fatal(err)
	}
	n := cfg.Notify
	if cfg.Addr != "0.0.0.0:9000" || !cfg.NoDemo || cfg.LoginPerMin != 9 || cfg.PostInterval != 0 ||
		n.SMTPHost != "mail.test" || n.SMTPPort != 465 || n.MailInterval != time.Minute || n.ReminderDays != 0 {
		t.Errorf("from the environment: %+v", cfg)
	}

	for name, v := range map[string]string{
		"MUTUAL_NO_DEMO": "maybe", "MUTUAL_LOGIN_PER_MINUTE": "0", "MUTUAL_POST_INTERVAL": "-1s",
		"MUTUAL_SMTP_PORT": "x", "MUTUAL_MAIL_INTERVAL": "0s",
	} {
		t.Setenv(name, v)
	}
	cfg = app.DefaultConfig()
	err := cfg.FromEnv()
	if err == nil {
		t.Fatal("bad values accepted")
	}
	for _, want := range []string{
		`MUTUAL_NO_DEMO: "maybe" is not true or false`,
		`MUTUAL_LOGIN_PER_MINUTE: "0" is not a positive number`,
		`MUTUAL_POST_INTERVAL: "-1s" is not a duration like 3s`,
		`MUTUAL_SMTP_PORT: "x" is not a number`,
		`MUTUAL_MAIL_INTERVAL: "0s" is not a duration like 10s`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

// Each flag's MUTUAL_* variable, as help prints it, sets what the flag sets;
// and every variable FromEnv reads is named for its flag.
func TestEnvVarsNameTheirFlags(t *testing.T) {
	flags := flag.NewFlagSet("", flag.ContinueOnError)
	cfg := app.DefaultConfig()
	cfg.RegisterFlags(flags, true)
	named := map[string]bool{}
	for name, env := range app.EnvVars() {
		named[env] = true
		f := flags.Lookup(name)
		if f == nil {
			t.Errorf("%s names flag --%s, which no command has", env, name)
			continue
		}
		var v string
		switch f.Value.(flag.Getter).Get().(type) {
		case bool:
			v = strconv.FormatBool(f.DefValue != "true")
		case int:
			v = "7"
		case time.Duration:
			v = "7s"
		default:
			v = "set-by-" + env
		}
		t.Setenv(env, v)
		got := app.DefaultConfig()
		if err := got.FromEnv(); err != nil {
			t.Fatalf("%s=%s: %v", env, v, err)
		}
		fs := flag.NewFlagSet("", flag.ContinueOnError)
		got.RegisterFlags(fs, true)
		if s := fs.Lookup(name).Value.String(); s != v {
			t.Errorf("%s=%s sets --%s to %q", env, v, name, s)
		}
		os.Unsetenv(env)
	}
	src, err := os.ReadFile("config.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, env := range regexp.MustCompile(`e\.\w+\("(MUTUAL_[A-Z_]+)"`).FindAllStringSubmatch(string(src), -1) {
		if !named[env[1]] {
			t.Errorf("FromEnv reads %s, but no flag names it: add it to envVars", env[1])
		}
	}
	if len(named) < 20 {
		t.Errorf("only %d variables named", len(named))
	}
}
