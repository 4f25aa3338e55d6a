package radarweb

import (
	"fmt"
	"html/template"
	"math"
	"strings"

	"mutual/i18n"
	"mutual/radar"
)

// Charts are SVG drawn on the server, as the deflection report's are: no
// script, the numbers the tables show, text escaped.

type svg struct{ b strings.Builder }

func (s *svg) f(format string, args ...any) { fmt.Fprintf(&s.b, format, args...) }

func (s *svg) text(x, y float64, anchor, class, t string) {
	s.f(`<text x="%.1f" y="%.1f" text-anchor="%s" class="%s">%s</text>`, x, y, anchor, class, template.HTMLEscapeString(t))
}

func (s *svg) html() template.HTML { return template.HTML(s.b.String()) } // #nosec: built from escaped text and numbers

// boardColours tell boards apart in the volume chart.
var boardColours = []string{"#4b2bb8", "#e8542f", "#1f8a70", "#c9a227", "#3b7dd8", "#a23b72", "#6b6b6b", "#2e4057"}

// volumeChart: threads per day over the last 28 days, stacked by board.
func volumeChart(loc *i18n.Localizer, days []radar.DayVolume, boards []int64, names map[int64]string) template.HTML {
	const w, h, padL, padB, padT = 720.0, 220.0, 40.0, 28.0, 12.0
	top := 1
	for _, d := range days {
		top = max(top, d.Total)
	}
	s := &svg{}
	s.f(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %.0f %.0f" role="img" aria-labelledby="vol-t" class="chart">`, w, h)
	s.f(`<title id="vol-t">%s</title>`, template.HTMLEscapeString(loc.T("radar.volume_chart")))
	plotH := h - padT - padB
	slot := (w - padL) / float64(max(len(days), 1))
	s.text(padL-6, padT+8, "end", "tick", loc.Int(int64(top)))
	s.text(padL-6, h-padB, "end", "tick", "0")
	for i, d := range days {
		x := padL + slot*float64(i)
		y := h - padB
		for k, b := range boards {
			n := d.ByBoard[b]
			if n == 0 {
				continue
			}
			bh := plotH * float64(n) / float64(top)
			y -= bh
			s.f(`<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s: %s</title></rect>`,
				x+1, y, math.Max(slot-2, 1), bh, boardColours[k%len(boardColours)], template.HTMLEscapeString(names[b]), loc.Int(int64(n)))
		}
		switch {
		case i == len(days)-1:
			s.text(x+slot, h-8, "end", "tick", loc.DayMonth(d.Day))
		case i%7 == 0 && i < len(days)-4:
			s.text(x+slot/2, h-8, "middle", "tick", loc.DayMonth(d.Day))
		}
	}
	s.f(`</svg>`)
	return s.html()
}

// groupsChart: the largest groups of the week as horizontal bars.
func groupsChart(loc *i18n.Localizer, groups []radar.GroupSize) template.HTML {
	if len(groups) == 0 {
		return ""
	}
	const w, row, left = 720.0, 26.0, 360.0
	h := row*float64(len(groups)) + 8
	top := 1
	for _, g := range groups {
		top = max(top, g.Threads)
	}
	s := &svg{}
	s.f(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %.0f %.0f" role="img" aria-labelledby="grp-t" class="chart">`, w, h)
	s.f(`<title id="grp-t">%s</title>`, template.HTMLEscapeString(loc.T("radar.groups_chart")))
	for i, g := range groups {
		y := 4 + row*float64(i)
		title := g.Title
		if title == "" {
			title = loc.T("radar.erased")
		}
		if r := []rune(title); len(r) > 48 {
			title = string(r[:47]) + "…"
		}
		s.f(`<text x="%.1f" y="%.1f" text-anchor="end" class="label" data-user>%s</text>`, left-8, y+16, template.HTMLEscapeString(title))
		bw := (w - left - 60) * float64(g.Threads) / float64(top)
		s.f(`<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#4b2bb8"/>`, left, y+3, math.Max(bw, 1), row-8)
		s.text(left+math.Max(bw, 1)+6, y+16, "start", "value", loc.Int(int64(g.Threads)))
	}
	s.f(`</svg>`)
	return s.html()
}
