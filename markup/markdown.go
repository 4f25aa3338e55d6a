// Package markup turns member markdown into HTML that is safe to put in a
// page (goldmark, then a bluemonday policy), links @mentions and reads them
// back, and gives the plain text of a body for snippets and mail. It refuses
// markdown built to blow up (limits.go). It owns no tables and knows nothing
// of members or content: forum renders posts with it, and anything else
// written in markdown can.
package markup

import (
	"bytes"
	"context"
	"fmt"
	"regexp"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Renderer turns member markdown into HTML that is safe to put in a page. It
// is built once and shared: goldmark and bluemonday are both safe for
// concurrent use once configured.
type Renderer struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
}

// linkRel marks every link in user content as untrusted, user-generated and
// unable to reach back to the opener.
const linkRel = "nofollow ugc noopener"

// relTransformer stamps rel on links before rendering; bluemonday then keeps
// exactly that value and nothing a user could choose.
type relTransformer struct{}

func (relTransformer) Transform(doc *ast.Document, _ text.Reader, _ parser.Context) {
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n.Kind() {
		case ast.KindLink, ast.KindAutoLink:
			n.SetAttributeString("rel", []byte(linkRel))
		}
		return ast.WalkContinue, nil
	})
}

// NewRenderer builds the converter and the one sanitising policy. goldmark's
// attribute syntax and raw HTML stay off; heading ids are not generated, so no
// user-controlled id reaches the page.
func NewRenderer() *Renderer {
	md := goldmark.New(
		// GFM, with table alignment as the align attribute the policy keeps
		// (the default writes style="text-align", which it strips).
		goldmark.WithExtensions(extension.Linkify, extension.Strikethrough, extension.TaskList,
			extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute))),
		goldmark.WithParserOptions(
			parser.WithASTTransformers(util.Prioritized(relTransformer{}, 100), util.Prioritized(mentionTransformer{}, 200)),
		),
	)
	return &Renderer{md: md, policy: Policy()}
}

// Policy is the single sanitising policy for all user content: the elements
// markdown produces, http(s) and mailto links only, no ids, no styles, no
// data: or javascript: URLs, no SVG.
func Policy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
		"pre", "em", "strong", "del", "ul", "ol", "li", "table", "thead", "tbody", "tr")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^language-[a-zA-Z0-9_+#-]{1,32}$`)).OnElements("code")
	p.AllowElements("code")
	p.AllowAttrs("start").Matching(bluemonday.Integer).OnElements("ol")
	p.AllowAttrs("align").Matching(regexp.MustCompile(`^(left|right|center)$`)).OnElements("th", "td")
	p.AllowElements("th", "td")
	p.AllowAttrs("type").Matching(regexp.MustCompile(`^checkbox$`)).OnElements("input")
	p.AllowAttrs("checked", "disabled").Matching(regexp.MustCompile(`^(|checked|disabled)$`)).OnElements("input")
	p.AllowAttrs("href").OnElements("a")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^mention$`)).OnElements("a")
	p.AllowAttrs("title").OnElements("a", "img")
	p.AllowAttrs("rel").Matching(regexp.MustCompile(`^` + linkRel + `$`)).OnElements("a")
	p.AllowAttrs("src", "alt").OnElements("img")
	p.AllowURLSchemes("http", "https", "mailto")
	p.AllowRelativeURLs(true)
	p.RequireParseableURLs(true)
	p.RequireNoFollowOnLinks(true)
	return p
}

// Render converts markdown to sanitised HTML. It never falls back to the
// input: on a rendering error the caller gets the error. Markdown built to
// blow up (quotes or lists nested past MaxNesting, or rendering past
// MaxHTML) is refused with a fault.ValidationError on the field "body".
// Refusals are worded for the reader of ctx.
func (r *Renderer) Render(ctx context.Context, src string) (string, error) {
	if err := checkNesting(ctx, src); err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := r.md.Convert([]byte(src), &buf); err != nil {
		return "", fmt.Errorf("markup: render markdown: %w", err)
	}
	if err := checkSize(ctx, buf.String()); err != nil {
		return "", err
	}
	return r.policy.Sanitize(buf.String()), nil
}

// Sanitize passes already-rendered HTML (for example from an import) through
// the same policy.
func (r *Renderer) Sanitize(html string) string { return r.policy.Sanitize(html) }
