package synth

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// A small vocabulary of a mobile network's support forum. Titles and bodies
// are assembled from it so pages look like the real thing and markdown
// exercises the renderer (emphasis, lists, inline code, links).

var (
	topics = []string{"eSIM", "voicemail", "roaming", "mobile data", "Wi-Fi calling", "my bill", "top-ups", "my PAC code",
		"the SIM card", "5G", "4G", "the hotspot", "my contract", "a refund", "direct debit", "international calls",
		"the signal", "porting my number", "the unlock code", "MMS", "visual voicemail", "the data add-on",
		"the family plan", "the spending cap", "call forwarding", "the app", "texts", "the roaming pass"}
	devices = []string{"iPhone 15", "iPhone SE", "Pixel 8", "Galaxy S24", "Galaxy A54", "Moto G", "Nokia G42",
		"Xperia 10", "OnePlus 12", "Fairphone 5", "iPad", "smartwatch"}
	places = []string{"Spain", "France", "the US", "Leeds", "Glasgow", "Cardiff", "the countryside", "the city centre",
		"Italy", "Portugal", "my office", "the train", "Belfast", "Morocco"}
	whens = []string{"Monday", "the weekend", "last night", "the update", "switching plans", "my upgrade",
		"moving house", "the outage", "yesterday", "this morning"}
	titleForms = []string{
		"How do I set up %[1]s on my %[2]s?",
		"%[1]s not working after %[4]s",
		"Charged twice for %[1]s this month",
		"Can I use %[1]s while in %[3]s?",
		"%[1]s keeps dropping on my %[2]s",
		"Is there a way to turn off %[1]s?",
		"Why is %[1]s so slow in %[3]s?",
		"%[1]s stopped working since %[4]s",
		"Problem with %[1]s on a %[2]s",
		"Does the %[2]s support %[1]s?",
		"Help needed: %[1]s in %[3]s",
		"Lost %[1]s after %[4]s — any ideas?",
	}
	openers = []string{
		"Since %[4]s I can't get %[1]s to work on my %[2]s.",
		"I'm in %[3]s at the moment and %[1]s behaves strangely.",
		"Quick question about %[1]s on the %[2]s.",
		"My partner and I both have the %[2]s and only mine has trouble with %[1]s.",
		"I've been a member for years and this is the first time %[1]s has let me down.",
	}
	details = []string{
		"I have restarted the phone twice and checked that airplane mode is off.",
		"The app says everything is active on my account.",
		"It worked fine until %[4]s.",
		"Signal shows **full bars** but nothing loads.",
		"I tried dialling `*#06#` to check the IMEI and it looks right.",
		"Support chat told me to wait 24 hours, which I did.",
		"Other people in %[3]s seem to be fine.",
		"I'm on the *unlimited* plan, if that matters.",
		"The error says \"SIM not provisioned\".",
	}
	tried = []string{"Restarted the phone", "Reset network settings", "Took the SIM out and back in",
		"Turned Wi-Fi calling off and on", "Updated the carrier settings", "Checked the coverage map",
		"Logged out of the app and back in", "Tried another handset"}
	closers = []string{"Has anyone seen this before?", "Any ideas what else I can try?",
		"Do I need to call, or is there a fix?", "Thanks in advance!", "Is this a known problem?"}
	answers = []string{
		"Try resetting the network settings: **Settings → General → Reset → Reset Network Settings**.",
		"That usually means %[1]s hasn't been provisioned yet; it can take up to 24 hours.",
		"Check the coverage checker for planned works in %[3]s first.",
		"On the %[2]s you need to enable it under *Settings → Mobile*.",
		"I had the same after %[4]s. Toggling airplane mode for 30 seconds fixed it.",
		"Make sure the APN is set to `internet` — the update sometimes wipes it.",
		"You can do this from the app: *Account → Plan → Add-ons*.",
		"There's a help article on this: [%[1]s explained](https://example.com/help/%[5]s).",
		"Mine was charged twice as well; the second payment was a pending hold and dropped off after 3 days.",
		"Ask for a replacement SIM — it's free and fixed it for me.",
	}
	followUps = []string{"Hope that helps!", "Let us know how you get on.", "That worked for me on the %[2]s.",
		"If not, it's worth raising a ticket.", "Good luck!", "Thanks, that sorted it.", "Same here, following."}
	stepsLead = []string{"What worked for me:", "Steps:", "Try these in order:"}
	steps     = []string{"Restart the phone", "Remove and reinsert the SIM", "Reset network settings",
		"Check for a carrier settings update", "Turn off Wi-Fi and test on mobile data", "Wait an hour and try again"}
)

var slugWords = strings.NewReplacer(" ", "-", "my ", "", "the ", "", "a ", "")

// words fills the positional arguments the forms use: topic, device, place,
// when and a slug for links.
func words(r *rand.Rand) []any {
	t := topics[r.IntN(len(topics))]
	slug := strings.ToLower(slugWords.Replace(t))
	return []any{t, devices[r.IntN(len(devices))], places[r.IntN(len(places))], whens[r.IntN(len(whens))], slug}
}

func pick(r *rand.Rand, list []string) string { return list[r.IntN(len(list))] }

// title makes a question title of 8 to 150 characters with a capital first letter.
func title(r *rand.Rand) string {
	s := fmt.Sprintf(pick(r, titleForms), words(r)...)
	return strings.ToUpper(s[:1]) + s[1:]
}

// questionBody makes a question's markdown: an opener, details, sometimes a
// list of what was tried, and a closing question.
func questionBody(r *rand.Rand) string {
	w := words(r)
	var b strings.Builder
	b.WriteString(fmt.Sprintf(pick(r, openers), w...))
	for range 1 + r.IntN(3) {
		b.WriteByte(' ')
		b.WriteString(fmt.Sprintf(pick(r, details), w...))
	}
	if r.IntN(3) == 0 {
		b.WriteString("\n\nWhat I've tried so far:\n\n")
		for _, i := range r.Perm(len(tried))[:2+r.IntN(3)] {
			b.WriteString("- " + tried[i] + "\n")
		}
	}
	b.WriteString("\n\n" + pick(r, closers))
	return b.String()
}

// replyBody makes a reply's markdown: short thanks, a tip, or numbered steps.
func replyBody(r *rand.Rand) string {
	w := words(r)
	var b strings.Builder
	switch n := r.IntN(10); {
	case n < 2:
		b.WriteString(fmt.Sprintf(pick(r, followUps), w...))
	case n < 4:
		b.WriteString(pick(r, stepsLead) + "\n\n")
		for i, s := range r.Perm(len(steps))[:3+r.IntN(3)] {
			b.WriteString(fmt.Sprintf("%d. %s\n", i+1, steps[s]))
		}
		b.WriteString("\n" + fmt.Sprintf(pick(r, followUps), w...))
	default:
		b.WriteString(fmt.Sprintf(pick(r, answers), w...))
		if r.IntN(2) == 0 {
			b.WriteString(" " + fmt.Sprintf(pick(r, answers), w...))
		}
		if r.IntN(2) == 0 {
			b.WriteString("\n\n" + fmt.Sprintf(pick(r, followUps), w...))
		}
	}
	return b.String()
}

var (
	adjectives = []string{"quiet", "brave", "sunny", "lucky", "swift", "calm", "merry", "bold", "keen", "witty",
		"gentle", "rapid", "clever", "jolly", "noble", "proud"}
	animals = []string{"otter", "badger", "falcon", "heron", "fox", "lynx", "robin", "wren", "puffin", "stoat",
		"hare", "newt", "owl", "seal", "mole", "finch"}
)

// username is unique for each n and matches the forum's username rule
// (3 to 20 letters, digits, dots, dashes or underscores).
func username(r *rand.Rand, n int) string {
	return fmt.Sprintf("%s_%s%d", pick(r, adjectives), pick(r, animals), n)
}
