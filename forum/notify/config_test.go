package notify

import (
	"testing"
)

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
