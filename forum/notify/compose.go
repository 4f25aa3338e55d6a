package notify

import (
	"fmt"
	"strings"
	"time"
)

// Message is a mail ready for a sender: plain text, with the unsubscribe
// link that the List-Unsubscribe headers carry (empty for verification and
// password reset, which are not subscriptions).
type Message struct {
	To             string
	Subject        string
	Text           string
	UnsubscribeURL string
}

// Compose writes the mail. site is the brand's base URL (no trailing slash);
// links are signed with signer.
func (m Mail) Compose(site string, signer *Signer, now time.Time) Message {
	msg := Message{To: m.To.Email}
	var b strings.Builder
	fmt.Fprintf(&b, "Hi %s,\n\n", m.To.Username)
	if m.Kind == MailVerify {
		tok := signer.Sign(Claims{Purpose: PurposeVerify, BrandID: m.BrandID, UserID: m.To.UserID, Email: m.To.Email, Expires: now.Add(VerifyTTL)})
		msg.Subject = oneLine(fmt.Sprintf("[%s] Confirm your email address", m.BrandName))
		fmt.Fprintf(&b, "Please confirm that %s is your address, so the %s community can send you notifications:\n\n%s/verify-email/%s\n\n",
			m.To.Email, m.BrandName, site, tok)
		b.WriteString("The link works for 7 days. If you did not join, ignore this mail and nothing will be sent again.\n")
		msg.Text = b.String()
		return msg
	}
	if m.Kind == MailReset {
		msg.Subject = oneLine(fmt.Sprintf("[%s] Reset your password", m.BrandName))
		fmt.Fprintf(&b, "Someone, we hope you, asked to reset the password of your account on the %s community. Your username is %s.\n\n",
			m.BrandName, m.To.Username)
		fmt.Fprintf(&b, "Choose a new password here:\n\n%s/password/reset/%s\n\n", site, m.ResetToken)
		b.WriteString("The link works once, for one hour. Setting a new password signs you out everywhere else.\n" +
			"If you did not ask, ignore this mail: your password stays as it is.\n")
		msg.Text = b.String()
		return msg
	}
	msg.UnsubscribeURL = site + "/unsubscribe/" + signer.Sign(Claims{Purpose: PurposeUnsubscribe, BrandID: m.BrandID, UserID: m.To.UserID})
	switch m.Kind {
	case MailDigest:
		msg.Subject = oneLine(fmt.Sprintf("[%s] %s since yesterday", m.BrandName, plural(len(m.Notifications), "new notification")))
		b.WriteString("Here is what happened since your last summary:\n\n")
		for _, n := range m.Notifications {
			fmt.Fprintf(&b, "- %s\n  %s%s\n", n.Text(), site, n.URL())
		}
		b.WriteString("\n")
	default:
		n := m.Notifications[0]
		msg.Subject = oneLine(fmt.Sprintf("[%s] %s", m.BrandName, subject(n)))
		b.WriteString(n.Text() + ".\n\n")
		if m.Excerpt != "" {
			for _, line := range strings.Split(m.Excerpt, "\n") {
				b.WriteString("> " + line + "\n")
			}
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "Open it: %s%s\n\n", site, n.URL())
	}
	fmt.Fprintf(&b, "-- \nYou get this mail from the %s community. Choose what you hear about: %s/settings/notifications\n", m.BrandName, site)
	fmt.Fprintf(&b, "Stop all notification mail with one click: %s\n", msg.UnsubscribeURL)
	msg.Text = b.String()
	return msg
}

func subject(n Notification) string {
	t := truncate(n.ThreadTitle, 90)
	switch n.Kind {
	case KindReply:
		return "New reply: " + t
	case KindMention:
		return n.ActorName + " mentioned you: " + t
	case KindAccepted:
		return "Your answer was accepted: " + t
	case KindNewThread:
		return "New question: " + t
	case KindReminder:
		return "Did a reply solve your question? " + t
	case KindModeration:
		return "A moderator acted on your content"
	}
	return "News about " + t
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// oneLine keeps a header value on one line whatever a title holds, so no
// text a member wrote can start another header.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\r' || r == '\n' || r == 0 }), " ")
}
