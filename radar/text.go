package radar

import (
	"strconv"
	"strings"
	"unicode"
)

// Words are cut at anything that is not a letter or digit, folded to lower
// case, and stripped of an English plural or tense ending so that "drops",
// "dropped" and "dropping" meet. Stop words (the, my, since, any...) carry no
// topic and are left out. This is deliberately small: the radar compares
// texts of one brand with each other, so a rough stem that is consistent is
// all it needs.

var stopWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`a about above after again all also am an and any anyone are as at be
been before being below between both but by can cannot could did do does doing done down during each else
ever every few for from get gets got had has have having he her here hers him his how i if im in into is it
its ive just know let like ll me might more most much must my myself need needs no nor not now of off on
once one only or other our out over own please re same see she should since so some still such than thank
thanks that the their them then there these they this those through to too try tried under until up us ve
very was way we were what when where which while who why will with would yes yet you your hi hello help
anybody someone something anything idea ideas get getting able there's it's don't doesn't can't i'm i've
cant dont doesnt isnt wont keep keeps new same else right anyone everyone`) {
		stopWords[w] = true
	}
	// Times of day say when, not what: "since 9am", "about an hour ago".
	for _, w := range strings.Fields(`ago hour hours minute minutes morning afternoon evening night tonight today
yesterday lunchtime half noon midnight am pm one two three four five six seven eight nine ten eleven twelve`) {
		stopWords[w] = true
	}
	for h := 1; h <= 12; h++ {
		stopWords[strconv.Itoa(h)+"am"], stopWords[strconv.Itoa(h)+"pm"] = true, true
	}
}

// words splits s into folded, stemmed content words, in order.
func words(s string) []string { return contentWords(s, true) }

// contentWords splits s into folded content words, stemmed if asked: terms
// people read are shown as written ("Leeds", not "leed").
func contentWords(s string, stemmed bool) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		w := strings.ToLower(f)
		// Bare numbers are mostly times and counts ("since 09:00"): noise
		// for telling problems apart. Codes with letters (4g, 5g) stay.
		if len(w) < 2 || isDigits(w) || stopWords[w] {
			continue
		}
		if stemmed {
			w = stem(w)
		}
		out = append(out, w)
	}
	return out
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// stem strips one common English ending from words long enough to keep a
// recognisable root.
func stem(w string) string {
	for _, suf := range []string{"ing", "ed", "es", "s"} {
		if len(w) > len(suf)+3 && strings.HasSuffix(w, suf) && !strings.HasSuffix(w, "ss") {
			return w[:len(w)-len(suf)]
		}
	}
	return w
}

// features are what near-duplicates are judged on: the title's content
// words, which name the problem, and the body's first words only when the
// title is too short to say much ("Help!"). Bodies wander: measured on the
// synthetic evaluation, adding them split one incident's paraphrases over
// more groups and let unrelated questions chain together.
func features(title, body string) []string {
	const shortTitle, bodyWords = 2, 20
	out := words(title)
	if len(out) < shortTitle {
		bw := words(body)
		out = append(out, bw[:min(bodyWords, len(bw))]...)
	}
	return out
}

// terms are what trends and burst labels count: each distinct content word
// and each pair of neighbouring content words (a phrase), once per thread.
func terms(title, body string) []string {
	const bodyWords = 30
	seen := map[string]bool{}
	var out []string
	add := func(t string) {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	for _, part := range []string{title, body} {
		ws := contentWords(part, false)
		if len(ws) > bodyWords {
			ws = ws[:bodyWords]
		}
		for i, w := range ws {
			add(w)
			if i > 0 {
				add(ws[i-1] + " " + w)
			}
		}
	}
	return out
}

// places finds place-like names: a capitalised word (or two in a row, "New
// York") that does not start a sentence and is not a common word, product
// or month. It is a small gazetteer-free heuristic: what it returns is shown
// to a person as "places named", never acted on.
func places(title, body string) []string {
	seen := map[string]bool{}
	var out []string
	for _, text := range []string{title, body} {
		toks := strings.Fields(text)
		for i := 0; i < len(toks); i++ {
			w := strings.Trim(toks[i], `.,;:!?()"'“”*_`+"`")
			if !placeLike(w) || i == 0 || endsSentence(toks[i-1]) {
				continue
			}
			name := w
			if i+1 < len(toks) && !strings.ContainsAny(toks[i], ".,;:!?") {
				if nx := strings.Trim(toks[i+1], `.,;:!?()"'“”*_`); placeLike(nx) {
					name, i = w+" "+nx, i+1
				}
			}
			if !seen[name] {
				seen[name] = true
				out = append(out, name)
			}
		}
	}
	return out
}

func endsSentence(tok string) bool { return strings.ContainsAny(tok[len(tok)-1:], ".!?:") }

// notPlaces are capitalised words of a support forum that are not places.
var notPlaces = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`I I'm I've Monday Tuesday Wednesday Thursday Friday Saturday Sunday January
February March April May June July August September October November December iPhone Pixel Galaxy Moto Nokia
Xperia OnePlus Fairphone iPad Android Apple Google Samsung Wi-Fi WiFi SIM eSIM PAC MMS SMS APN IMEI App Settings
General Reset Mobile Account Plan Add-ons Network Thanks Hope Help Support Any Is Has Do Does Can Why How What
The My It SE`) {
		notPlaces[w] = true
	}
}

func placeLike(w string) bool {
	if len(w) < 3 || notPlaces[w] {
		return false
	}
	rs := []rune(w)
	if !unicode.IsUpper(rs[0]) {
		return false
	}
	for _, r := range rs[1:] {
		if !unicode.IsLower(r) && r != '-' {
			return false // 4G, SIM, iPhone-like mixed case: products and codes, not places
		}
	}
	return true
}
