package reportweb

import (
	"fmt"
	"html/template"
	"math"
	"regexp"
	"strings"

	"mutual/i18n"
	"mutual/report/deflection"
)

// Charts are drawn on the server as SVG: no chart script, crisp when printed,
// and the same numbers the tables show. Text is escaped with template.HTMLEscapeString
// and colours are checked hex values, so the SVG carries no user markup.

var hexColour = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

func colour(c, fallback string) string {
	if hexColour.MatchString(c) {
		return c
	}
	return fallback
}

type svg struct{ b strings.Builder }

func (s *svg) f(format string, args ...any) { fmt.Fprintf(&s.b, format, args...) }

func (s *svg) text(x, y float64, anchor, class, t string) {
	s.f(`<text x="%.1f" y="%.1f" text-anchor="%s" class="%s">%s</text>`, x, y, anchor, class, template.HTMLEscapeString(t))
}

func (s *svg) html() template.HTML { return template.HTML(s.b.String()) } // #nosec: built from escaped text and numbers

// niceMax rounds a chart's top value up to 1, 2 or 5 times a power of ten.
func niceMax(v int) int {
	if v <= 4 {
		return 4
	}
	p := math.Pow(10, math.Floor(math.Log10(float64(v))))
	for _, m := range []float64{1, 2, 5, 10} {
		if float64(v) <= m*p {
			return int(m * p)
		}
	}
	return v
}

const (
	chartW, chartH         = 720.0, 300.0
	padL, padR, padT, padB = 56.0, 16.0, 40.0, 56.0
)

// titled gives a chart its accessible title and description.
func (s *svg) titled(id, title, desc string) {
	s.f(`<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, id, template.HTMLEscapeString(title), id, template.HTMLEscapeString(desc))
}

// axes draws the y grid with labels and the y axis title.
func (s *svg) axes(top int, yTitle string) {
	plotH := chartH - padT - padB
	for i := 0; i <= 4; i++ {
		v := top * i / 4
		y := chartH - padB - plotH*float64(i)/4
		s.f(`<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" class="grid"/>`, padL, y, chartW-padR, y)
		s.text(padL-6, y+4, "end", "tick", fmt.Sprint(v))
	}
	s.f(`<text transform="translate(14 %.1f) rotate(-90)" text-anchor="middle" class="axis-title">%s</text>`, padT+plotH/2, template.HTMLEscapeString(yTitle))
}

// trendChart: peer-resolved vs agent-resolved threads per week asked.
func trendChart(loc *i18n.Localizer, r *deflection.Report, primary, accent string) template.HTML {
	s := &svg{}
	s.f(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %.0f %.0f" role="img" aria-labelledby="trend-t trend-d" class="chart">`, chartW, chartH)
	s.titled("trend", loc.T("chart.trend_title"), loc.T("chart.trend_desc"))
	top := 0
	for _, w := range r.Trend {
		top = max(top, w.PeerResolved, w.AgentResolved)
	}
	top = niceMax(top)
	s.axes(top, loc.T("chart.resolved_axis"))
	n := max(len(r.Trend), 1)
	plotW, plotH := chartW-padL-padR, chartH-padT-padB
	slot := plotW / float64(n)
	bw := math.Min(slot*0.35, 28)
	for i, w := range r.Trend {
		x := padL + slot*float64(i) + slot/2
		for j, v := range []int{w.PeerResolved, w.AgentResolved} {
			h := plotH * float64(v) / float64(top)
			col := primary
			if j == 1 {
				col = accent
			}
			bx := x - bw + float64(j)*bw
			s.f(`<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%d</title></rect>`, bx, chartH-padB-h, bw-1, h, col, v)
			if v > 0 {
				s.text(bx+bw/2, chartH-padB-h-4, "middle", "value", fmt.Sprint(v))
			}
		}
		if n <= 16 || i%2 == 0 {
			s.text(x, chartH-padB+16, "middle", "tick", loc.DayMonth(w.Start))
		}
	}
	s.f(`<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" class="axis"/>`, padL, chartH-padB, chartW-padR, chartH-padB)
	s.text(padL+plotW/2, chartH-14, "middle", "axis-title", loc.T("chart.week_axis"))
	s.legend([]string{loc.T("chart.peer_resolved"), loc.T("chart.agent_resolved")}, []string{primary, accent})
	s.f(`</svg>`)
	return s.html()
}

func (s *svg) legend(labels, colours []string) {
	x := padL
	for i, l := range labels {
		s.f(`<rect x="%.1f" y="12" width="12" height="12" fill="%s"/>`, x, colours[i])
		s.text(x+18, 22, "start", "legend", l)
		x += 36 + 8.5*float64(len(l))
	}
}

// funnelChart: asked → answered → resolved → peer-resolved → deflected.
func funnelChart(loc *i18n.Localizer, f deflection.Figures, primary, accent string) template.HTML {
	stages := []struct {
		label string
		v     int
	}{
		{loc.T("chart.asked"), f.Asked},
		{loc.T("chart.answered"), f.Answered},
		{loc.T("chart.resolved"), f.PeerResolved + f.AgentResolved + f.OtherResolved},
		{loc.T("chart.peer_resolved"), f.PeerResolved},
		{loc.T("chart.deflected"), f.DirectCorrected},
	}
	const h = 272.0
	s := &svg{}
	s.f(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %.0f %.0f" role="img" aria-labelledby="funnel-t funnel-d" class="chart">`, chartW, h)
	s.titled("funnel", loc.T("chart.funnel_title"), loc.T("chart.funnel_desc"))
	left, width := 210.0, chartW-210-90
	top := max(f.Asked, 1)
	for i, st := range stages {
		y := 16 + float64(i)*46
		w := width * float64(st.v) / float64(top)
		col := primary
		if i == len(stages)-1 {
			col = accent
		}
		s.text(left-10, y+24, "end", "label", st.label)
		s.f(`<rect x="%.1f" y="%.1f" width="%.1f" height="34" fill="%s"><title>%d</title></rect>`, left, y, math.Max(w, 1), col, st.v)
		s.text(left+math.Max(w, 1)+8, y+23, "start", "value", loc.Int(int64(st.v))+" ("+loc.Percent(math.Round(100*float64(st.v)/float64(top)))+")")
	}
	s.text(left+width/2, h-4, "middle", "axis-title", loc.T("chart.funnel_axis"))
	s.f(`</svg>`)
	return s.html()
}

// firstAnswerChart: how long questions waited for their first answer.
func firstAnswerChart(loc *i18n.Localizer, r *deflection.Report, primary, accent string) template.HTML {
	s := &svg{}
	s.f(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %.0f %.0f" role="img" aria-labelledby="dist-t dist-d" class="chart">`, chartW, chartH)
	s.titled("dist", loc.T("chart.dist_title"), loc.T("chart.dist_desc"))
	top := 0
	for _, b := range r.FirstAnswer {
		top = max(top, b.Count)
	}
	top = niceMax(top)
	s.axes(top, loc.T("chart.questions_axis"))
	plotW, plotH := chartW-padL-padR, chartH-padT-padB
	slot := plotW / float64(len(r.FirstAnswer))
	for i, b := range r.FirstAnswer {
		h := plotH * float64(b.Count) / float64(top)
		x := padL + slot*float64(i)
		col := primary
		if i == len(r.FirstAnswer)-1 {
			col = accent
		}
		s.f(`<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%d</title></rect>`, x+slot*0.15, chartH-padB-h, slot*0.7, h, col, b.Count)
		s.text(x+slot/2, chartH-padB-h-4, "middle", "value", fmt.Sprint(b.Count))
		s.text(x+slot/2, chartH-padB+16, "middle", "tick", loc.T(fmt.Sprintf("chart.bucket%d", i)))
	}
	s.f(`<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" class="axis"/>`, padL, chartH-padB, chartW-padR, chartH-padB)
	s.text(padL+plotW/2, chartH-14, "middle", "axis-title", loc.T("chart.dist_axis"))
	s.legend([]string{loc.T("chart.answered"), loc.T("chart.still_waiting")}, []string{primary, accent})
	s.f(`</svg>`)
	return s.html()
}
