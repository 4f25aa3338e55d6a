package lang

import (
	"embed"
	"math"
	"strings"
	"sync"
	"unicode"
)

// Detection reads at most maxRunes of a text: a question's title and first
// paragraphs say which language it is in as surely as all of it, and the
// cost of posting stays flat however long a post is.
const maxRunes = 1200

// minVotes is how many known trigrams a Latin-script text needs before its
// best guess counts; fewer (a title of two short words) is Undetermined.
const minVotes = 4

// Scoring stops early once the best language leads the next by decisive
// (natural log units: odds of e^40 to one), checked every checkEvery
// trigrams: a long post in one language is settled by its first lines.
const (
	decisive   = 40
	checkEvery = 32
)

// scriptSample is how many letters decide a text's writing system.
const scriptSample = 300

//go:embed corpus/*.txt
var corpus embed.FS

// model holds, for every letter trigram seen in any corpus, its log
// probability in each Latin-script language (naive Bayes with add-one
// smoothing). A text's score in a language is the sum over its trigrams;
// trigrams no corpus holds say nothing and are skipped.
type model struct {
	codes []string
	logp  map[uint64][]float32
}

var trained = sync.OnceValue(train)

// train builds the model from corpus/<code>.txt for every known language
// that has one.
func train() *model {
	m := &model{logp: map[uint64][]float32{}}
	var counts []map[uint64]int
	var totals []int
	for _, l := range known {
		text, err := corpus.ReadFile("corpus/" + l.Code + ".txt")
		if err != nil {
			continue // told apart by its writing system instead
		}
		c := map[uint64]int{}
		n := 0
		trigrams(string(text), len(text), func(t uint64) bool { c[t]++; n++; return true })
		m.codes = append(m.codes, l.Code)
		counts, totals = append(counts, c), append(totals, n)
	}
	vocab := map[uint64]bool{}
	for _, c := range counts {
		for t := range c {
			vocab[t] = true
		}
	}
	for t := range vocab {
		row := make([]float32, len(m.codes))
		for i, c := range counts {
			row[i] = float32(math.Log(float64(c[t]+1) / float64(totals[i]+len(vocab))))
		}
		m.logp[t] = row
	}
	return m
}

// Detect returns the code of the language text is most likely written in,
// or Undetermined when it holds too few letters to tell. Markdown code (in
// backticks) and web addresses are skipped: they are not the asker's
// language.
func Detect(text string) string {
	var sc scripts
	sc.count(text)
	switch sc.major() {
	case latin:
		return detectLatin(text)
	case cyrillic:
		if sc.ukrainian > 0 {
			return "uk"
		}
		return "ru"
	case greek:
		return "el"
	case hebrew:
		return "he"
	case arabic:
		return "ar"
	case hangul:
		return "ko"
	case han:
		if sc.kana > 0 {
			return "ja"
		}
		return "zh"
	}
	return Undetermined
}

func detectLatin(text string) string {
	m := trained()
	score := make([]float32, len(m.codes))
	votes := 0
	trigrams(text, maxRunes, func(t uint64) bool {
		row, ok := m.logp[t]
		if !ok {
			return true
		}
		votes++
		for i, p := range row {
			score[i] += p
		}
		if votes%checkEvery == 0 {
			first, second := leaders(score)
			return score[first]-score[second] < decisive
		}
		return true
	})
	if votes < minVotes {
		return Undetermined
	}
	first, _ := leaders(score)
	return m.codes[first]
}

// leaders are the indexes of the highest and second highest scores.
func leaders(score []float32) (first, second int) {
	first, second = 0, 1
	if score[1] > score[0] {
		first, second = 1, 0
	}
	for i := 2; i < len(score); i++ {
		switch {
		case score[i] > score[first]:
			first, second = i, first
		case score[i] > score[second]:
			second = i
		}
	}
	return first, second
}

// trigrams calls emit for each trigram of lower-cased Latin letters in the
// first limit runes of text, words padded with one space on each side
// (" th", "the", "he "), as the model is trained and scored alike, until
// emit returns false.
func trigrams(text string, limit int, emit func(uint64) bool) {
	a, b := rune(' '), rune(' ')
	skip := skipper{}
	n := 0
	for _, r := range text {
		if n++; n > limit {
			break
		}
		if skip.skips(r) || !isLatinLetter(r) {
			r = ' '
		} else {
			r = lower(r)
		}
		if r == ' ' && b == ' ' {
			continue // runs of non-letters make one word boundary
		}
		if (a != ' ' || b != ' ') && !emit(uint64(a)<<42|uint64(b)<<21|uint64(r)) {
			return
		}
		a, b = b, r
	}
	if b != ' ' {
		emit(uint64(a)<<42 | uint64(b)<<21 | uint64(' '))
	}
}

// skipper follows a text rune by rune and says which runes are not prose:
// those between backticks (Markdown code) and the rest of a web address
// after its "://".
type skipper struct {
	code, url bool
	p1, p2    rune
}

func (s *skipper) skips(r rune) bool {
	switch {
	case r == '`':
		s.code = !s.code
	case s.url && (unicode.IsSpace(r) || r == ')' || r == '>'):
		s.url = false
	case r == '/' && s.p2 == '/' && s.p1 == ':':
		s.url = true
	}
	s.p1, s.p2 = s.p2, r
	return s.code || s.url || r == '`'
}

func isLatinLetter(r rune) bool {
	switch {
	case r < 0x80:
		return 'a' <= r|0x20 && r|0x20 <= 'z'
	case r < 0x250: // Latin-1 Supplement, Latin Extended-A and -B
		return unicode.IsLetter(r)
	case 0x1E00 <= r && r <= 0x1EFF: // Latin Extended Additional
		return true
	}
	return false
}

func lower(r rune) rune {
	if r < 0x80 {
		return r | 0x20
	}
	return unicode.ToLower(r)
}

// Writing systems, told apart by code point ranges (cheaper than the
// unicode package's script tables, and all detection needs).
const (
	none = iota
	latin
	cyrillic
	greek
	hebrew
	arabic
	hangul
	han // Chinese characters and Japanese kana together
	nScripts
)

type scripts struct {
	n         [nScripts]int
	kana      int // Japanese, when Chinese characters come with kana
	ukrainian int // letters Ukrainian has and Russian lacks: і ї є ґ
}

func (s *scripts) count(text string) {
	letters := 0
	for _, r := range text {
		if letters >= scriptSample {
			return
		}
		if unicode.IsLetter(r) {
			letters++
		}
		switch {
		case isLatinLetter(r):
			s.n[latin]++
		case 0x0400 <= r && r <= 0x052F:
			s.n[cyrillic]++
			if strings.ContainsRune("іїєґІЇЄҐ", r) {
				s.ukrainian++
			}
		case 0x0370 <= r && r <= 0x03FF:
			s.n[greek]++
		case 0x0590 <= r && r <= 0x05FF:
			s.n[hebrew]++
		case 0x0600 <= r && r <= 0x06FF, 0x0750 <= r && r <= 0x077F:
			s.n[arabic]++
		case 0xAC00 <= r && r <= 0xD7AF, 0x1100 <= r && r <= 0x11FF:
			s.n[hangul]++
		case 0x3040 <= r && r <= 0x30FF:
			s.n[han]++
			s.kana++
		case 0x4E00 <= r && r <= 0x9FFF, 0x3400 <= r && r <= 0x4DBF:
			s.n[han]++
		}
	}
}

// major is the writing system most of the letters are in; none when there
// are no letters at all.
func (s *scripts) major() int {
	best := none
	for i := latin; i < nScripts; i++ {
		if s.n[i] > s.n[best] {
			best = i
		}
	}
	return best
}
