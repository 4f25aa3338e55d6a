package search

import (
	"html/template"
	"strings"
	"unicode"

	"mutual/markup"

	"golang.org/x/net/html"
	"golang.org/x/text/unicode/norm"
)

// Fragment is a run of plain text, marked when it is a searched word.
// Templates print fragments through html/template, which escapes them, and
// wrap marked ones in <mark>: no HTML is ever built from member text here.
type Fragment struct {
	Text string
	Mark bool
}

// snippetWords is how many words a snippet shows.
const snippetWords = 32

// fold lowers a word and strips its accents, as the index's tokenizer does.
func fold(w string) string {
	ascii := true
	for i := 0; i < len(w); i++ {
		if w[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(w) // the common case, without normalising
	}
	d := norm.NFD.String(strings.ToLower(w))
	return strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Mn, r) {
			return -1
		}
		return r
	}, d)
}

type span struct {
	start, end int // byte offsets of a word
	match      bool
}

// eachWord calls fn with the byte range of every word of text, in order,
// until fn returns false.
func eachWord(text string, fn func(start, end int) bool) {
	start := -1
	for i, r := range text {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			if !fn(start, i) {
				return
			}
			start = -1
		}
	}
	if start >= 0 {
		fn(start, len(text))
	}
}

// isTerm reports whether the word w, folded, is one of terms (which are
// lower case), without allocating for ASCII words.
func isTerm(w string, terms []string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] >= 0x80 {
			return containsString(terms, fold(w))
		}
	}
	for _, t := range terms {
		if len(t) == len(w) && asciiLowerEqual(w, t) {
			return true
		}
	}
	return false
}

func asciiLowerEqual(w, lower string) bool {
	for i := 0; i < len(w); i++ {
		c := w[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// Highlight splits text into fragments with the searched words marked. With
// maxWords > 0 it keeps a window of that many words around the first match,
// with an ellipsis where text was cut. It reads the text twice rather than
// keeping every word: a long post costs no more memory than its window.
func Highlight(text string, terms []string, maxWords int) []Fragment {
	n, first := 0, -1
	eachWord(text, func(start, end int) bool {
		if first < 0 && isTerm(text[start:end], terms) {
			first = n
		}
		n++
		return true
	})
	lo, hi := 0, n
	if maxWords > 0 && n > maxWords {
		lo = max(0, max(first, 0)-maxWords/4)
		hi = min(n, lo+maxWords)
		lo = max(0, hi-maxWords)
	}
	ws := make([]span, 0, hi-lo)
	i := 0
	eachWord(text, func(start, end int) bool {
		if i >= lo {
			ws = append(ws, span{start: start, end: end, match: isTerm(text[start:end], terms)})
		}
		i++
		return i < hi
	})
	from, to := 0, len(text)
	if hi-lo < n { // a window: it starts at its first word
		from = ws[0].start
	}
	if hi < n {
		to = ws[len(ws)-1].end
	}
	var out []Fragment
	add := func(s string, mark bool) {
		if s == "" {
			return
		}
		if n := len(out); n > 0 && out[n-1].Mark == mark {
			out[n-1].Text += s
			return
		}
		out = append(out, Fragment{Text: s, Mark: mark})
	}
	if lo > 0 {
		add("… ", false)
	}
	pos := from
	for _, w := range ws {
		if !w.match {
			continue
		}
		add(text[pos:w.start], false)
		add(text[w.start:w.end], true)
		pos = w.end
	}
	add(text[pos:to], false)
	if hi < n {
		add(" …", false)
	}
	return out
}

// hasTerm reports whether text holds one of the searched words.
func hasTerm(text string, terms []string) bool {
	found := false
	eachWord(text, func(start, end int) bool {
		found = isTerm(text[start:end], terms)
		return !found
	})
	return found
}

// bestSnippet picks the first source (sanitised HTML) holding a searched
// word and cuts a passage around it; with no match it shows the start of the
// first non-empty source.
func bestSnippet(sources []string, terms []string) []Fragment {
	var fallback string
	for _, src := range sources {
		text := markup.PlainText(src)
		if text == "" {
			continue
		}
		if fallback == "" {
			fallback = text
		}
		if hasTerm(text, terms) {
			return Highlight(text, terms, snippetWords)
		}
	}
	return Highlight(fallback, terms, snippetWords)
}

// TitleHTML is the result's title as HTML, for templates: printing it costs
// one value where ranging over the fragments cost a template action each.
func (r Result) TitleHTML() template.HTML { return template.HTML(FragmentsHTML(r.Title)) }

// SnippetHTML is the result's snippet as HTML, for templates.
func (r Result) SnippetHTML() template.HTML { return template.HTML(FragmentsHTML(r.Snippet)) }

// FragmentsHTML renders fragments as HTML for API clients and templates:
// each text is escaped first, then matches are wrapped in <mark>.
func FragmentsHTML(fs []Fragment) string {
	var b strings.Builder
	for _, f := range fs {
		if f.Mark {
			b.WriteString("<mark>" + html.EscapeString(f.Text) + "</mark>")
		} else {
			b.WriteString(html.EscapeString(f.Text))
		}
	}
	return b.String()
}

// FragmentsText joins fragments back into plain text.
func FragmentsText(fs []Fragment) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(f.Text)
	}
	return b.String()
}
