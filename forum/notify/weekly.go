package notify

import (
	"context"
	"fmt"
	"strings"

	"mutual/i18n"
	"mutual/sqldb"
)

// MailTrends is the weekly trends mail to a brand's client managers: what
// the radar saw (emerging issues, rising topics, the largest groups of
// look-alike questions), with a link to the trends page.
const MailTrends = "trends"

// Weekly is what the trends mail says; app/ fills it from the radar through
// Store.Weekly when the mail goes.
type Weekly struct {
	Threads int          // threads asked in the last 7 days
	Bursts  []WeeklyLine // emerging issues: label and threads
	Rising  []WeeklyLine // "board: term" and threads
	Groups  []WeeklyLine // a group's first question and its threads this week
}

// WeeklyLine is one line of the trends mail.
type WeeklyLine struct {
	Text  string
	Count int
}

// QueueTrends queues the weekly trends mail to a member.
func (s *Store) QueueTrends(ctx context.Context, q sqldb.Querier, brandID, userID int64) error {
	now := sqldb.Millis(s.now())
	_, err := q.Exec(ctx, `INSERT INTO notify_outbox (brand_id, user_id, kind, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?)`,
		brandID, userID, MailTrends, now, now)
	if err != nil {
		return fmt.Errorf("notify: queue trends mail: %w", err)
	}
	return nil
}

// composeTrends writes the trends mail's subject and body.
func (m Mail) composeTrends(loc *i18n.Localizer, site string, b *strings.Builder) string {
	w := m.Weekly
	b.WriteString(loc.N("radar.mail_lede", int64(w.Threads), "Brand", m.BrandName) + "\n\n")
	section := func(title string, lines []WeeklyLine, empty string) {
		b.WriteString(title + "\n")
		if len(lines) == 0 {
			b.WriteString("  " + empty + "\n")
		}
		for _, l := range lines {
			b.WriteString("- " + oneLine(l.Text) + " (" + loc.N("radar.in_threads", int64(l.Count)) + ")\n")
		}
		b.WriteString("\n")
	}
	section(loc.T("radar.bursts_h"), w.Bursts, loc.T("radar.no_bursts"))
	section(loc.T("radar.rising_h"), w.Rising, loc.T("radar.nothing_rising"))
	section(loc.T("radar.groups_h"), w.Groups, loc.T("radar.no_groups"))
	b.WriteString(loc.T("radar.mail_open", "URL", site+"/reports/trends") + "\n\n")
	return loc.T("radar.mail_subject")
}
