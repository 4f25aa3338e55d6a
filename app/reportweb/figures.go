package reportweb

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"mutual/report/deflection"
)

// figure is one line of the report: what, how much, how computed.
type figure struct {
	Key, Label, Value, How string
	Assumption             bool
}

func dur(sec float64, n int) string {
	if n == 0 {
		return "—"
	}
	d := deflection.Duration(sec).Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm %02ds", int(d.Minutes()), int(d.Seconds())%60)
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh %02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%.1f days", d.Hours()/24)
}

func money(minor int64, currency string) string {
	return currency + " " + thousands(deflection.FormatMinor(minor))
}

// thousands groups the integer part of a decimal string: 12345.60 -> 12,345.60.
func thousands(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if frac != "" {
		return sign + b.String() + "." + frac
	}
	return sign + b.String()
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// figures lists every figure with how it was computed.
func figures(r *deflection.Report) []figure {
	f := r.Totals
	rate := fmt.Sprintf("%s%% measured from %d of %d survey answers saying yes", num(r.Rate.Percent), r.Rate.Yes, r.Rate.Answers)
	if !r.Rate.Measured {
		rate = fmt.Sprintf("%s%% ASSUMED (configured): only %d survey answers, fewer than the %d needed to measure it", num(r.Rate.Percent), r.Rate.Answers, r.Rate.Minimum)
	}
	timing := func(t deflection.Timing) string {
		return fmt.Sprintf("median %s · p90 %s (n=%d)", dur(t.MedianSeconds, t.N), dur(t.P90Seconds, t.N), t.N)
	}
	sla := func(c deflection.Compliance) string {
		if c.Due == 0 {
			return "— (none due)"
		}
		return fmt.Sprintf("%s%% (%d of %d)", num(c.Percent), c.Within, c.Due)
	}
	return []figure{
		{"asked", "Questions asked", fmt.Sprint(f.Asked), "Visible threads asked in the period (deleted, hidden and merged threads are left out). Every thread figure below is about these threads, as they stand now.", false},
		{"peer_answered", "Peer-answered", fmt.Sprint(f.PeerAnswered), "Asked threads with at least one reply from a member who is neither the asker nor staff.", false},
		{"peer_resolved", "Peer-resolved", fmt.Sprint(f.PeerResolved), "An accepted answer written by a non-staff member, and no agent act on the thread (no claim by an agent, no staff reply).", false},
		{"escalated", "Escalated to agents", fmt.Sprint(f.Escalated), "Asked threads that were escalated to the agents' queue (for any reason).", false},
		{"late_peer", "Escalation cancelled by a late peer", fmt.Sprint(f.LatePeer), "Escalated threads where a peer answered before any agent claimed it, so the escalation was cancelled.", false},
		{"agent_resolved", "Agent-resolved", fmt.Sprint(f.AgentResolved), "An agent claimed the escalation and answered it.", false},
		{"resolved_otherwise", "Resolved otherwise", fmt.Sprint(f.OtherResolved), "An accepted answer, but neither peer-resolved nor agent-resolved (e.g. a moderator's answer, or a peer answer after a staff reply).", false},
		{"unresolved", "Still unresolved", fmt.Sprint(f.Unresolved), "Asked − peer-resolved − agent-resolved − resolved otherwise.", false},
		{"escalation_rate", "Escalation rate", num(f.EscalationRate) + "%", "Escalated ÷ asked.", false},
		{"direct_raw", "Direct deflection (raw)", fmt.Sprint(f.DirectRaw), "Peer-resolved threads: each is a contact the call centre did not take.", false},
		{"direct", "Direct deflection (after re-contact)", fmt.Sprint(f.DirectCorrected), fmt.Sprintf("Raw direct deflection minus the %d whose asker opened another thread on the same board, or clicked \"Contact us\", within 7 days of asking.", f.Recontacted), false},
		{"suggestions", "Deflected at the Ask page", fmt.Sprint(f.SuggestionDeflections), "Askers who opened a suggested solved thread on the Ask page and did not post within an hour (one per asker per day).", false},
		{"self_service", "Self-service deflection", num(f.SelfService), fmt.Sprintf("(%d viewer-days on solved threads by readers who did not ask − %d \"Contact us\" clicks from those readers) × %s.", f.SolvedViews, f.ContactsFromSolved, rate), !r.Rate.Measured},
		{"saving", "Estimated saving", money(f.SavingMinor, r.Currency), fmt.Sprintf("%s deflected contacts (direct after re-contact + Ask page + self-service) × %s per assisted contact = %s, minus %d agent escalations × %s = %s.",
			num(f.DeflectedContacts), money(r.CostMinor, r.Currency), money(f.GrossSavingMinor, r.Currency), f.AgentEscalations, money(r.CostMinor, r.Currency), money(f.AgentCostMinor, r.Currency)), !r.Rate.Measured},
		{"first_peer", "Time to first peer answer", timing(f.FirstPeerAnswer), "From asking to the first reply by a non-staff member other than the asker; median of the middle values, p90 by nearest rank.", false},
		{"accepted", "Time to accepted answer", timing(f.AcceptedAnswer), "From asking to the acceptance of the current accepted answer (acceptances recorded since reports were installed).", false},
		{"agent_claim", "Agent time to claim", timing(f.AgentClaim), "From escalation to an agent's claim.", false},
		{"agent_answer", "Agent time to answer", timing(f.AgentAnswer), "From escalation to the agent's answer.", false},
		{"first_answer_sla", "First-answer SLA met", sla(f.FirstAnswerSLA), fmt.Sprintf("Threads with a first reply within the brand's SLA of %s, of those answered or whose SLA has passed.", dur(float64(r.EscalationSLASeconds), 1)), false},
		{"agent_sla", "Agent-answer SLA met", sla(f.AgentSLA), fmt.Sprintf("Escalations answered by an agent by the time they were due (the agent SLA in force when each escalated; it is now %s), of those answered or still open past that time.", dur(float64(r.AgentSLASeconds), 1)), false},
	}
}
