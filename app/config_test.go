package app_test

import (
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
