package markup

import (
	"context"
	"strings"

	"mutual/fault"
	"mutual/i18n"
)

// MaxNesting is how deep quotes and lists may nest on one line. Real
// answers quote a quote of a quote; thousands of ">" in a row are an attack:
// 20 KB of them rendered 1.1 MB of HTML in 0.9 s, and forty such previews at
// once slowed every other member's request to 1.5 s.
const MaxNesting = 16

// MaxHTML caps the rendered HTML of one body. The longest honest body (20,000
// characters) renders to a few times its length; past this size the markdown
// is built to blow up, not to be read.
const MaxHTML = 256 << 10

// checkNesting refuses a body that nests quotes or list items on one line
// deeper than MaxNesting, before the parser spends time on it.
func checkNesting(ctx context.Context, src string) error {
	for line := range strings.Lines(src) {
		if depth := containerDepth(line); depth > MaxNesting {
			return fault.Invalid("body", i18n.T(ctx, "markupmsg.nesting", "Depth", depth, "Max", MaxNesting))
		}
	}
	return nil
}

// containerDepth counts the quote markers (">") and list markers ("-", "*",
// "+", "1." or "1)" followed by a space) that open a line, each possibly
// after spaces: the block containers that line is nested in.
func containerDepth(line string) int {
	depth, i := 0, 0
	for {
		for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
			i++
		}
		switch {
		case i < len(line) && line[i] == '>':
			i++
		case i+1 < len(line) && strings.IndexByte("-*+", line[i]) >= 0 && line[i+1] == ' ':
			i += 2
		default:
			n := i
			for n < len(line) && n-i < 9 && line[n] >= '0' && line[n] <= '9' {
				n++
			}
			if n == i || n+1 >= len(line) || (line[n] != '.' && line[n] != ')') || line[n+1] != ' ' {
				return depth
			}
			i = n + 2
		}
		depth++
	}
}

// checkSize refuses rendered HTML larger than MaxHTML.
func checkSize(ctx context.Context, html string) error {
	if len(html) > MaxHTML {
		return fault.Invalid("body", i18n.T(ctx, "markupmsg.too_large", "KB", MaxHTML>>10))
	}
	return nil
}
