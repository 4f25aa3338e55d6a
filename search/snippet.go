package search

import (
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

func words(text string, terms []string) []span {
	var out []span
	start := -1
	flush := func(end int) {
		if start >= 0 {
			w := fold(text[start:end])
			out = append(out, span{start: start, end: end, match: containsString(terms, w)})
			start = -1
		}
	}
	for i, r := range text {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
	}
	flush(len(text))
	return out
}

// Highlight splits text into fragments with the searched words marked. With
// maxWords > 0 it keeps a window of that many words around the first match,
// with an ellipsis where text was cut.
func Highlight(text string, terms []string, maxWords int) []Fragment {
	ws := words(text, terms)
	from, to := 0, len(text)
	cutStart, cutEnd := false, false
	if maxWords > 0 && len(ws) > maxWords {
		first := 0
		for i, w := range ws {
			if w.match {
				first = i
				break
			}
		}
		lo := max(0, first-maxWords/4)
		hi := min(len(ws), lo+maxWords)
		lo = max(0, hi-maxWords)
		from, cutStart = ws[lo].start, lo > 0
		if hi < len(ws) {
			to, cutEnd = ws[hi-1].end, true
		}
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
	if cutStart {
		add("… ", false)
	}
	pos := from
	for _, w := range ws {
		if w.start < from || w.end > to || !w.match {
			continue
		}
		add(text[pos:w.start], false)
		add(text[w.start:w.end], true)
		pos = w.end
	}
	add(text[pos:to], false)
	if cutEnd {
		add(" …", false)
	}
	return out
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
		for _, w := range words(text, terms) {
			if w.match {
				return Highlight(text, terms, snippetWords)
			}
		}
	}
	return Highlight(fallback, terms, snippetWords)
}

// FragmentsHTML renders fragments as HTML for API clients: each text is
// escaped first, then matches are wrapped in <mark>.
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
