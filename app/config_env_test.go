package app

import (
	"strings"
	"testing"
	"time"
)

// TestFromEnv pins what the MUTUAL_* variables set, for the server's and the
// mail's settings alike, and that every bad value is reported at once.
func TestFromEnv(t *testing.T) {
	t.Setenv("MUTUAL_ADDR", ":9999")
	t.Setenv("MUTUAL_NO_DEMO", "true")
	t.Setenv("MUTUAL_LOGIN_PER_MINUTE", "7")
	t.Setenv("MUTUAL_JOB_INTERVAL", "0")
	t.Setenv("MUTUAL_SMTP_HOST", "mail.test")
	t.Setenv("MUTUAL_SMTP_PORT", "2525")
	t.Setenv("MUTUAL_MAIL_INTERVAL", "2s")
	c := DefaultConfig()
	if err := c.FromEnv(); err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":9999" || !c.NoDemo || c.LoginPerMin != 7 || c.JobInterval != 0 ||
		c.Notify.SMTPHost != "mail.test" || c.Notify.SMTPPort != 2525 || c.Notify.MailInterval != 2*time.Second {
		t.Errorf("config = %+v", c)
	}

	t.Setenv("MUTUAL_NO_DEMO", "maybe")
	t.Setenv("MUTUAL_LOGIN_PER_MINUTE", "0")
	t.Setenv("MUTUAL_POST_INTERVAL", "-1s")
	t.Setenv("MUTUAL_SMTP_PORT", "x")
	t.Setenv("MUTUAL_MAIL_INTERVAL", "0s")
	c = DefaultConfig()
	err := c.FromEnv()
	if err == nil {
		t.Fatal("bad values were taken")
	}
	for _, want := range []string{
		`MUTUAL_NO_DEMO: "maybe" is not true or false`,
		`MUTUAL_LOGIN_PER_MINUTE: "0" is not a positive number`,
		`MUTUAL_POST_INTERVAL: "-1s" is not a duration like 3s`,
		`MUTUAL_SMTP_PORT: "x" is not a number`,
		`MUTUAL_MAIL_INTERVAL: "0s" is not a duration like 10s`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}
