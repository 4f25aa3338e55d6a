package app

import (
	"flag"
	"fmt"
	"time"
)

// NotifyConfig is how notifications reach members by email, and when the
// unsolved-question reminder goes out. Email is off until SMTPHost is set.
type NotifyConfig struct {
	SMTPHost     string        // MUTUAL_SMTP_HOST: empty turns email off
	SMTPPort     int           // MUTUAL_SMTP_PORT
	SMTPUsername string        // MUTUAL_SMTP_USERNAME: empty for no authentication
	SMTPPassword string        // MUTUAL_SMTP_PASSWORD (prefer the variable: flags show in ps)
	SMTPTLS      string        // MUTUAL_SMTP_TLS: starttls (required), tls (implicit, port 465) or none (loopback relays only)
	MailFrom     string        // MUTUAL_MAIL_FROM: the From address
	SiteURL      string        // MUTUAL_SITE_URL: base of links in mail; {host} is the brand's host
	MailInterval time.Duration // MUTUAL_MAIL_INTERVAL: how often the sender looks for due mail
	ReminderDays int           // MUTUAL_REMINDER_DAYS: days after the first reply to remind an asker; 0 turns reminders off
}

func defaultNotifyConfig() NotifyConfig {
	return NotifyConfig{SMTPPort: 587, SMTPTLS: "starttls", MailFrom: "Mutual <noreply@localhost>",
		SiteURL: "https://{host}", MailInterval: 10 * time.Second, ReminderDays: 3}
}

// MailOn reports whether email is configured.
func (n NotifyConfig) MailOn() bool { return n.SMTPHost != "" }

func (n *NotifyConfig) registerFlags(fs *flag.FlagSet) {
	fs.StringVar(&n.SMTPHost, "smtp-host", n.SMTPHost, "SMTP server for notification mail; empty turns email off (env MUTUAL_SMTP_HOST)")
	fs.IntVar(&n.SMTPPort, "smtp-port", n.SMTPPort, "SMTP port (env MUTUAL_SMTP_PORT)")
	fs.StringVar(&n.SMTPUsername, "smtp-username", n.SMTPUsername, "SMTP user; empty for none (env MUTUAL_SMTP_USERNAME)")
	fs.StringVar(&n.SMTPPassword, "smtp-password", n.SMTPPassword, "SMTP password; prefer the env MUTUAL_SMTP_PASSWORD")
	fs.StringVar(&n.SMTPTLS, "smtp-tls", n.SMTPTLS, "starttls, tls or none (env MUTUAL_SMTP_TLS)")
	fs.StringVar(&n.MailFrom, "mail-from", n.MailFrom, "From address of notification mail (env MUTUAL_MAIL_FROM)")
	fs.StringVar(&n.SiteURL, "site-url", n.SiteURL, "base URL of links in mail; {host} is the brand's host (env MUTUAL_SITE_URL)")
	fs.DurationVar(&n.MailInterval, "mail-interval", n.MailInterval, "how often queued mail is sent (env MUTUAL_MAIL_INTERVAL)")
	fs.IntVar(&n.ReminderDays, "reminder-days", n.ReminderDays, "remind askers to accept an answer this many days after the first reply; 0 is off (env MUTUAL_REMINDER_DAYS)")
}

func (n *NotifyConfig) fromEnv(e *envReader) {
	e.str("MUTUAL_SMTP_HOST", &n.SMTPHost)
	e.integer("MUTUAL_SMTP_PORT", &n.SMTPPort, 0, "a number")
	e.str("MUTUAL_SMTP_USERNAME", &n.SMTPUsername)
	e.str("MUTUAL_SMTP_PASSWORD", &n.SMTPPassword)
	e.str("MUTUAL_SMTP_TLS", &n.SMTPTLS)
	e.str("MUTUAL_MAIL_FROM", &n.MailFrom)
	e.str("MUTUAL_SITE_URL", &n.SiteURL)
	e.duration("MUTUAL_MAIL_INTERVAL", &n.MailInterval, time.Nanosecond, "10s")
	e.integer("MUTUAL_REMINDER_DAYS", &n.ReminderDays, 0, "a number")
}

func (n NotifyConfig) validate() error {
	switch n.SMTPTLS {
	case "starttls", "tls", "none":
	default:
		return fmt.Errorf("--smtp-tls must be starttls, tls or none (got %q)", n.SMTPTLS)
	}
	if n.MailOn() && (n.SMTPPort <= 0 || n.SMTPPort > 65535) {
		return fmt.Errorf("--smtp-port %d is not a port", n.SMTPPort)
	}
	return nil
}
