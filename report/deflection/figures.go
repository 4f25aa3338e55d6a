package deflection

import (
	"math"
	"slices"
	"time"
)

// Timing summarises how long something took across threads.
type Timing struct {
	N             int     `json:"n"`
	MedianSeconds float64 `json:"median_seconds"`
	P90Seconds    float64 `json:"p90_seconds"`
}

// Compliance is how many of those due met an SLA.
type Compliance struct {
	Within  int     `json:"within"`
	Due     int     `json:"due"`
	Percent float64 `json:"percent"` // 0 when nothing was due
}

// Figures are one row of the report: the whole period, one bucket of time,
// or one board. Counts of threads are by the time they were asked; views,
// survey answers, clicks and suggestion opens by when they happened.
type Figures struct {
	Asked                 int        `json:"asked"`
	Answered              int        `json:"answered"`
	PeerAnswered          int        `json:"peer_answered"`
	PeerResolved          int        `json:"peer_resolved"`
	Escalated             int        `json:"escalated"`
	LatePeer              int        `json:"cancelled_by_late_peer"`
	AgentResolved         int        `json:"agent_resolved"`
	OtherResolved         int        `json:"resolved_otherwise"`
	Unresolved            int        `json:"unresolved"`
	EscalationRate        float64    `json:"escalation_rate_percent"`
	DirectRaw             int        `json:"direct_deflection_raw"`
	Recontacted           int        `json:"recontacted_within_7_days"`
	DirectCorrected       int        `json:"direct_deflection"`
	SuggestionDeflections int        `json:"suggestion_deflections"`
	SolvedViews           int64      `json:"solved_viewer_days"`
	ContactsFromSolved    int        `json:"contact_clicks_from_solved"`
	SurveyYes             int        `json:"survey_yes"`
	SurveyAnswers         int        `json:"survey_answers"`
	SelfService           float64    `json:"self_service_deflection"`
	DeflectedContacts     float64    `json:"deflected_contacts"`
	AgentEscalations      int        `json:"agent_escalations"`
	TicketingAnswered     int        `json:"answered_by_ticketing"` // escalations the brand's ticketing system solved through its callback
	GrossSavingMinor      int64      `json:"gross_saving_minor"`
	AgentCostMinor        int64      `json:"agent_cost_minor"`
	SavingMinor           int64      `json:"estimated_saving_minor"`
	FirstPeerAnswer       Timing     `json:"time_to_first_peer_answer"`
	AcceptedAnswer        Timing     `json:"time_to_accepted_answer"`
	AgentClaim            Timing     `json:"agent_time_to_claim"`
	AgentAnswer           Timing     `json:"agent_time_to_answer"`
	FirstAnswerSLA        Compliance `json:"first_answer_sla"`
	AgentSLA              Compliance `json:"agent_answer_sla"`
}

// acc gathers one row's raw values before they are summarised.
type acc struct {
	f                                  Figures
	firstPeer, accepted, claim, answer []int64
	suggestion                         map[string]bool
}

func newAcc() *acc { return &acc{suggestion: map[string]bool{}} }

func (a *acc) finish(rate float64, cost int64) Figures {
	f := a.f
	f.Unresolved = f.Asked - f.PeerResolved - f.AgentResolved - f.OtherResolved
	f.EscalationRate = pct(f.Escalated, f.Asked)
	f.DirectCorrected = f.DirectRaw - f.Recontacted
	f.SuggestionDeflections = len(a.suggestion)
	f.SelfService = round2(float64(max(f.SolvedViews-int64(f.ContactsFromSolved), 0)) * rate)
	f.DeflectedContacts = round2(float64(f.DirectCorrected+f.SuggestionDeflections) + f.SelfService)
	f.GrossSavingMinor = int64(math.Round(f.DeflectedContacts * float64(cost)))
	f.AgentCostMinor = int64(f.AgentEscalations) * cost
	f.SavingMinor = f.GrossSavingMinor - f.AgentCostMinor
	f.FirstPeerAnswer = timing(a.firstPeer)
	f.AcceptedAnswer = timing(a.accepted)
	f.AgentClaim = timing(a.claim)
	f.AgentAnswer = timing(a.answer)
	f.FirstAnswerSLA.Percent = pct(f.FirstAnswerSLA.Within, f.FirstAnswerSLA.Due)
	f.AgentSLA.Percent = pct(f.AgentSLA.Within, f.AgentSLA.Due)
	return f
}

func pct(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return round2(100 * float64(n) / float64(of))
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

// timing gives the median (the mean of the two middle values when the count
// is even) and the 90th percentile by nearest rank (the smallest value with
// at least 90% of values at or below it).
func timing(ms []int64) Timing {
	if len(ms) == 0 {
		return Timing{}
	}
	s := slices.Clone(ms)
	slices.Sort(s)
	n := len(s)
	var med float64
	if n%2 == 1 {
		med = float64(s[n/2])
	} else {
		med = float64(s[n/2-1]+s[n/2]) / 2
	}
	rank := int(math.Ceil(0.9*float64(n))) - 1
	return Timing{N: n, MedianSeconds: math.Round(med) / 1000, P90Seconds: float64(s[rank]) / 1000}
}

// Duration turns seconds into a time.Duration, for display.
func Duration(seconds float64) time.Duration { return time.Duration(seconds * float64(time.Second)) }
