package markup

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"mutual/fault"
)

func TestContainerDepth(t *testing.T) {
	for line, want := range map[string]int{
		"plain text":            0,
		"> quoted":              1,
		"> > > three":           3,
		">>>> four":             4,
		"- item":                1,
		"  - > - 1. deep":       4,
		"1) first":              1,
		"12345. numbered":       1,
		"-not a list":           0,
		"3.14 is not a list":    0,
		"    code > not quoted": 0,
	} {
		if got := containerDepth(line); got != want {
			t.Errorf("containerDepth(%q) = %d, want %d", line, got, want)
		}
	}
}

// Quoting nested past MaxNesting is refused as a field error before it is
// parsed, fast; honest nesting renders.
func TestRenderRefusesRunawayNesting(t *testing.T) {
	r := NewRenderer()
	if _, err := r.Render(context.Background(), strings.Repeat("> ", MaxNesting)+"deep but allowed"); err != nil {
		t.Fatalf("nesting at the limit refused: %v", err)
	}
	start := time.Now()
	_, err := r.Render(context.Background(), strings.Repeat(">", 20000))
	var ve *fault.ValidationError
	if !errors.As(err, &ve) || !strings.Contains(ve.Fields["body"], "at most 16") {
		t.Fatalf("20,000 quote markers: err = %v, want a field error on body", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Logf("refusing took %v", d) // a figure, not a timing assertion
	}
	_, err = r.Render(context.Background(), strings.Repeat("- ", 100)+"list")
	if !errors.As(err, &ve) {
		t.Fatalf("100 nested list markers: err = %v, want a field error", err)
	}
}

// Markdown that renders past MaxHTML is refused as a field error.
func TestRenderRefusesRunawayOutput(t *testing.T) {
	r := NewRenderer()
	// Each "*a*" becomes "<em>a</em>", a threefold growth; 100,000 of them
	// pass MaxHTML.
	_, err := r.Render(context.Background(), strings.Repeat("*a* ", 100000))
	var ve *fault.ValidationError
	if !errors.As(err, &ve) || !strings.Contains(ve.Fields["body"], "256 KB") {
		t.Fatalf("err = %v, want a field error on body", err)
	}
}
