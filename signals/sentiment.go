package signals

import (
	"regexp"
	"strings"
	"sync"

	"github.com/jonreiter/govader"
)

// Sentiment is read with VADER (Hutto and Gilbert, 2014), a lexicon and
// rules made for short social text: negation ("not bad"), "but" shifting
// weight to what follows, intensifiers ("really", "VERY"), exclamation marks
// and emoji. The port used is github.com/jonreiter/govader (MIT, like
// VADER's lexicon); it answers as the original Python package does.
//
// VADER's lexicon is English. A post in another language is left unscored
// rather than scored wrongly: English words in it would count and the rest
// would read as neutral.

// Negative is the compound score at or below which a post reads as
// negative (VADER's own threshold).
const Negative = -0.05

// scoredLanguages are the thread languages the lexicon reads. A thread not
// yet labelled ("") or whose language could not be told ("und": the
// detector's answer for very short text) is read too, so a short English
// complaint is not left out; in such text a word of another language simply
// weighs nothing.
var scoredLanguages = map[string]bool{"en": true, "": true, "und": true}

// Scores reports whether posts in a thread of this language get a score.
func Scores(language string) bool { return scoredLanguages[language] }

var (
	analyzerOnce sync.Once
	analyzer     *govader.SentimentIntensityAnalyzer
)

// careWords are words customers of a service use that VADER's general
// lexicon does not weigh (valences on its -4..4 scale).
var careWords = map[string]float64{
	"outage": -2.0, "outages": -2.0, "overcharged": -2.3, "overcharging": -2.3,
	"throttled": -1.5, "laggy": -1.6, "unusable": -2.5, "buffering": -1.0,
	"disconnected": -1.2, "dropping": -1.0, "unreachable": -1.4, "rip-off": -2.6,
}

func vader() *govader.SentimentIntensityAnalyzer {
	analyzerOnce.Do(func() {
		analyzer = govader.NewSentimentIntensityAnalyzer()
		for w, v := range careWords {
			analyzer.Lexicon[w] = v
		}
	})
	return analyzer
}

// sentenceRe finds sentences with their closing marks, which VADER reads
// ("great!!!" is more than "great").
var sentenceRe = regexp.MustCompile(`[^.!?\n]+[.!?]*`)

// Score is the compound sentiment of a text, from -1 (most negative) to 1:
// the mean of its sentences' scores, as VADER's authors advise for text
// longer than a sentence. Text with no words scores 0.
func Score(text string) float64 {
	a := vader()
	sum, n := 0.0, 0
	for _, s := range sentenceRe.FindAllString(text, -1) {
		if strings.TrimSpace(s) == "" || strings.Trim(s, ".!? \t") == "" {
			continue
		}
		sum += a.PolarityScores(s).Compound
		n++
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}
