package app

import (
	"context"
	"time"

	"github.com/gin-gonic/gin"

	"mutual/account"
	"mutual/app/accountweb"
	"mutual/app/discoveryweb"
	"mutual/app/escalationweb"
	"mutual/app/forumweb"
	"mutual/app/incidentweb"
	"mutual/app/moderationweb"
	"mutual/app/reputationweb"
	"mutual/app/ssoweb"
	"mutual/escalation"
	"mutual/forum"
	"mutual/incident"
	"mutual/moderation"
	"mutual/radar"
	"mutual/report/deflection"
	"mutual/sqldb"
	"mutual/sso"
)

// The adapters below give one capability's HTTP package what another
// declares it needs, so that no capability imports another's: the consumer
// names the shape, and app/, which sees them all, fits one to the other.

// forumReputation is the reputation capability as the forum pages need it.
type forumReputation struct{ *reputationweb.Handlers }

func (r forumReputation) ThreadPage(c *gin.Context, id int64, cur forum.Cursor) (forum.ThreadPage, forumweb.RepSlot, error) {
	pg, info, err := r.Handlers.ThreadPage(c, id, cur)
	return pg, info, err
}

func (r forumReputation) TopHelpers(ctx context.Context, bd forum.Board) any {
	return r.Handlers.TopHelpers(ctx, bd)
}

func (r forumReputation) Profile(ctx context.Context, brandID int64, u account.User) (string, any, error) {
	v, err := r.Handlers.Profile(ctx, brandID, u)
	return v.Rank, v, err
}

// forumEscalations is the escalation slot as the thread page needs it.
type forumEscalations struct{ *escalationweb.Handlers }

func (e forumEscalations) ThreadSlot(c *gin.Context, t forum.Thread) any {
	if s := e.Handlers.ThreadInfo(c, t); s != nil {
		return s
	}
	return nil
}

// reportSLAs are the escalation settings' SLAs as the report reads and
// changes them: the escalation settings keep the one value of each.
type reportSLAs struct{ esc *escalation.Service }

func (e reportSLAs) SLAs(ctx context.Context, brandID int64) (deflection.SLAs, error) {
	st, err := e.esc.BrandSettings(ctx, brandID)
	return deflection.SLAs{Peer: st.PeerSLA, Agent: st.AgentSLA}, err
}

func (e reportSLAs) SetSLAs(ctx context.Context, brandID int64, s deflection.SLAs) error {
	_, err := e.esc.UpdateSettings(ctx, brandID, escalation.Update{PeerSLA: &s.Peer, AgentSLA: &s.Agent})
	return err
}

// forumModeration is the moderation slot as the thread page needs it.
type forumModeration struct{ *moderationweb.Handlers }

func (m forumModeration) ThreadSlot(c *gin.Context, t forum.Thread) (any, error) {
	s, err := m.Handlers.ThreadSlot(c, t)
	if s == nil || err != nil {
		return nil, err
	}
	return s, nil
}

// askAgain shows the forum's Ask form with what the discovery check found.
func askAgain(f *forumweb.Handlers) func(c *gin.Context, d discoveryweb.Draft) {
	return func(c *gin.Context, d discoveryweb.Draft) { f.AskAgain(c, forumweb.Draft(d)) }
}

// federation gives the sign-in and join pages the brand's single sign-on
// buttons.
func federation(h *ssoweb.Handlers) func(ctx context.Context, brandID int64, next string) (accountweb.Federation, error) {
	return func(ctx context.Context, brandID int64, next string) (accountweb.Federation, error) {
		buttons, off, err := h.Buttons(ctx, brandID, next)
		f := accountweb.Federation{PasswordOff: off}
		for _, b := range buttons {
			f.Buttons = append(f.Buttons, accountweb.FederatedButton(b))
		}
		return f, err
	}
}

// ssoAudit records admins' single sign-on changes in the moderation audit
// log.
func ssoAudit(m *moderation.Service) sso.Audit {
	return func(ctx context.Context, tx *sqldb.Tx, actor account.Actor, act string, id int64, before, after any) error {
		target := "sso_provider"
		if id == 0 {
			target = "sso_settings"
		}
		return m.RecordStaffAct(ctx, tx, actor, act, target, id, before, after)
	}
}

// escalationIncidents is the incident lane as the console, the supervisor
// page and the escalation stats API show it.
type escalationIncidents struct {
	web *incidentweb.Handlers
	svc *incident.Service
}

func (e escalationIncidents) Banner(c *gin.Context) any { return e.web.Banner(c) }

func (e escalationIncidents) Figures(ctx context.Context, brandID int64) (escalationweb.IncidentFigures, error) {
	st, err := e.svc.Stats(ctx, brandID)
	if err != nil {
		return escalationweb.IncidentFigures{}, err
	}
	set, err := e.svc.Settings(ctx, brandID)
	return escalationweb.IncidentFigures{Open: st.Open, Unacknowledged: st.Unacknowledged, Breached: st.Breached,
		BreachedOpen: st.BreachedOpen, AckSLASeconds: int(set.AckSLA.Seconds())}, err
}

// reportIncidents counts a period's incidents against their acknowledgement
// SLA for the deflection report.
func reportIncidents(svc *incident.Service) func(ctx context.Context, brandID int64, from, to time.Time) (deflection.Compliance, error) {
	return func(ctx context.Context, brandID int64, from, to time.Time) (deflection.Compliance, error) {
		within, due, err := svc.Compliance(ctx, brandID, from, to)
		return deflection.Compliance{Within: within, Due: due}, err
	}
}

// radarAlarm hands each burst the radar finds to its recorder (the trends
// page lists it) and to the brand-defence lane as an incident, once the
// radar has learnt the brand's usual rhythm, and unless the group's
// incident was closed within the burst's episode: the same outage is not
// raised twice.
type radarAlarm struct {
	record    radar.Alarm
	radar     *radar.Service
	incidents *incident.Service
	forum     *forum.Service
	episode   time.Duration
}

func (r radarAlarm) Raise(ctx context.Context, b radar.Burst) error {
	if err := r.record.Raise(ctx, b); err != nil {
		return err
	}
	learned, err := r.radar.LearnedBy(ctx, b.BrandID, b.DetectedAt)
	if err != nil || !learned {
		return err
	}
	closed, err := r.incidents.ClosedSince(ctx, b.BrandID, b.GroupKey, b.DetectedAt.Add(-r.episode))
	if err != nil || closed {
		return err
	}
	if b.Label == "" && len(b.ThreadIDs) > 0 {
		// A burst of words the brand already uses (the same outage a month
		// on) has no unusual ones: its first question names it.
		first, err := r.forum.Thread(ctx, b.BrandID, b.ThreadIDs[0])
		if err != nil {
			return err
		}
		b.Label = first.Title
	}
	_, _, err = r.incidents.Raise(ctx, incident.Raised(b))
	return err
}
