package notify

import (
	"flag"
	"fmt"
	"time"
)

// Config is how notifications reach members by email, and when the
// unsolved-question reminder goes out. Email is off until SMTPHost is set.
type Config struct {
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

// DefaultConfig is the configuration before flags and environment.
func DefaultConfig() Config {
	return Config{SMTPPort: 587, SMTPTLS: "starttls", MailFrom: "Mutual <noreply@localhost>",
		SiteURL: "https://{host}", MailInterval: 10 * time.Second, ReminderDays: 3}
}

// MailOn reports whether email is configured.
func (n Config) MailOn() bool { return n.SMTPHost != "" }

// RegisterFlags adds the mail and reminder flags.
func (n *Config) RegisterFlags(fs *flag.FlagSet) {
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

// Validate checks the mail settings that flags and variables cannot.
func (n Config) Validate() error {
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
