package reportweb

import (
	"strconv"
	"time"

	"mutual/i18n"
	"mutual/report/deflection"
)

// figure is one line of the report: what, how much, how computed.
type figure struct {
	Key, Label, Value, How string
	Assumption             bool
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// figures lists every figure with how it was computed, in loc's language.
func figures(loc *i18n.Localizer, r *deflection.Report) []figure {
	f := r.Totals
	pct := func(v float64) string { return loc.Percent(v) }
	money := func(m int64) string { return loc.Money(m, r.Currency) }
	dur := func(sec float64, n int) string {
		if n == 0 {
			return loc.T("fig.none")
		}
		return loc.Duration(deflection.Duration(sec).Round(time.Second))
	}
	rate := loc.T("fig.rate_measured", "Pct", pct(r.Rate.Percent), "Yes", r.Rate.Yes, "Answers", r.Rate.Answers)
	if !r.Rate.Measured {
		rate = loc.T("fig.rate_assumed", "Pct", pct(r.Rate.Percent), "Answers", r.Rate.Answers, "Min", r.Rate.Minimum)
	}
	timing := func(t deflection.Timing) string {
		return loc.T("fig.timing", "Median", dur(t.MedianSeconds, t.N), "P90", dur(t.P90Seconds, t.N), "N", t.N)
	}
	sla := func(c deflection.Compliance) string {
		if c.Due == 0 {
			return loc.T("fig.none_due")
		}
		return loc.T("fig.sla", "Pct", pct(c.Percent), "Within", c.Within, "Due", c.Due)
	}
	n := func(v int) string { return loc.Int(int64(v)) }
	fig := func(key, value string, args ...any) figure {
		return figure{Key: key, Label: loc.T("fig." + key), Value: value, How: loc.T("fig."+key+"_how", args...)}
	}
	assumed := func(fg figure) figure { fg.Assumption = !r.Rate.Measured; return fg }
	// Self-service counts knowledge-base articles' readers with solved
	// threads' readers, and says so.
	selfService := fig("self_service", loc.Float(f.SelfService, 2))
	selfService.How = loc.T("kb.self_service_how", "Views", f.SolvedViews, "Articles", f.ArticleViews, "Contacts", f.ContactsFromSolved, "Rate", rate)
	out := []figure{
		fig("asked", n(f.Asked)),
		fig("peer_answered", n(f.PeerAnswered)),
		fig("peer_resolved", n(f.PeerResolved)),
		fig("escalated", n(f.Escalated)),
		fig("late_peer", n(f.LatePeer)),
		fig("agent_resolved", n(f.AgentResolved)),
		{Key: "answered_by_ticketing", Label: loc.T("loop.fig_ticketing"), Value: n(f.TicketingAnswered), How: loc.T("loop.fig_ticketing_how")},
		fig("resolved_otherwise", n(f.OtherResolved)),
		fig("unresolved", n(f.Unresolved)),
		fig("escalation_rate", pct(f.EscalationRate)),
		fig("direct_raw", n(f.DirectRaw)),
		fig("direct", n(f.DirectCorrected), "N", f.Recontacted),
		fig("suggestions", n(f.SuggestionDeflections)),
		assumed(selfService),
		assumed(fig("saving", money(f.SavingMinor), "Contacts", loc.Float(f.DeflectedContacts, 2), "Cost", money(r.CostMinor),
			"Gross", money(f.GrossSavingMinor), "Escalations", f.AgentEscalations, "AgentCost", money(f.AgentCostMinor))),
		fig("first_peer", timing(f.FirstPeerAnswer)),
		fig("accepted", timing(f.AcceptedAnswer)),
		fig("agent_claim", timing(f.AgentClaim)),
		fig("agent_answer", timing(f.AgentAnswer)),
		fig("first_answer_sla", sla(f.FirstAnswerSLA), "SLA", dur(float64(r.EscalationSLASeconds), 1)),
		fig("agent_sla", sla(f.AgentSLA), "SLA", dur(float64(r.AgentSLASeconds), 1)),
	}
	if r.IncidentSLA != nil {
		out = append(out, figure{Key: "incident_sla", Label: loc.T("incident.fig_sla"), Value: sla(*r.IncidentSLA),
			How: loc.T("incident.fig_sla_how")})
	}
	return out
}
