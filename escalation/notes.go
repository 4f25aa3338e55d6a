package escalation

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"mutual/forum/lang"
	"mutual/i18n"
)

// A Note is why an escalation was raised, or what one event of its history
// did. What the detector and the lifecycle write is stored as a code and
// its values ("no_peer_reply?within=15m0s&distress=urgent") and worded in
// the reader's language when shown, so an escalation reads in the language
// of whoever opens it, whenever it was raised. What a person wrote (an
// agent's note) is stored as it was typed, and is shown as it was typed.
type Note struct {
	Code   string // one of the note codes below; empty for a person's words
	Values url.Values
	Said   string // a person's words, or an old note stored in English
}

// The note codes, each worded by the message escmsg.note_<code>.
const (
	NoteNoPeerReply      = "no_peer_reply"       // within: the brand's SLA
	NoteNoPeerReplyBoard = "no_peer_reply_board" // within: the board's SLA
	NoteStillNeedsHelp   = "still_needs_help"    // within: the resolution SLA
	NoteFastLane         = "fast_lane"           // word: the fast-lane term
	NoteByAsker          = "by_asker"            // text: the asker's reason
	NoteByTrusted        = "by_trusted"          // name, text: a trusted member and their reason
	NoteByFormer         = "by_former"           // text: a trusted member since erased, and their reason
	NoteUnclaimed        = "unclaimed"           // within: the claim timeout
	NoteUnanswered       = "unanswered"          // within: the claim timeout
	NoteRouted           = "routed"              // language: the thread's, when it decided
	NoteClaimedByReply   = "claimed_by_reply"
	NoteAnswered         = "answered"      // post
	NoteAcceptedPeer     = "accepted_peer" // post
	NoteAcceptedStaff    = "accepted_staff"
	NoteLatePeer         = "late_peer"     // post
	NoteModerated        = "moderated"     // act, text: the moderator's act and reason
	NoteHandover         = "handover"      // text
	NoteHandoverFrom     = "handover_from" // name, text
	NoteResolved         = "resolved"      // resolution
	NoteOffShift         = "off_shift"
	NoteMention          = "mention"           // word: the channel
	NoteMentionFast      = "mention_fast"      // word: the channel; text: the fast-lane term
	NoteTicketing        = "ticketing"         // text: the case; word: its status; name: the brand's agent
	NoteIncidentHeld     = "incident_held"     // text: the incident
	NoteIncidentResolved = "incident_resolved" // text: the incident
	NoteIncidentResumed  = "incident_resumed"  // text: the incident
)

var noteCodes = map[string]bool{NoteNoPeerReply: true, NoteNoPeerReplyBoard: true, NoteStillNeedsHelp: true, NoteFastLane: true,
	NoteByAsker: true, NoteByTrusted: true, NoteByFormer: true, NoteUnclaimed: true, NoteUnanswered: true, NoteRouted: true, NoteClaimedByReply: true,
	NoteAnswered: true, NoteAcceptedPeer: true, NoteAcceptedStaff: true, NoteLatePeer: true, NoteModerated: true,
	NoteHandover: true, NoteHandoverFrom: true, NoteResolved: true, NoteOffShift: true,
	NoteMention: true, NoteMentionFast: true, NoteTicketing: true,
	NoteIncidentHeld: true, NoteIncidentResolved: true, NoteIncidentResumed: true}

// coded is a note with code and its values as name, value pairs.
func coded(code string, kv ...string) Note {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			v.Set(kv[i], kv[i+1])
		}
	}
	return Note{Code: code, Values: v}
}

// said is a note of a person's words.
func said(text string) Note { return Note{Said: text} }

// String is the note as stored.
func (n Note) String() string {
	if n.Code == "" {
		return n.Said
	}
	if len(n.Values) == 0 {
		return n.Code
	}
	return n.Code + "?" + n.Values.Encode()
}

// withDistress adds the distress term the text matched, if any.
func (n Note) withDistress(word string) Note {
	if word != "" && n.Code != "" {
		n.Values.Set("distress", word)
	}
	return n
}

// ParseNote reads a stored note: a code and its values, or a person's
// words. Reasons stored in English before they were coded are read back
// into codes, so they too are worded in the reader's language.
func ParseNote(s string) Note {
	code, query, _ := strings.Cut(s, "?")
	if noteCodes[code] {
		if v, err := url.ParseQuery(query); err == nil {
			return Note{Code: code, Values: v}
		}
	}
	return legacyNote(s)
}

var (
	legacyDistress = regexp.MustCompile(`^(.*); distress word "(.*)"$`)
	legacyReasons  = []struct {
		re   *regexp.Regexp
		code string
		keys []string
	}{
		{regexp.MustCompile(`^asker still needs help; no accepted answer within (\S+)$`), NoteStillNeedsHelp, []string{"within"}},
		{regexp.MustCompile(`^no peer reply within (\S+) \(board SLA\)$`), NoteNoPeerReplyBoard, []string{"within"}},
		{regexp.MustCompile(`^no peer reply within (\S+)$`), NoteNoPeerReply, []string{"within"}},
		{regexp.MustCompile(`^fast lane: "(.*)"$`), NoteFastLane, []string{"word"}},
		{regexp.MustCompile(`(?s)^escalated by the asker: (.*)$`), NoteByAsker, []string{"text"}},
		{regexp.MustCompile(`(?s)^escalated by trusted member (\S+): (.*)$`), NoteByTrusted, []string{"name", "text"}},
	}
)

// legacyNote reads a reason the detector stored in English; anything else
// is a person's words.
func legacyNote(s string) Note {
	rest, distress := s, ""
	if m := legacyDistress.FindStringSubmatch(s); m != nil {
		rest, distress = m[1], unquote(m[2])
	}
	for _, l := range legacyReasons {
		m := l.re.FindStringSubmatch(rest)
		if m == nil {
			continue
		}
		var kv []string
		for i, k := range l.keys {
			v := m[i+1]
			if k == "word" {
				v = unquote(v)
			}
			kv = append(kv, k, v)
		}
		return coded(l.code, kv...).withDistress(distress)
	}
	return said(s)
}

func unquote(q string) string {
	if s, err := strconv.Unquote(`"` + q + `"`); err == nil {
		return s
	}
	return q
}

// Text is the note in loc's language.
func (n Note) Text(loc *i18n.Localizer) string {
	if n.Code == "" {
		return n.Said
	}
	v := n.Values.Get
	args := []any{"Word", v("word"), "Text", v("text"), "Name", v("name"), "Post", v("post")}
	if d, err := time.ParseDuration(v("within")); err == nil {
		args = append(args, "Within", loc.Duration(d))
	}
	var s string
	switch n.Code {
	case NoteRouted:
		s = loc.T("escmsg.note_routed")
		if l := v("language"); l != "" {
			s = loc.T("escmsg.note_routed_reads", "Language", lang.Name(l)) // the name it has in its own words
		}
	case NoteResolved:
		s = loc.T("esc.resolution." + v("resolution"))
	case NoteModerated:
		id := "escmsg.note_moderated_" + v("act")
		if s = loc.T(id); s == id { // an act with no message of its own
			s = loc.T("escmsg.note_moderated")
		}
		if t := v("text"); t != "" {
			s = loc.T("escmsg.note_with_text", "Note", s, "Text", t)
		}
	default:
		s = loc.T("escmsg.note_"+n.Code, args...)
	}
	if w := v("distress"); w != "" {
		s = loc.T("escmsg.note_distress", "Note", s, "Word", w)
	}
	return s
}

// unname is the note with a member's name replaced (their erasure).
func (n Note) unname(username, replacement string) Note {
	if n.Code == "" {
		return said(strings.NewReplacer("trusted member "+username+":", replacement+":",
			"handover from "+username+":", "handover from "+replacement+":").Replace(n.Said))
	}
	if n.Values.Get("name") != username {
		return n
	}
	if n.Code == NoteByTrusted {
		return coded(NoteByFormer, "text", n.Values.Get("text"))
	}
	n.Values.Set("name", replacement)
	return n
}

// Scan reads a stored note (database/sql).
func (n *Note) Scan(src any) error {
	switch v := src.(type) {
	case string:
		*n = ParseNote(v)
	case []byte:
		*n = ParseNote(string(v))
	case nil:
		*n = Note{}
	default:
		return fmt.Errorf("escalation: a note of type %T", src)
	}
	return nil
}
