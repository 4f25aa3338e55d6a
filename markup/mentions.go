package markup

import (
	"bytes"
	"regexp"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// MaxMentions is how many members one post can notify by @name; more are
// still linked but not notified (as Discourse caps them), so a post cannot
// page a whole community.
const MaxMentions = 10

// mentionRe matches "@username" (the shape signup allows) not preceded by a
// character that would make it part of a word, an address or a path.
var mentionRe = regexp.MustCompile(`(?:^|[^A-Za-z0-9_.@/-])(@([A-Za-z0-9][A-Za-z0-9_.-]{1,18}[A-Za-z0-9]))`)

// mentionTransformer turns "@username" in text (never in code or inside a
// link) into a link to the member's profile, rendered once at write time with
// the rest of the post. It works on the parsed tree, so "[@bob](url)" stays
// the link its author wrote.
type mentionTransformer struct{}

func (mentionTransformer) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
	src := reader.Source()
	var texts []*ast.Text
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n.Kind() {
		case ast.KindLink, ast.KindAutoLink, ast.KindCodeSpan, ast.KindCodeBlock, ast.KindFencedCodeBlock, ast.KindHTMLBlock, ast.KindRawHTML, ast.KindImage:
			return ast.WalkSkipChildren, nil
		case ast.KindText:
			if t := n.(*ast.Text); bytes.IndexByte(t.Segment.Value(src), '@') >= 0 {
				texts = append(texts, t)
			}
		}
		return ast.WalkContinue, nil
	})
	for _, t := range texts {
		if t.Parent() == nil {
			continue // merged into an earlier node
		}
		joinText(t)
		splitMentions(t, src)
	}
}

// joinText merges the plain text siblings that follow t in the source, since
// the parser splits text at characters such as "_" that may open emphasis
// and a username may contain them.
func joinText(t *ast.Text) {
	for !t.SoftLineBreak() && !t.HardLineBreak() {
		next, ok := t.NextSibling().(*ast.Text)
		if !ok || next.Segment.Start != t.Segment.Stop || next.IsRaw() {
			return
		}
		t.Segment = t.Segment.WithStop(next.Segment.Stop)
		t.SetSoftLineBreak(next.SoftLineBreak())
		t.SetHardLineBreak(next.HardLineBreak())
		t.Parent().RemoveChild(t.Parent(), next)
	}
}

// splitMentions replaces a text node by text and mention links.
func splitMentions(t *ast.Text, src []byte) {
	seg := t.Segment
	// Look one byte back so a match at the node's start still sees what
	// precedes it in the source (a word character means no mention).
	from := seg.Start
	if from > 0 {
		from--
	}
	window := src[from:seg.Stop]
	matches := mentionRe.FindAllSubmatchIndex(window, -1)
	if matches == nil {
		return
	}
	parent := t.Parent()
	pos := seg.Start
	for _, m := range matches {
		at, end := from+m[2], from+m[3]
		if at < seg.Start {
			continue
		}
		if at > pos {
			parent.InsertBefore(parent, t, ast.NewTextSegment(text.NewSegment(pos, at)))
		}
		link := ast.NewLink()
		link.Destination = []byte("/u/" + string(src[from+m[4]:from+m[5]]))
		link.AppendChild(link, ast.NewTextSegment(text.NewSegment(at, end)))
		link.SetAttributeString("class", []byte("mention"))
		link.SetAttributeString("rel", []byte(linkRel))
		parent.InsertBefore(parent, t, link)
		pos = end
	}
	if pos == seg.Start {
		return
	}
	if pos < seg.Stop {
		rest := ast.NewTextSegment(text.NewSegment(pos, seg.Stop))
		rest.SetSoftLineBreak(t.SoftLineBreak())
		rest.SetHardLineBreak(t.HardLineBreak())
		parent.InsertBefore(parent, t, rest)
	} else if t.SoftLineBreak() || t.HardLineBreak() {
		brk := ast.NewTextSegment(text.NewSegment(seg.Stop, seg.Stop))
		brk.SetSoftLineBreak(t.SoftLineBreak())
		brk.SetHardLineBreak(t.HardLineBreak())
		parent.InsertBefore(parent, t, brk)
	}
	parent.RemoveChild(parent, t)
}

// mentionHrefRe finds mention links in sanitised HTML; the renderer writes
// them, so their shape is known.
var mentionHrefRe = regexp.MustCompile(`<a href="/u/([A-Za-z0-9_.-]{3,20})"[^>]*class="mention"`)

// MentionLinks counts the mention links in rendered HTML, repeats included:
// links the renderer made, not links the writer posted.
func MentionLinks(html string) int { return len(mentionHrefRe.FindAllStringIndex(html, -1)) }

// Mentions lists the distinct usernames (lower-cased) a rendered post
// mentions, in order, at most MaxMentions.
func Mentions(html string) []string {
	if !strings.Contains(html, `class="mention"`) {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, m := range mentionHrefRe.FindAllStringSubmatch(html, -1) {
		k := strings.ToLower(m[1])
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, k)
		if len(out) == MaxMentions {
			break
		}
	}
	return out
}
