package cli

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"mutual/app"
	"mutual/escalation"
	"mutual/forum"
	"mutual/i18n"
)

// optDuration is a duration flag that remembers whether it was given.
type optDuration struct{ v *time.Duration }

func (o *optDuration) String() string {
	if o.v == nil {
		return ""
	}
	return o.v.String()
}

func (o *optDuration) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%q is not a duration like 15m or 48h", s)
	}
	o.v = &d
	return nil
}

// shortDuration writes 15m, 48h or 1h30m rather than 15m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	s = strings.TrimSuffix(s, "0s")
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// optString is a string flag that remembers whether it was given.
type optString struct{ v *string }

func (o *optString) String() string {
	if o.v == nil {
		return ""
	}
	return *o.v
}

func (o *optString) Set(s string) error { o.v = &s; return nil }

// brandUpdate changes a brand's escalation settings.
func brandUpdate(ctx context.Context, args []string, out io.Writer) error {
	fs, cfg := newFlags("brand update", false)
	host := fs.String("host", "", "host of the brand to change (required)")
	var peer, res, agent, claim optDuration
	var hours, tz, lang, distress, fast, hookURL, hookSecret, boardSLA optString
	// Each setting not given keeps the brand's value.
	keep := func(what string, start time.Duration) string {
		return fmt.Sprintf("%s; not given: unchanged (a new brand has %s)", what, shortDuration(start))
	}
	fs.Var(&peer, "peer-sla", keep("how long a question waits for a peer reply before it escalates to agents", escalation.DefaultPeerSLA))
	fs.Var(&res, "resolution-sla", keep("replies but no accepted answer, and the asker pressed \"Still need help\": escalate after", escalation.DefaultResolutionSLA))
	fs.Var(&agent, "agent-sla", keep("from escalation to the agent's answer before the SLA is breached", escalation.DefaultAgentSLA))
	fs.Var(&claim, "claim-timeout", keep("a claim or assignment left without a reply goes back to the queue after", escalation.DefaultClaimTimeout))
	fs.Var(&hours, "business-hours", `count SLAs in business hours only, like "Mon-Fri 09:00-17:00"; empty: round the clock; not given: unchanged`)
	fs.Var(&tz, "timezone", "time zone of the business hours, like Europe/London; not given: unchanged (a new brand has UTC)")
	fs.Var(&lang, "language", "language the brand's threads need from agents, like en; not given: unchanged (a new brand has en)")
	fs.Var(&distress, "distress", "comma-separated words that raise priority (cancel, complaint, ...); empty: the built-in list; not given: unchanged")
	fs.Var(&fast, "fast-lane", "comma-separated safety or brand-defence terms that escalate at once; empty: the built-in list; not given: unchanged")
	fs.Var(&hookURL, "webhook-url", "URL that receives a signed JSON POST for each escalation change; empty turns it off; not given: unchanged")
	fs.Var(&hookSecret, "webhook-secret", "HMAC-SHA256 key for the X-Mutual-Signature header; not given: unchanged")
	fs.Var(&boardSLA, "board-sla", "per-board peer SLA overrides, like 12=5m,14=1h (0 clears one); not given: unchanged")
	var langs, defLang optString
	fs.Var(&langs, "languages", "comma-separated languages the brand's pages and mail offer, like es,ca,en (each shipped or in the brand's theme folder); not given: unchanged (a new brand has en)")
	fs.Var(&defLang, "default-language", "the language of a reader nothing else speaks for, one of --languages; not given: unchanged (the first of --languages when only that is given)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *host == "" {
		return usageErr("--host is required")
	}
	boards, err := parseBoardSLAs(boardSLA.v)
	if err != nil {
		return err
	}
	return withBrand(ctx, *cfg, *host, func(s app.Services, b forum.Brand) error {
		st, err := s.Escalations.UpdateSettings(ctx, b.ID, escalation.Update{PeerSLA: peer.v, ResolutionSLA: res.v, AgentSLA: agent.v,
			ClaimTimeout: claim.v, BusinessHours: hours.v, Timezone: tz.v, Language: lang.v, Distress: distress.v, FastLane: fast.v,
			WebhookURL: hookURL.v, WebhookSecret: hookSecret.v})
		if err != nil {
			return err
		}
		for id, d := range boards {
			if err := s.Escalations.SetBoardSLA(ctx, b.ID, id, d); err != nil {
				return fmt.Errorf("board %d: %w", id, err)
			}
		}
		if langs.v != nil || defLang.v != nil {
			if b, err = setLanguages(ctx, s, b, langs.v, defLang.v); err != nil {
				return err
			}
		}
		hoursText := "round the clock"
		if st.BusinessHours != "" {
			hoursText = st.BusinessHours + " " + st.Timezone
		}
		fmt.Fprintf(out, "brand %s: peer SLA %s, resolution SLA %s, agent SLA %s, claim timeout %s, hours %s, webhook %q, languages %s (default %s)\n",
			b.Host, st.PeerSLA, st.ResolutionSLA, st.AgentSLA, st.ClaimTimeout, hoursText, st.WebhookURL, strings.Join(b.Offered(), ","), b.Offered()[0])
		return nil
	})
}

// setLanguages sets the languages a brand offers from --languages and
// --default-language, either of which may be missing, and returns the brand
// as it now is.
func setLanguages(ctx context.Context, s app.Services, b forum.Brand, langs, def *string) (forum.Brand, error) {
	list := b.Offered()
	if langs != nil {
		list = nil
		for _, l := range strings.Split(*langs, ",") {
			if l = strings.TrimSpace(l); l != "" {
				c, err := i18n.Canonical(l)
				if err != nil {
					return b, usageErr("--languages: %q is not a language tag like es or pt-BR", l)
				}
				list = append(list, c)
			}
		}
		if len(list) == 0 {
			return b, usageErr("--languages: name at least one language")
		}
	}
	d := list[0]
	if def != nil {
		c, err := i18n.Canonical(*def)
		if err != nil {
			return b, usageErr("--default-language: %q is not a language tag like es", *def)
		}
		d = c
	}
	err := s.Brands.SetLanguages(ctx, b.ID, d, list, func(lang string) bool { return s.Speaks(b.Host, lang) })
	if err != nil {
		return b, err
	}
	return s.Brands.ByID(ctx, b.ID)
}

// parseBoardSLAs reads --board-sla, like 12=5m,14=1h; 0 clears a board's
// override. Not given, it is empty.
func parseBoardSLAs(spec *string) (map[int64]time.Duration, error) {
	boards := map[int64]time.Duration{}
	if spec == nil {
		return boards, nil
	}
	for _, part := range strings.Split(*spec, ",") {
		id, d, ok := strings.Cut(strings.TrimSpace(part), "=")
		bid, err1 := strconv.ParseInt(id, 10, 64)
		dur, err2 := time.ParseDuration(d)
		if d == "0" {
			dur, err2 = 0, nil
		}
		if !ok || err1 != nil || err2 != nil {
			return nil, usageErr("--board-sla: write it like 12=5m,14=1h")
		}
		boards[bid] = dur
	}
	return boards, nil
}

// agentAdd makes a member an agent of a brand (granting the agent role)
// with board skills and a shift.
func agentAdd(ctx context.Context, args []string, out io.Writer) error {
	fs, cfg := newFlags("agent add", false)
	username := fs.String("username", "", "the agent's username in the brand (required)")
	host := fs.String("brand", "", "host of the brand they serve (required)")
	boards := fs.String("boards", "", "comma-separated board ids they answer (empty: every board)")
	langs := fs.String("languages", "", "comma-separated languages they answer in (empty: any)")
	onShift := fs.Bool("on-shift", false, "put them on shift now")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *username == "" || *host == "" {
		return usageErr("--username and --brand are required")
	}
	var ids []int64
	for _, p := range strings.Split(*boards, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		id, err := strconv.ParseInt(p, 10, 64)
		if err != nil || id <= 0 {
			return usageErr("--boards: %q is not a board id", p)
		}
		ids = append(ids, id)
	}
	return withBrand(ctx, *cfg, *host, func(s app.Services, b forum.Brand) error {
		u, err := s.Members.ByUsername(ctx, b.ID, *username)
		if err != nil {
			return fmt.Errorf("no user %q in %s: create it with `mutual user create --brand %s`", *username, b.Host, b.Host)
		}
		if err := s.Members.Grant(ctx, b.ID, u.ID, "agent"); err != nil {
			return err
		}
		person := u.Email
		if person == "" {
			person = u.Username
		}
		ag, err := s.Escalations.AddAgent(ctx, escalation.NewAgent{BrandID: b.ID, UserID: u.ID, Person: person, Boards: ids,
			Languages: strings.Split(*langs, ","), OnShift: *onShift})
		if err != nil {
			return err
		}
		shift := "off shift"
		if ag.OnShift {
			shift = "on shift"
			if err := s.Escalations.RouteQueue(ctx, b.ID); err != nil {
				return err
			}
		}
		fmt.Fprintf(out, "%s is an agent of %s (boards %v, %s)\n", u.Username, b.Host, boardsText(ag.Boards), shift)
		return nil
	})
}

func boardsText(ids []int64) string {
	if len(ids) == 0 {
		return "all"
	}
	return joinInt64(ids)
}

func joinInt64(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ",")
}

// replay runs the peer-SLA rule over a brand's history (an imported Stack
// Exchange site, say) and prints how many threads would have escalated.
func replay(ctx context.Context, args []string, out io.Writer) error {
	fs, cfg := newFlags("replay", false)
	host := fs.String("brand", "", brandHelp)
	var peer optDuration
	fs.Var(&peer, "peer-sla", "the peer SLA to replay with, like 15m or 6h (required)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if peer.v == nil || *peer.v <= 0 {
		return usageErr("--peer-sla is required (like 15m)")
	}
	return withBrand(ctx, *cfg, *host, func(s app.Services, b forum.Brand) error {
		r, err := s.Escalations.Replay(ctx, b.ID, *peer.v)
		if err != nil {
			return err
		}
		pct := func(n int) float64 {
			if r.Threads == 0 {
				return 0
			}
			return 100 * float64(n) / float64(r.Threads)
		}
		fmt.Fprintf(out, "brand %s, peer SLA %s: %d threads\n", b.Host, r.PeerSLA, r.Threads)
		for _, c := range []struct {
			name string
			c    escalation.ReplayCurve
		}{{"first reply of any kind (answers and comments)", r.AnyReply}, {"first answer (comments left out)", r.Answer}} {
			fmt.Fprintf(out, "  %s: %d would have escalated (%.1f%%): %d later answered by a peer, %d never answered by a peer; median wait for it %s\n",
				c.name, c.c.Escalated, pct(c.c.Escalated), c.c.LateRescued, c.c.NeverAnswered, c.c.MedianFirst.Round(time.Minute))
		}
		return nil
	})
}
