package notify

import (
	"fmt"
	"strings"
	"time"

	"mutual/i18n"
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

// Compose writes the mail in loc's language (the recipient's). site is the
// brand's base URL (no trailing slash); links are signed with signer.
func (m Mail) Compose(loc *i18n.Localizer, site string, signer *Signer, now time.Time) Message {
	msg := Message{To: m.To.Email}
	var b strings.Builder
	b.WriteString(loc.T("nf.hi", "Name", m.To.Username) + "\n\n")
	subject := func(s string) string { return oneLine("[" + m.BrandName + "] " + s) }
	if m.Kind == MailVerify {
		tok := signer.Sign(Claims{Purpose: PurposeVerify, BrandID: m.BrandID, UserID: m.To.UserID, Email: m.To.Email, Expires: now.Add(VerifyTTL)})
		msg.Subject = subject(loc.T("nf.verify_subject"))
		fmt.Fprintf(&b, "%s\n\n%s/verify-email/%s\n\n", loc.T("nf.verify_body", "Email", m.To.Email, "Brand", m.BrandName), site, tok)
		b.WriteString(loc.T("nf.verify_foot") + "\n")
		msg.Text = b.String()
		return msg
	}
	if m.Kind == MailReset {
		msg.Subject = subject(loc.T("nf.reset_subject"))
		b.WriteString(loc.T("nf.reset_body", "Brand", m.BrandName, "Name", m.To.Username) + "\n\n")
		fmt.Fprintf(&b, "%s\n\n%s/password/reset/%s\n\n", loc.T("nf.reset_choose"), site, m.ResetToken)
		b.WriteString(loc.T("nf.reset_foot") + "\n")
		msg.Text = b.String()
		return msg
	}
	msg.UnsubscribeURL = site + "/unsubscribe/" + signer.Sign(Claims{Purpose: PurposeUnsubscribe, BrandID: m.BrandID, UserID: m.To.UserID})
	switch m.Kind {
	case MailTrends:
		msg.Subject = subject(m.composeTrends(loc, site, &b))
	case MailDigest:
		msg.Subject = subject(loc.N("nf.digest_subject", int64(len(m.Notifications))))
		b.WriteString(loc.T("nf.digest_lede") + "\n\n")
		for _, n := range m.Notifications {
			fmt.Fprintf(&b, "- %s\n  %s%s\n", n.Text(loc), site, n.URL())
		}
		b.WriteString("\n")
	default:
		n := m.Notifications[0]
		msg.Subject = subject(subjectOf(loc, n))
		b.WriteString(n.Text(loc) + ".\n\n")
		if m.Excerpt != "" {
			for _, line := range strings.Split(m.Excerpt, "\n") {
				b.WriteString("> " + line + "\n")
			}
			b.WriteString("\n")
		}
		b.WriteString(loc.T("nf.open_it", "URL", site+n.URL()) + "\n\n")
	}
	b.WriteString("-- \n" + loc.T("nf.foot_from", "Brand", m.BrandName, "URL", site+"/settings/notifications") + "\n")
	b.WriteString(loc.T("nf.foot_stop", "URL", msg.UnsubscribeURL) + "\n")
	msg.Text = b.String()
	return msg
}

func subjectOf(loc *i18n.Localizer, n Notification) string {
	t := truncate(n.ThreadTitle, 90)
	switch n.Kind {
	case KindReply:
		if n.ActorCount > 1 {
			return loc.N("nf.subj_replies", n.ActorCount, "Title", t)
		}
		return loc.T("nf.subj_reply", "Title", t)
	case KindMention:
		return loc.T("nf.subj_mention", "Who", n.ActorName, "Title", t)
	case KindAccepted:
		return loc.T("nf.subj_accepted", "Title", t)
	case KindNewThread:
		return loc.T("nf.subj_new_thread", "Title", t)
	case KindReminder:
		return loc.T("nf.subj_reminder", "Title", t)
	case KindModeration:
		return loc.T("nf.subj_moderation")
	case KindIncident:
		return loc.T("incident.nf_subject", "Label", truncate(n.Note, 90))
	}
	return loc.T("nf.subj_other", "Title", t)
}

// oneLine keeps a header value on one line whatever a title holds, so no
// text a member wrote can start another header.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\r' || r == '\n' || r == 0 }), " ")
}
