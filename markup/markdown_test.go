package markup_test

import (
	"context"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"mutual/markup"
)

// xssVectors are markdown inputs that try to get script, handlers, styles,
// ids or dangerous URLs into a page. Each must render to HTML that passes
// checkSafeHTML. keep, when set, is text that must survive (so a vector is not
// "safe" merely because everything was dropped).
var xssVectors = []struct {
	name, src, keep string
}{
	{"script tag", `<script>alert(1)</script>`, ""},
	{"script tag inline", `hello <script>alert(1)</script> world`, "hello"},
	{"script mixed case", `<ScRiPt>alert(1)</sCrIpT>`, ""},
	{"javascript link", `[click](javascript:alert(1))`, "click"},
	{"javascript mixed case", `[click](JaVaScRiPt:alert(1))`, "click"},
	{"javascript entity-encoded", `[click](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1))`, "click"},
	{"javascript hex entities", `[click](&#x6A;avascript&#x3A;alert(1))`, "click"},
	{"javascript with tab", "[click](java&#x09;script:alert(1))", "click"},
	{"javascript with leading space in angle", `[click](< javascript:alert(1)>)`, "click"},
	{"javascript percent-encoded", `[click](javascript%3Aalert(1))`, "click"},
	{"vbscript link", `[click](vbscript:msgbox(1))`, "click"},
	{"raw a vbscript", `<a href="vbscript:msgbox(1)">x</a>`, ""},
	{"data URI link", `[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)`, "click"},
	{"data URI image", `![pic](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)`, ""},
	{"javascript image", `![pic](javascript:alert(1))`, ""},
	{"svg onload", `<svg onload="alert(1)"><circle r="4"/></svg>`, ""},
	{"img onerror raw", `<img src=x onerror="alert(1)">`, ""},
	{"img onerror via markdown title", `![x](https://example.com/a.png "a&quot; onerror=&quot;alert(1)")`, ""},
	{"link title breakout", `[x](https://example.com "a\" onmouseover=\"alert(1)")`, "x"},
	{"goldmark heading attributes", "# Title {#evil onclick=\"alert(1)\" style=\"color:red\"}", "Title"},
	{"goldmark attribute class", "# Title {.x onmouseover=alert(1)}", "Title"},
	{"goldmark link attributes", `[x](https://example.com){onclick="alert(1)"}`, ""},
	{"raw HTML block", "<div onclick=\"alert(1)\">\n\n**text**\n\n</div>", "text"},
	{"iframe", `<iframe src="https://evil.example/"></iframe>`, ""},
	{"iframe srcdoc", `<iframe srcdoc="<script>alert(1)</script>"></iframe>`, ""},
	{"style attribute", `<p style="position:fixed;top:0">overlay</p>`, ""},
	{"style element", "<style>body{display:none}</style>", ""},
	{"autolink javascript", `<javascript:alert(1)>`, ""},
	{"autolink http", `<https://example.com/ok>`, "example.com/ok"},
	{"bare URL extension", `see www.example.com/path and https://example.org`, "see"},
	{"reference link javascript", "[click][ref]\n\n[ref]: javascript:alert(1)", "click"},
	{"reference link data", "[click][ref]\n\n[ref]: data:text/html,<script>alert(1)</script>", "click"},
	{"nested markdown in link text", `[**bold** _em_ ![i](javascript:alert(1))](https://example.com)`, "bold"},
	{"link inside link text", `[[inner](javascript:alert(1))](https://example.com)`, "inner"},
	{"html comment", `<!-- <script>alert(1)</script> -->visible`, ""},
	{"object", `<object data="https://evil.example/x.swf"></object>`, ""},
	{"embed", `<embed src="https://evil.example/x.swf">`, ""},
	{"base", `<base href="https://evil.example/">`, ""},
	{"form", `<form action="https://evil.example/"><input name="password"><button>Go</button></form>`, ""},
	{"meta refresh", `<meta http-equiv="refresh" content="0;url=https://evil.example/">`, ""},
	{"link stylesheet", `<link rel="stylesheet" href="https://evil.example/x.css">`, ""},
	{"math xlink", `<math><a xlink:href="javascript:alert(1)">x</a></math>`, ""},
	{"code fence keeps text", "```html\n<script>alert(1)</script>\n```", "alert(1)"},
	{"inline code", "`<img src=x onerror=alert(1)>`", "onerror"},
	{"table cell html", "| a | b |\n|---|---|\n| <img src=x onerror=alert(1)> | ok |", "ok"},
	{"task list", "- [x] done <b onclick=alert(1)>b</b>\n- [ ] todo", "done"},
	{"footnote-like id", "text[^1]\n\n[^1]: <span id=\"x\">n</span>", "text"},
	{"name attribute clobbering", `<a name="forms" id="x">clobber</a>`, ""},
	{"mailto ok", `[mail me](mailto:someone@example.com)`, "mail me"},
	{"protocol-relative", `[x](//evil.example/path)`, "x"},
	{"unicode escape scheme", "[x](\u0001javascript:alert(1))", "x"},
}

// checkSafeHTML parses out and fails on anything executable or styling, and
// on links without the fixed rel.
func checkSafeHTML(t *testing.T, name, out string) {
	t.Helper()
	lower := strings.ToLower(out)
	if strings.Contains(lower, "<script") {
		t.Errorf("%s: output contains <script: %s", name, out)
	}
	allowed := map[string]bool{
		"p": true, "br": true, "hr": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
		"blockquote": true, "pre": true, "em": true, "strong": true, "del": true, "ul": true, "ol": true, "li": true,
		"table": true, "thead": true, "tbody": true, "tr": true, "th": true, "td": true, "code": true, "a": true,
		"img": true, "input": true,
	}
	z := html.NewTokenizer(strings.NewReader(out))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return
		}
		if tt == html.CommentToken {
			t.Errorf("%s: output keeps an HTML comment: %s", name, out)
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		tok := z.Token()
		if !allowed[tok.Data] {
			t.Errorf("%s: element <%s> not allowed: %s", name, tok.Data, out)
		}
		rel := ""
		for _, a := range tok.Attr {
			key := strings.ToLower(a.Key)
			val := strings.ToLower(strings.Map(func(r rune) rune {
				if r <= ' ' {
					return -1
				}
				return r
			}, a.Val))
			switch {
			case strings.HasPrefix(key, "on"):
				t.Errorf("%s: event handler attribute %s=%q: %s", name, a.Key, a.Val, out)
			case key == "id" || key == "name" || key == "style" || key == "srcdoc" || key == "formaction" || key == "xlink:href":
				t.Errorf("%s: attribute %s=%q not allowed: %s", name, a.Key, a.Val, out)
			case key == "href" || key == "src":
				for _, bad := range []string{"javascript:", "vbscript:", "data:"} {
					if strings.HasPrefix(val, bad) {
						t.Errorf("%s: %s URL %q: %s", name, bad, a.Val, out)
					}
				}
			case key == "rel":
				rel = a.Val
			case key == "class":
				if !strings.HasPrefix(a.Val, "language-") {
					t.Errorf("%s: class %q not allowed: %s", name, a.Val, out)
				}
			}
		}
		if tok.Data == "a" && rel != "nofollow ugc noopener" {
			t.Errorf("%s: link rel = %q, want \"nofollow ugc noopener\": %s", name, rel, out)
		}
		if tok.Data == "input" {
			for _, a := range tok.Attr {
				if a.Key == "type" && a.Val != "checkbox" {
					t.Errorf("%s: input type %q: %s", name, a.Val, out)
				}
			}
		}
	}
}

func TestMarkdownXSS(t *testing.T) {
	if len(xssVectors) < 25 {
		t.Fatalf("only %d XSS vectors; keep at least 25", len(xssVectors))
	}
	r := markup.NewRenderer()
	for _, v := range xssVectors {
		out, err := r.Render(context.Background(), v.src)
		if err != nil {
			t.Errorf("%s: Render error %v", v.name, err)
			continue
		}
		checkSafeHTML(t, v.name, out)
		if v.keep != "" && !strings.Contains(out, v.keep) {
			t.Errorf("%s: output lost the text %q: %s", v.name, v.keep, out)
		}
		// Imported HTML goes through the same policy.
		checkSafeHTML(t, v.name+" (sanitize raw)", r.Sanitize(v.src))
	}
}

// TestMarkdownKeepsFormatting guards against a policy so strict it breaks
// ordinary posts.
func TestMarkdownKeepsFormatting(t *testing.T) {
	r := markup.NewRenderer()
	for _, tt := range []struct {
		src  string
		want []string
	}{
		{"**bold** and _em_ and ~~gone~~", []string{"<strong>bold</strong>", "<em>em</em>", "<del>gone</del>"}},
		{"# Heading", []string{"<h1>Heading</h1>"}},
		{"[site](https://example.com/a?b=1&c=2)", []string{`href="https://example.com/a?b=1&amp;c=2"`, `rel="nofollow ugc noopener"`, ">site</a>"}},
		{"https://example.org/auto", []string{`href="https://example.org/auto"`, `rel="nofollow ugc noopener"`}},
		{"[rel](/t/1/topic)", []string{`href="/t/1/topic"`}},
		{"![alt text](https://example.com/i.png)", []string{`<img src="https://example.com/i.png" alt="alt text"`}},
		{"```go\nfmt.Println(1)\n```", []string{`<code class="language-go">`, "fmt.Println(1)"}},
		{"1. one\n2. two", []string{"<ol>", "<li>one</li>"}},
		{"3. three\n4. four", []string{`<ol start="3">`}},
		{"> quoted", []string{"<blockquote>"}},
		{"| a | b |\n|:-|-:|\n| 1 | 2 |", []string{"<table>", `<th align="left">a</th>`, `<td align="right">2</td>`}},
		{"- [x] done", []string{`<input checked="" disabled="" type="checkbox"`}},
		{"a < b & c > d", []string{"a &lt; b &amp; c &gt; d"}},
	} {
		out, err := r.Render(context.Background(), tt.src)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range tt.want {
			if !strings.Contains(out, w) {
				t.Errorf("Render(%q) = %s\n  missing %s", tt.src, out, w)
			}
		}
		checkSafeHTML(t, tt.src, out)
	}
}
