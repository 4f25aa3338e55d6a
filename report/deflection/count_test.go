package deflection

import (
	"testing"
	"time"
)

func ms(d time.Duration) *int64 { v := d.Milliseconds(); return &v }

// The timeline test pins each total; these pin each per-thread step on the
// edge cases one timeline cannot hold.

func TestJudge(t *testing.T) {
	peer := threadRow{created: 0, accepted: true, acceptedVisible: true}
	day := 24 * time.Hour
	for name, c := range map[string]struct {
		t              threadRow
		asked, clicked []int64
		want           outcome
	}{
		"peer-resolved":             {peer, nil, nil, outcome{peerResolved: true}},
		"staff answer":              {threadRow{accepted: true, acceptedVisible: true, acceptedStaff: true}, nil, nil, outcome{}},
		"hidden answer":             {threadRow{accepted: true}, nil, nil, outcome{}},
		"staff replied":             {threadRow{accepted: true, acceptedVisible: true, firstStaff: ms(time.Minute)}, nil, nil, outcome{}},
		"claimed and answered":      {threadRow{accepted: true, acceptedVisible: true, claimedAt: ms(time.Minute), answeredAt: ms(time.Hour)}, nil, nil, outcome{agentResolved: true}},
		"asked again within 7 days": {peer, []int64{0, (6 * day).Milliseconds()}, nil, outcome{peerResolved: true, recontacted: true}},
		"asked again after 7 days":  {peer, []int64{0, (8 * day).Milliseconds()}, nil, outcome{peerResolved: true}},
		"clicked contact":           {peer, nil, []int64{(7 * day).Milliseconds()}, outcome{peerResolved: true, recontacted: true}},
	} {
		if got := judge(c.t, c.asked, c.clicked); got != c.want {
			t.Errorf("%s: judge = %+v, want %+v", name, got, c.want)
		}
	}
}

func TestCountResolution(t *testing.T) {
	for name, c := range map[string]struct {
		t    threadRow
		o    outcome
		want Figures
	}{
		"peer":        {threadRow{}, outcome{peerResolved: true}, Figures{PeerResolved: 1, DirectRaw: 1}},
		"peer, again": {threadRow{}, outcome{peerResolved: true, recontacted: true}, Figures{PeerResolved: 1, DirectRaw: 1, Recontacted: 1}},
		"agent":       {threadRow{}, outcome{agentResolved: true}, Figures{AgentResolved: 1}},
		"otherwise":   {threadRow{accepted: true, acceptedVisible: true}, outcome{}, Figures{OtherResolved: 1}},
		"unresolved":  {threadRow{accepted: true}, outcome{}, Figures{}},
	} {
		a := newAcc()
		countResolution(a, c.t, c.o)
		if a.f != c.want {
			t.Errorf("%s: %+v, want %+v", name, a.f, c.want)
		}
	}
}

func TestCountAnswers(t *testing.T) {
	a := newAcc()
	countAnswers(a, threadRow{created: 1000})
	countAnswers(a, threadRow{created: 1000, firstReply: ms(time.Second), firstPeer: ms(2 * time.Second), accepted: true, acceptedVisible: true, acceptedAt: ms(5 * time.Second)})
	countAnswers(a, threadRow{created: 1000, firstReply: ms(time.Second), accepted: true, acceptedAt: ms(5 * time.Second)}) // hidden answer: no time
	if a.f.Asked != 3 || a.f.Answered != 2 || a.f.PeerAnswered != 1 || len(a.firstPeer) != 1 || a.firstPeer[0] != 1000 || len(a.accepted) != 1 || a.accepted[0] != 4000 {
		t.Errorf("figures %+v, first peer %v, accepted %v", a.f, a.firstPeer, a.accepted)
	}
}

func TestCountFirstAnswerSLA(t *testing.T) {
	sla := (15 * time.Minute).Milliseconds()
	for name, c := range map[string]struct {
		t    threadRow
		now  time.Duration
		want Compliance
	}{
		"in time":             {threadRow{firstReply: ms(15 * time.Minute)}, time.Hour, Compliance{Within: 1, Due: 1}},
		"late":                {threadRow{firstReply: ms(16 * time.Minute)}, time.Hour, Compliance{Due: 1}},
		"unanswered, overdue": {threadRow{}, 15 * time.Minute, Compliance{Due: 1}},
		"unanswered, not due": {threadRow{}, 14 * time.Minute, Compliance{}},
	} {
		var f Figures
		countFirstAnswerSLA(&f, c.t, sla, c.now.Milliseconds())
		if f.FirstAnswerSLA != c.want {
			t.Errorf("%s: %+v, want %+v", name, f.FirstAnswerSLA, c.want)
		}
	}
}

func TestCountEscalation(t *testing.T) {
	a := newAcc()
	countEscalation(a, threadRow{claimedAt: ms(time.Minute)}) // never escalated
	countEscalation(a, threadRow{escalatedAt: ms(0), resolution: "late_peer"})
	countEscalation(a, threadRow{escalatedAt: ms(time.Minute), claimedAt: ms(3 * time.Minute), answeredAt: ms(10 * time.Minute)})
	if a.f.Escalated != 2 || a.f.LatePeer != 1 || a.f.AgentEscalations != 1 || len(a.claim) != 1 || a.claim[0] != 120000 || len(a.answer) != 1 || a.answer[0] != 540000 {
		t.Errorf("figures %+v, claim %v, answer %v", a.f, a.claim, a.answer)
	}
}

func TestCountAgentSLA(t *testing.T) {
	sla := time.Hour.Milliseconds()
	for name, c := range map[string]struct {
		t    threadRow
		now  time.Duration
		want Compliance
	}{
		"not escalated":         {threadRow{answeredAt: ms(time.Minute)}, 2 * time.Hour, Compliance{}},
		"answered in time":      {threadRow{escalatedAt: ms(0), answeredAt: ms(time.Hour)}, 2 * time.Hour, Compliance{Within: 1, Due: 1}},
		"answered late":         {threadRow{escalatedAt: ms(0), answeredAt: ms(61 * time.Minute)}, 2 * time.Hour, Compliance{Due: 1}},
		"waiting, overdue":      {threadRow{escalatedAt: ms(0)}, time.Hour, Compliance{Due: 1}},
		"waiting, not due":      {threadRow{escalatedAt: ms(0)}, 59 * time.Minute, Compliance{}},
		"claimed, overdue":      {threadRow{escalatedAt: ms(0), claimedAt: ms(time.Minute), resolution: "x"}, time.Hour, Compliance{Due: 1}},
		"cancelled by the peer": {threadRow{escalatedAt: ms(0), resolution: "late_peer"}, 2 * time.Hour, Compliance{}},
		// An escalation keeps the SLA in force when it escalated (here 3 h).
		"answered by its due time": {threadRow{escalatedAt: ms(0), agentDue: ms(3 * time.Hour), answeredAt: ms(2 * time.Hour)}, 4 * time.Hour, Compliance{Within: 1, Due: 1}},
		"waiting, before its due":  {threadRow{escalatedAt: ms(0), agentDue: ms(3 * time.Hour)}, 2 * time.Hour, Compliance{}},
	} {
		var f Figures
		countAgentSLA(&f, c.t, sla, c.now.Milliseconds())
		if f.AgentSLA != c.want {
			t.Errorf("%s: %+v, want %+v", name, f.AgentSLA, c.want)
		}
	}
}

func TestFirstAnswerBar(t *testing.T) {
	for _, c := range []struct {
		t    threadRow
		want int
	}{
		{threadRow{}, len(firstAnswerBuckets)},
		{threadRow{created: 1, firstReply: ms(15 * time.Minute)}, 0},
		{threadRow{firstReply: ms(15 * time.Minute)}, 1},
		{threadRow{firstReply: ms(100 * time.Hour)}, len(firstAnswerBuckets) - 1},
	} {
		if got := firstAnswerBar(c.t); got != c.want {
			t.Errorf("firstAnswerBar(%+v) = %d, want %d", c.t, got, c.want)
		}
	}
}

func TestSelfServiceRate(t *testing.T) {
	s := Settings{AssumedRateBP: 1000, MinSurveyAnswers: 3}
	if r, f := selfServiceRate(Figures{SurveyYes: 2, SurveyAnswers: 2}, s); r.Measured || r.Percent != 10 || f != 0.1 {
		t.Errorf("too few answers: %+v, %v", r, f)
	}
	if r, f := selfServiceRate(Figures{SurveyYes: 1, SurveyAnswers: 3}, s); !r.Measured || r.Percent != 33.33 || f != 1.0/3 {
		t.Errorf("enough answers: %+v, %v", r, f)
	}
	if r, _ := selfServiceRate(Figures{}, Settings{AssumedRateBP: 500}); r.Measured || r.Percent != 5 {
		t.Errorf("no minimum, no answers: %+v", r)
	}
}
