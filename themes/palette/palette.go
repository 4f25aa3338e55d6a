// Package palette derives readable colours from a brand's own. A brand may
// pick any primary and accent colour; text drawn on them, or in them on the
// theme's light surfaces, must still reach WCAG AA contrast (4.5:1 for text,
// 3:1 for large text and for focus rings). The package is pure arithmetic on
// sRGB colours: BrandCSS serves what Derive returns, and the brand settings
// page previews it.
package palette

import (
	"fmt"
	"math"
	"strconv"
)

// WCAG AA minimum contrast ratios.
const (
	AA      = 4.5 // body text
	AALarge = 3.0 // large text (24 px, or 18.66 px bold), focus rings and other UI parts
)

// RGB is an sRGB colour.
type RGB struct{ R, G, B uint8 }

// Colours the derivations reach for.
var (
	White = RGB{0xff, 0xff, 0xff}
	Black = RGB{0, 0, 0}
	// Ink is the theme's near-black text, preferred to pure black on fills.
	Ink = RGB{0x11, 0x11, 0x11}
)

// Surfaces are the theme's light backgrounds that text sits on: cards
// (app.css --surface) and the page (--bg).
var Surfaces = []RGB{White, {0xf6, 0xf7, 0xfb}}

// Parse reads "#rrggbb".
func Parse(hex string) (RGB, error) {
	if len(hex) != 7 || hex[0] != '#' {
		return RGB{}, fmt.Errorf("palette: %q is not a colour like #1a2b3c", hex)
	}
	v, err := strconv.ParseUint(hex[1:], 16, 32)
	if err != nil {
		return RGB{}, fmt.Errorf("palette: %q is not a colour like #1a2b3c", hex)
	}
	return RGB{uint8(v >> 16), uint8(v >> 8), uint8(v)}, nil
}

// Hex is the colour as "#rrggbb".
func (c RGB) Hex() string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }

// Luminance is WCAG's relative luminance, 0 (black) to 1 (white).
func (c RGB) Luminance() float64 {
	ch := func(v uint8) float64 {
		x := float64(v) / 255
		if x <= 0.04045 {
			return x / 12.92
		}
		return math.Pow((x+0.055)/1.055, 2.4)
	}
	return 0.2126*ch(c.R) + 0.7152*ch(c.G) + 0.0722*ch(c.B)
}

// Contrast is WCAG's contrast ratio of two colours, 1 to 21.
func Contrast(a, b RGB) float64 {
	x, y := a.Luminance(), b.Luminance()
	if x < y {
		x, y = y, x
	}
	return (x + 0.05) / (y + 0.05)
}

// Mix is a blended t of the way from a to b (0 gives a, 1 gives b).
func Mix(a, b RGB, t float64) RGB {
	m := func(x, y uint8) uint8 { return uint8(math.Round(float64(x) + (float64(y)-float64(x))*t)) }
	return RGB{m(a.R, b.R), m(a.G, b.G), m(a.B, b.B)}
}

// Tint is the colour at share (0 to 1) over white, as CSS's
// color-mix(in srgb, c share, white) draws it.
func Tint(c RGB, share float64) RGB { return Mix(White, c, share) }

// InkOn is the text colour for a background: white or the theme's ink,
// whichever reaches AA (the stronger if both do), and pure black when
// neither does, which always reaches it.
func InkOn(bg RGB) RGB {
	w, k := Contrast(White, bg), Contrast(Ink, bg)
	switch {
	case w >= AA && w >= k:
		return White
	case k >= AA:
		return Ink
	case w >= AA:
		return White
	}
	return Black
}

// Darken lowers c's lightness, keeping its hue and saturation, in steps of
// 1% of its lightness, until it reaches min contrast on every one of on; it
// returns the colour and how far it moved (0 to 1 of its lightness). A pale
// blue becomes a deeper blue, not a grey. Black reaches 4.5:1 on any colour
// lighter than mid-grey, so on light surfaces it always succeeds.
func Darken(c RGB, min float64, on ...RGB) (RGB, float64) {
	h, s, l := c.hsl()
	step := func(i int) RGB { return fromHSL(h, s, l*(1-float64(i)/100)) }
	if !reaches(step(100), min, on) {
		return Black, 1
	}
	// Darker only raises contrast on lighter surfaces, so the first step
	// that reaches min can be found by halving.
	lo, hi := 0, 100
	for lo < hi {
		if mid := (lo + hi) / 2; reaches(step(mid), min, on) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return step(lo), float64(lo) / 100
}

// hsl is c's hue (0 to 6, in sextants), saturation and lightness (0 to 1).
func (c RGB) hsl() (h, s, l float64) {
	r, g, b := float64(c.R)/255, float64(c.G)/255, float64(c.B)/255
	hi, lo := math.Max(r, math.Max(g, b)), math.Min(r, math.Min(g, b))
	l = (hi + lo) / 2
	d := hi - lo
	if d == 0 {
		return 0, 0, l
	}
	s = d / (1 - math.Abs(2*l-1))
	switch hi {
	case r:
		h = math.Mod((g-b)/d+6, 6)
	case g:
		h = (b-r)/d + 2
	default:
		h = (r-g)/d + 4
	}
	return h, s, l
}

func fromHSL(h, s, l float64) RGB {
	chroma := (1 - math.Abs(2*l-1)) * s
	x := chroma * (1 - math.Abs(math.Mod(h, 2)-1))
	var r, g, b float64
	switch int(h) {
	case 0:
		r, g = chroma, x
	case 1:
		r, g = x, chroma
	case 2:
		g, b = chroma, x
	case 3:
		g, b = x, chroma
	case 4:
		r, b = x, chroma
	default:
		r, b = chroma, x
	}
	m := l - chroma/2
	ch := func(v float64) uint8 { return uint8(math.Round(math.Max(0, math.Min(1, v+m)) * 255)) }
	return RGB{ch(r), ch(g), ch(b)}
}

func reaches(c RGB, min float64, on []RGB) bool {
	for _, bg := range on {
		if Contrast(c, bg) < min {
			return false
		}
	}
	return true
}

// maxShade is how much darker a fill may be drawn than the brand chose so
// that white text reads on it. Past this the colour would no longer look
// like the brand's, and dark text on the brand's own colour reads better
// (a yellow button takes black text, not a brown background).
const maxShade = 0.25

// Fill is a background for text in the brand's colour c, and the text
// colour on it: c itself with white text when that reads; c a little
// darker with white text when a small shade is enough; otherwise c with
// dark ink.
func Fill(c RGB) (bg, ink RGB) {
	if Contrast(White, c) >= AA {
		return c, White
	}
	if d, t := Darken(c, AA, White); t <= maxShade {
		return d, White
	}
	return c, InkOn(c)
}

// Scheme is a brand's colours and the readable ones derived from them.
type Scheme struct {
	Brand, Accent RGB // as the brand chose them: borders, bars, tints
	// BrandFill is the header's and primary buttons' background, BrandInk
	// the text on it; likewise AccentFill and AccentInk (the Ask button,
	// badges, the logo's initial).
	BrandFill, BrandInk   RGB
	AccentFill, AccentInk RGB
	// BrandText is the brand's colour for links and text on the light
	// surfaces and on the brand's own tint; AccentText likewise.
	BrandText, AccentText RGB
	// BrandTint is the pale brand background of avatars and mentions.
	BrandTint RGB
}

// TintShare is how much of the brand colour BrandTint holds.
const TintShare = 0.15

// Derive works out a brand's readable colours from its primary and accent.
func Derive(brand, accent RGB) Scheme {
	s := Scheme{Brand: brand, Accent: accent, BrandTint: Tint(brand, TintShare)}
	s.BrandFill, s.BrandInk = Fill(brand)
	s.AccentFill, s.AccentInk = Fill(accent)
	s.BrandText, _ = Darken(brand, AA, append([]RGB{s.BrandTint}, Surfaces...)...)
	s.AccentText, _ = Darken(accent, AA, append([]RGB{Tint(accent, TintShare)}, Surfaces...)...)
	return s
}

// CSS is the scheme as custom properties for :root.
func (s Scheme) CSS() string {
	return fmt.Sprintf(":root{--brand:%s;--accent:%s;--brand-fill:%s;--brand-ink:%s;--accent-fill:%s;--accent-ink:%s;--brand-text:%s;--accent-text:%s;--brand-tint:%s}\n",
		s.Brand.Hex(), s.Accent.Hex(), s.BrandFill.Hex(), s.BrandInk.Hex(), s.AccentFill.Hex(), s.AccentInk.Hex(),
		s.BrandText.Hex(), s.AccentText.Hex(), s.BrandTint.Hex())
}

// Pair is one way the theme draws text in a brand's colours: what it is
// for, the colours and their contrast as derived, the contrast the brand's
// own colours would have given, and the minimum it must reach.
type Pair struct {
	Key      string // names the pair's words in the catalogue (brandadm.use_<key>, brandadm.sample_<key>)
	Use      string
	Text, On RGB
	Ratio    float64
	Raw      float64 // the brand's colours unadjusted (white on a fill, the colour itself as text)
	Min      float64
	Sample   string // the words the preview draws
}

// Pairs lists the text and focus-ring pairs the theme draws in this
// scheme, for the brand settings preview.
func (s Scheme) Pairs() []Pair {
	pair := func(key, use, sample string, text, on RGB, raw float64, min float64) Pair {
		return Pair{Key: key, Use: use, Sample: sample, Text: text, On: on, Ratio: Contrast(text, on), Raw: raw, Min: min}
	}
	bg := Surfaces[1]
	return []Pair{
		pair("header", "Header and main buttons", "Ask the community", s.BrandInk, s.BrandFill, Contrast(White, s.Brand), AA),
		pair("accent", "Accent buttons, counts", "Ask a question", s.AccentInk, s.AccentFill, Contrast(White, s.Accent), AA),
		pair("card_links", "Links on cards", "Accepted answer", s.BrandText, White, Contrast(s.Brand, White), AA),
		pair("page_links", "Links on the page", "Billing", s.BrandText, bg, Contrast(s.Brand, bg), AA),
		pair("avatars", "Avatars, mentions", "@ada", s.BrandText, s.BrandTint, Contrast(s.Brand, s.BrandTint), AA),
		pair("accent_text", "Accent as text", "3 new", s.AccentText, White, Contrast(s.Accent, White), AA),
		pair("focus_cards", "Focus ring on cards", "Focused link", s.BrandText, White, Contrast(s.Brand, White), AALarge),
		pair("focus_header", "Focus ring in the header", "Focused menu", s.BrandInk, s.BrandFill, Contrast(White, s.Brand), AALarge),
	}
}
