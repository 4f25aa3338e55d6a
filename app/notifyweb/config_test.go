package notifyweb

import (
	"strings"
	"testing"
	"time"
)

// The variables override the defaults; bad numbers and durations are named.
func TestConfigFromEnv(t *testing.T) {
	t.Setenv("MUTUAL_SMTP_HOST", "mail.test")
	t.Setenv("MUTUAL_SMTP_PORT", "2525")
	t.Setenv("MUTUAL_MAIL_INTERVAL", "30s")
	c := DefaultConfig()
	if err := c.FromEnv(); err != nil {
		t.Fatal(err)
	}
	if !c.MailOn() || c.SMTPPort != 2525 || c.MailInterval != 30*time.Second || c.SMTPTLS != "starttls" {
		t.Errorf("config = %+v", c)
	}
	t.Setenv("MUTUAL_REMINDER_DAYS", "three")
	t.Setenv("MUTUAL_MAIL_INTERVAL", "often")
	err := c.FromEnv()
	if err == nil || !strings.Contains(err.Error(), "MUTUAL_REMINDER_DAYS") || !strings.Contains(err.Error(), "MUTUAL_MAIL_INTERVAL") {
		t.Errorf("err = %v", err)
	}
}

func TestConfigValidate(t *testing.T) {
	c := DefaultConfig()
	if err := c.Validate(); err != nil {
		t.Errorf("defaults: %v", err)
	}
	c.SMTPTLS = "ssl"
	if err := c.Validate(); err == nil {
		t.Error("smtp-tls ssl accepted")
	}
	c = DefaultConfig()
	c.SMTPHost, c.SMTPPort = "mail.test", 70000
	if err := c.Validate(); err == nil {
		t.Error("port 70000 accepted")
	}
}
