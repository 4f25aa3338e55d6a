package palette

import (
	"math"
	"testing"
)

// every0x33 is every colour whose channels step by 0x33: 216 colours from
// black to white, the "web-safe" cube, which covers every hue at light,
// mid and dark.
func every0x33() []RGB {
	var out []RGB
	for r := 0; r <= 0xff; r += 0x33 {
		for g := 0; g <= 0xff; g += 0x33 {
			for b := 0; b <= 0xff; b += 0x33 {
				out = append(out, RGB{uint8(r), uint8(g), uint8(b)})
			}
		}
	}
	return out
}

// Every pair the theme draws reaches its minimum, for any primary and any
// accent a brand may choose: each of the 216 as primary, against each as
// accent.
func TestDerivedPairsReachAA(t *testing.T) {
	cube := every0x33()
	if len(cube) != 216 {
		t.Fatalf("cube has %d colours", len(cube))
	}
	checked := 0
	for _, brand := range cube {
		for _, accent := range cube {
			s := Derive(brand, accent)
			for _, p := range s.Pairs() {
				checked++
				if p.Ratio < p.Min {
					t.Fatalf("brand %s accent %s: %s: %s on %s is %.2f:1, needs %.1f:1",
						brand.Hex(), accent.Hex(), p.Use, p.Text.Hex(), p.On.Hex(), p.Ratio, p.Min)
				}
			}
		}
	}
	if checked < 216*216*8 {
		t.Errorf("checked %d pairs", checked)
	}
}

// Finer than the cube, one colour at a time: every colour stepping by 0x11
// (4096) as a fill, as text on each light surface and on its own tint.
func TestEveryColourStepReadable(t *testing.T) {
	for r := 0; r <= 0xff; r += 0x11 {
		for g := 0; g <= 0xff; g += 0x11 {
			for b := 0; b <= 0xff; b += 0x11 {
				c := RGB{uint8(r), uint8(g), uint8(b)}
				bg, ink := Fill(c)
				if got := Contrast(ink, bg); got < AA {
					t.Fatalf("fill %s: %s on %s is %.2f:1", c.Hex(), ink.Hex(), bg.Hex(), got)
				}
				text, _ := Darken(c, AA, append([]RGB{Tint(c, TintShare)}, Surfaces...)...)
				for _, on := range append([]RGB{Tint(c, TintShare)}, Surfaces...) {
					if got := Contrast(text, on); got < AA {
						t.Fatalf("text %s (from %s) on %s is %.2f:1", text.Hex(), c.Hex(), on.Hex(), got)
					}
				}
				if got := Contrast(InkOn(c), c); got < AA {
					t.Fatalf("ink on %s is %.2f:1", c.Hex(), got)
				}
			}
		}
	}
}

// The brand's colours are kept wherever they already read, and changed
// as little as reading needs otherwise.
func TestDeriveKeepsTheBrand(t *testing.T) {
	tests := []struct {
		name                  string
		brand, accent         string
		fill, ink, text       string // of the brand
		accentFill, accentInk string
	}{
		// The demo brand: its purple reads as is; its orange takes a
		// slightly deeper shade under white text (3.66:1 as chosen).
		{"demo", "#4b2bb8", "#e8542f", "#4b2bb8", "#ffffff", "#4b2bb8", "#d83e18", "#ffffff"},
		// A yellow accent keeps its yellow and takes dark ink (white on it
		// is 1.43:1); a pale blue primary keeps its colour in the header
		// with dark ink, and links take a deeper blue, not a grey.
		{"yellow on pale", "#dde8ff", "#ffd400", "#dde8ff", "#111111", "#1a64ff", "#ffd400", "#111111"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, _ := Parse(tt.brand)
			a, _ := Parse(tt.accent)
			s := Derive(b, a)
			if s.BrandFill.Hex() != tt.fill || s.BrandInk.Hex() != tt.ink {
				t.Errorf("brand fill %s ink %s, want %s %s", s.BrandFill.Hex(), s.BrandInk.Hex(), tt.fill, tt.ink)
			}
			if s.BrandText.Hex() != tt.text {
				t.Errorf("brand text %s, want %s", s.BrandText.Hex(), tt.text)
			}
			if s.AccentFill.Hex() != tt.accentFill || s.AccentInk.Hex() != tt.accentInk {
				t.Errorf("accent fill %s ink %s, want %s %s", s.AccentFill.Hex(), s.AccentInk.Hex(), tt.accentFill, tt.accentInk)
			}
			if s.Brand != b || s.Accent != a {
				t.Error("the brand's own colours must be kept as chosen")
			}
		})
	}
}

// Contrast and luminance match WCAG's published values.
func TestContrastMatchesWCAG(t *testing.T) {
	tests := []struct {
		a, b string
		want float64
	}{
		{"#ffffff", "#000000", 21},
		{"#ffffff", "#ffffff", 1},
		{"#ffffff", "#767676", 4.54}, // the lightest grey that passes on white
		{"#ffffff", "#ffd400", 1.43},
		{"#4b2bb8", "#4b2bb8", 1},
	}
	for _, tt := range tests {
		a, _ := Parse(tt.a)
		b, _ := Parse(tt.b)
		if got := Contrast(a, b); math.Abs(got-tt.want) > 0.01 {
			t.Errorf("Contrast(%s, %s) = %.3f, want %.2f", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestParse(t *testing.T) {
	c, err := Parse("#1A2b3c")
	if err != nil || c != (RGB{0x1a, 0x2b, 0x3c}) || c.Hex() != "#1a2b3c" {
		t.Errorf("Parse(#1A2b3c) = %v, %v", c, err)
	}
	for _, bad := range []string{"", "1a2b3c", "#1a2b3", "#1a2b3g", "#1a2b3c4", "red"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
}

// Darkening works in hue, saturation and lightness: every colour survives
// the round trip.
func TestHSLRoundTrip(t *testing.T) {
	for _, c := range every0x33() {
		if h, s, l := c.hsl(); fromHSL(h, s, l) != c {
			t.Errorf("%s comes back as %s", c.Hex(), fromHSL(h, s, l).Hex())
		}
	}
}
