package notify

import (
	"context"
	"errors"
	"fmt"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// smtpMailer sends composed mail over SMTP with go-mail.
type smtpMailer struct {
	cfg Config
}

// sendErr is one message's failure and whether trying again may help.
type sendErr struct {
	err   error
	retry bool
}

// send delivers msgs over one connection. It returns a failure per message
// (nil for delivered). A connection that cannot be made fails them all,
// retryably.
func (m *smtpMailer) send(ctx context.Context, msgs []Message) []*sendErr {
	out := make([]*sendErr, len(msgs))
	opts := []gomail.Option{gomail.WithPort(m.cfg.SMTPPort), gomail.WithTimeout(20 * time.Second)}
	switch m.cfg.SMTPTLS {
	case "tls":
		opts = append(opts, gomail.WithSSL())
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if m.cfg.SMTPUsername != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(m.cfg.SMTPUsername), gomail.WithPassword(m.cfg.SMTPPassword))
	}
	fail := func(err error) []*sendErr {
		for i := range out {
			out[i] = &sendErr{err: err, retry: true}
		}
		return out
	}
	c, err := gomail.NewClient(m.cfg.SMTPHost, opts...)
	if err != nil {
		return fail(fmt.Errorf("smtp client: %w", err))
	}
	if err := c.DialWithContext(ctx); err != nil {
		return fail(fmt.Errorf("smtp connect: %w", err))
	}
	defer c.Close()
	for i, msg := range msgs {
		gm := gomail.NewMsg()
		if err := gm.From(m.cfg.MailFrom); err != nil {
			out[i] = &sendErr{err: fmt.Errorf("from address: %w", err), retry: false}
			continue
		}
		if err := gm.To(msg.To); err != nil {
			out[i] = &sendErr{err: fmt.Errorf("recipient: %w", err), retry: false}
			continue
		}
		gm.Subject(msg.Subject)
		gm.SetMessageID()
		gm.SetDate()
		gm.SetGenHeader("Auto-Submitted", "auto-generated")
		if msg.UnsubscribeURL != "" {
			// RFC 2369 and RFC 8058: mail clients offer an unsubscribe button
			// that POSTs to the link, with no page in between.
			gm.SetGenHeader("List-Unsubscribe", "<"+msg.UnsubscribeURL+">")
			gm.SetGenHeader("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
		}
		gm.SetBodyString(gomail.TypeTextPlain, msg.Text)
		if err := c.Send(gm); err != nil {
			out[i] = &sendErr{err: err, retry: retryable(err)}
		}
	}
	return out
}

// retryable is false only for a permanent SMTP refusal (5xx): the
// address or message will not be accepted later either.
func retryable(err error) bool {
	var se *gomail.SendError
	if errors.As(err, &se) {
		if code := se.ErrorCode(); code >= 500 && code < 600 {
			return false
		}
	}
	return true
}
