package signals

import (
	"strings"
	"unicode"
)

// A phrase is a few words in a row; a word ending in "*" matches any word
// it begins ("cancel*" is cancel, cancelling, cancellation).
type phrase []string

func phrases(list ...string) []phrase {
	out := make([]phrase, len(list))
	for i, p := range list {
		out[i] = strings.Fields(p)
	}
	return out
}

// churnPhrases say a customer is leaving or escalating outside the
// community. Bare "cancel" is not among them: "how do I cancel roaming"
// is a question about an add-on, not a customer leaving.
var churnPhrases = phrases(
	// English
	"cancel* my contract", "cancel* my account", "cancel* my service", "cancel* my subscription",
	"cancel* my plan", "cancel* my broadband", "cancel* the contract", "i'm cancel*", "i am cancel*",
	"going to cancel", "want to cancel", "will cancel", "i'm leaving", "i am leaving", "we're leaving",
	"leaving you", "leaving for", "switching to", "switch to another", "moving to another", "port my number to",
	"porting my number to", "port out", "porting out", "pac code", "close my account", "terminate my contract", "end my contract",
	"complaint", "complain*", "ombudsman", "ofcom", "regulator",
	// Spanish
	"darme de baja", "dar de baja", "me doy de baja", "me cambio a", "reclamación", "queja",
	// Polish
	"rezygnuję", "zrezygnować", "wypowiedzieć umowę", "przechodzę do", "reklamacja", "skarga", "rzecznik",
)

// leadPhrases read as buying intent: a customer asking what to buy next.
var leadPhrases = phrases(
	// English
	"upgrade*", "new phone", "which plan", "what plan", "best plan", "recommend a plan", "add a line",
	"add another line", "extra line", "another line", "add a sim", "business account", "business plan",
	"family plan", "sim only", "more data", "unlimited data", "trade in", "trade-in", "looking to buy",
	"want to buy", "thinking of getting", "new contract",
	// Spanish
	"nuevo móvil", "qué tarifa", "mejor tarifa", "añadir una línea", "cuenta de empresa",
	// Polish
	"nowy telefon", "jaki abonament", "jaka taryfa", "dodać numer", "konto firmowe",
)

// negations turn a phrase within the three words before it: "I'm not
// leaving", "I don't want to cancel", "no complaint".
var negations = map[string]bool{
	"not": true, "no": true, "never": true, "don't": true, "dont": true, "won't": true, "wont": true,
	"isn't": true, "wasn't": true, "didn't": true, "without": true, "nor": true, "hardly": true,
	"no,": true, "nie": true, "nunca": true, "sin": true,
}

// words are text's words in lower case, keeping apostrophes and hyphens
// inside words ("i'm", "trade-in").
func words(text string) []string {
	text = strings.NewReplacer("’", "'", "‘", "'").Replace(strings.ToLower(text))
	return strings.FieldsFunc(text, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\'' && r != '-'
	})
}

// findPhrase returns the first of list in ws that no negation turns, as
// its words, or "".
func findPhrase(ws []string, list []phrase) string {
	for i := range ws {
		for _, p := range list {
			if matchAt(ws, i, p) && !negated(ws, i) {
				return strings.Join(ws[i:i+len(p)], " ")
			}
		}
	}
	return ""
}

func matchAt(ws []string, i int, p phrase) bool {
	if i+len(p) > len(ws) {
		return false
	}
	for k, w := range p {
		got := ws[i+k]
		if stem, ok := strings.CutSuffix(w, "*"); ok {
			if !strings.HasPrefix(got, stem) {
				return false
			}
		} else if got != w {
			return false
		}
	}
	return true
}

func negated(ws []string, i int) bool {
	for k := max(0, i-3); k < i; k++ {
		if negations[ws[k]] || strings.HasSuffix(ws[k], "n't") {
			return true
		}
	}
	return false
}

// Churn returns the churn phrase text contains, or "".
func Churn(text string) string { return findPhrase(words(text), churnPhrases) }

// Lead returns the buying phrase text contains, or "".
func Lead(text string) string { return findPhrase(words(text), leadPhrases) }
