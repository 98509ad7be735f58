// Package plot draws small, dependable charts for riskwalk's reports: line, scatter and bar series
// on linear or logarithmic axes, with a title, axis labels, ticks and a legend, written as SVG or
// rasterised to PNG (same layout, a fixed 7x13 bitmap font). Degree distributions, ROC curves and
// score histograms are all a Chart with the right series:
//
//	c := plot.Chart{Title: "degree", X: plot.Axis{Label: "degree", Log: true},
//		Y: plot.Axis{Label: "nodes", Log: true},
//		Series: []plot.Series{{Name: "CCDF", X: xs, Y: ys, Kind: plot.Line}}}
//	err := c.Save("deg.svg") // or .png
//
// Points with non-finite coordinates, or <= 0 on a log axis, are left out.
package plot

import (
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"riskwalk/internal/atomicfile"
)

// Kind is how a series is drawn.
type Kind int

const (
	Line    Kind = iota // points joined in the given order
	Scatter             // a dot per point
	Bar                 // a bar from the axis base to each point, centred on X
	LineDot             // a line with a dot per point
)

// Series is one set of points. Color is a CSS hex colour ("#1f77b4"); empty picks from a palette.
type Series struct {
	Name  string
	X, Y  []float64
	Kind  Kind
	Color string
}

// Axis sets one axis. Min and Max fix the range when Min < Max; otherwise it fits the data.
type Axis struct {
	Label    string
	Log      bool
	Min, Max float64
}

// Chart is a plot. Width and Height are in pixels (0 means 720x450).
type Chart struct {
	Title         string
	X, Y          Axis
	Width, Height int
	Series        []Series
	// Diagonal draws the y = x reference line (ROC curves).
	Diagonal bool
}

var palette = []string{"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"}

// canvas is what a backend draws on: pixel coordinates, origin top left.
type canvas interface {
	line(x1, y1, x2, y2 float64, color string, width float64, dashed bool)
	polyline(xs, ys []float64, color string, width float64)
	circle(x, y, r float64, color string)
	rect(x, y, w, h float64, color string)
	// text draws s with its anchor point at (x, y): anchor is 's' (start), 'm' (middle) or 'e'
	// (end); the baseline sits at y. vertical rotates it 90 degrees counter-clockwise.
	text(x, y float64, s string, anchor byte, size float64, bold, vertical bool)
}

// scale maps data values to pixels along one axis.
type scale struct {
	log        bool
	lo, hi     float64 // data range (log10 values when log)
	p0, p1     float64 // pixel range
	ticks      []float64
	tickLabels []string
}

func (s *scale) pos(v float64) float64 {
	if s.log {
		v = math.Log10(v)
	}
	return s.p0 + (v-s.lo)/(s.hi-s.lo)*(s.p1-s.p0)
}

func (s *scale) ok(v float64) bool {
	return !math.IsNaN(v) && !math.IsInf(v, 0) && (!s.log || v > 0)
}

func newScale(a Axis, vals func(yield func(float64)), p0, p1 float64, bar bool) *scale {
	s := &scale{log: a.Log, p0: p0, p1: p1}
	lo, hi := math.Inf(1), math.Inf(-1)
	vals(func(v float64) {
		if s.ok(v) {
			if s.log {
				v = math.Log10(v)
			}
			lo, hi = min(lo, v), max(hi, v)
		}
	})
	if a.Min < a.Max && (!a.Log || a.Min > 0) {
		lo, hi = a.Min, a.Max
		if a.Log {
			lo, hi = math.Log10(lo), math.Log10(hi)
		}
	} else {
		if math.IsInf(lo, 1) {
			lo, hi = 0, 1
		}
		if bar && !s.log {
			lo = min(lo, 0)
		}
		if hi == lo {
			lo, hi = lo-0.5, hi+0.5
		}
		if s.log {
			lo, hi = math.Floor(lo), math.Ceil(hi)
			if hi == lo {
				hi++
			}
		} else {
			pad := (hi - lo) * 0.04
			if lo != 0 || !bar {
				lo -= pad
			}
			hi += pad
		}
	}
	s.lo, s.hi = lo, hi
	s.makeTicks()
	return s
}

func (s *scale) makeTicks() {
	if s.log {
		decades := s.hi - s.lo
		step := math.Max(1, math.Ceil(decades/8))
		for e := math.Ceil(s.lo); e <= s.hi+1e-9; e += step {
			s.ticks = append(s.ticks, math.Pow(10, e))
		}
		if decades < 2 { // add 2 and 5 between decades
			for e := math.Floor(s.lo); e <= s.hi; e++ {
				for _, m := range []float64{2, 5} {
					if l := e + math.Log10(m); l >= s.lo && l <= s.hi {
						s.ticks = append(s.ticks, m*math.Pow(10, e))
					}
				}
			}
		}
		for _, t := range s.ticks {
			s.tickLabels = append(s.tickLabels, FormatNumber(t))
		}
		return
	}
	span := s.hi - s.lo
	raw := span / 6
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	for k := math.Ceil(s.lo / step); k*step <= s.hi+step*1e-9; k++ {
		t := k * step
		s.ticks = append(s.ticks, t)
		s.tickLabels = append(s.tickLabels, FormatNumber(t))
	}
}

// FormatNumber writes v briefly: 1, 2.5, 0.01, 10k, 1.5M, 1e-05.
func FormatNumber(v float64) string {
	a := math.Abs(v)
	switch {
	case v == 0:
		return "0"
	case a >= 1e12 || a < 1e-3:
		return strconv.FormatFloat(v, 'g', 3, 64)
	case a >= 1e9:
		return trimFloat(v/1e9) + "G"
	case a >= 1e6:
		return trimFloat(v/1e6) + "M"
	case a >= 1e4:
		return trimFloat(v/1e3) + "k"
	}
	return trimFloat(v)
}

func trimFloat(v float64) string {
	s := strconv.FormatFloat(v, 'f', 3, 64)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// draw lays the chart out on c.
func (ch *Chart) draw(c canvas, w, h float64) {
	const left, right, top, bottom = 78.0, 24.0, 44.0, 58.0
	hasBar := false
	for _, s := range ch.Series {
		hasBar = hasBar || s.Kind == Bar
	}
	xs := newScale(ch.X, func(y func(float64)) {
		for _, s := range ch.Series {
			for _, v := range s.X {
				y(v)
			}
		}
	}, left, w-right, false)
	ys := newScale(ch.Y, func(y func(float64)) {
		for _, s := range ch.Series {
			for i, v := range s.Y {
				if i < len(s.X) && xs.ok(s.X[i]) {
					y(v)
				}
			}
		}
	}, h-bottom, top, hasBar)
	c.rect(0, 0, w, h, "#ffffff")
	// Grid and ticks.
	for i, t := range xs.ticks {
		p := xs.pos(t)
		c.line(p, top, p, h-bottom, "#e5e5e5", 1, false)
		c.line(p, h-bottom, p, h-bottom+5, "#333333", 1, false)
		c.text(p, h-bottom+18, xs.tickLabels[i], 'm', 11, false, false)
	}
	for i, t := range ys.ticks {
		p := ys.pos(t)
		c.line(left, p, w-right, p, "#e5e5e5", 1, false)
		c.line(left-5, p, left, p, "#333333", 1, false)
		c.text(left-8, p+4, ys.tickLabels[i], 'e', 11, false, false)
	}
	c.line(left, top, left, h-bottom, "#333333", 1, false)
	c.line(left, h-bottom, w-right, h-bottom, "#333333", 1, false)
	if ch.Diagonal {
		lo, hi := max(xs.lo, ys.lo), min(xs.hi, ys.hi)
		if xs.log {
			lo, hi = math.Pow(10, lo), math.Pow(10, hi)
		}
		c.line(xs.pos(lo), ys.pos(lo), xs.pos(hi), ys.pos(hi), "#999999", 1, true)
	}
	// Series.
	base := ys.p0
	if !ys.log && ys.lo < 0 && ys.hi > 0 {
		base = ys.pos(0)
	}
	for si, s := range ch.Series {
		color := s.Color
		if color == "" {
			color = palette[si%len(palette)]
		}
		var px, py []float64
		for i := range min(len(s.X), len(s.Y)) {
			if xs.ok(s.X[i]) && ys.ok(s.Y[i]) {
				px = append(px, xs.pos(s.X[i]))
				py = append(py, ys.pos(s.Y[i]))
			}
		}
		switch s.Kind {
		case Line, LineDot:
			c.polyline(px, py, color, 2)
			if s.Kind == LineDot {
				for i := range px {
					c.circle(px[i], py[i], 3, color)
				}
			}
		case Scatter:
			for i := range px {
				c.circle(px[i], py[i], 3, color)
			}
		case Bar:
			bw := (xs.p1 - xs.p0) / 20
			for i := 1; i < len(px); i++ {
				bw = min(bw, math.Abs(px[i]-px[i-1]))
			}
			bw *= 0.8
			for i := range px {
				top := min(py[i], base)
				c.rect(px[i]-bw/2, top, bw, math.Abs(base-py[i]), color)
			}
		}
	}
	// Labels, title, legend.
	c.text(w/2, 26, ch.Title, 'm', 15, true, false)
	c.text((left+w-right)/2, h-14, axisLabel(ch.X), 'm', 12, false, false)
	c.text(18, (top+h-bottom)/2, axisLabel(ch.Y), 'm', 12, false, true)
	ly := top + 10
	longest := 0
	for _, s := range ch.Series {
		longest = max(longest, len(s.Name))
	}
	lx := w - right - 30 - float64(longest)*7
	for si, s := range ch.Series {
		if s.Name == "" {
			continue
		}
		color := s.Color
		if color == "" {
			color = palette[si%len(palette)]
		}
		c.rect(lx, ly-8, 14, 10, color)
		c.text(lx+20, ly+1, s.Name, 's', 11, false, false)
		ly += 16
	}
}

func axisLabel(a Axis) string {
	if a.Log {
		return a.Label + " (log scale)"
	}
	return a.Label
}

func (ch *Chart) size() (float64, float64) {
	w, h := ch.Width, ch.Height
	if w <= 0 {
		w = 720
	}
	if h <= 0 {
		h = 450
	}
	return float64(w), float64(h)
}

// Save writes the chart to path atomically, as PNG if the name ends in .png, else SVG.
func (ch *Chart) Save(path string) error {
	f, err := atomicfile.Create(path)
	if err != nil {
		return err
	}
	defer f.Abort()
	if strings.EqualFold(filepath.Ext(path), ".png") {
		err = ch.WritePNG(f.W)
	} else {
		err = ch.WriteSVG(f.W)
	}
	if err != nil {
		return fmt.Errorf("plot %s: %w", path, err)
	}
	return f.Commit()
}

// WriteSVG writes the chart as a standalone SVG document.
func (ch *Chart) WriteSVG(w io.Writer) error {
	wd, ht := ch.size()
	s := &svgCanvas{}
	fmt.Fprintf(&s.b, `<svg xmlns="http://www.w3.org/2000/svg" width="%g" height="%g" viewBox="0 0 %g %g" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">`+"\n", wd, ht, wd, ht)
	ch.draw(s, wd, ht)
	s.b.WriteString("</svg>\n")
	_, err := io.WriteString(w, s.b.String())
	return err
}

type svgCanvas struct{ b strings.Builder }

func (s *svgCanvas) line(x1, y1, x2, y2 float64, color string, width float64, dashed bool) {
	dash := ""
	if dashed {
		dash = ` stroke-dasharray="5,4"`
	}
	fmt.Fprintf(&s.b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="%g"%s/>`+"\n", x1, y1, x2, y2, color, width, dash)
}

func (s *svgCanvas) polyline(xs, ys []float64, color string, width float64) {
	if len(xs) == 0 {
		return
	}
	s.b.WriteString(`<polyline fill="none" stroke="` + color + `" stroke-width="` + strconv.FormatFloat(width, 'g', -1, 64) + `" stroke-linejoin="round" points="`)
	for i := range xs {
		fmt.Fprintf(&s.b, "%.1f,%.1f ", xs[i], ys[i])
	}
	s.b.WriteString("\"/>\n")
}

func (s *svgCanvas) circle(x, y, r float64, color string) {
	fmt.Fprintf(&s.b, `<circle cx="%.1f" cy="%.1f" r="%g" fill="%s"/>`+"\n", x, y, r, color)
}

func (s *svgCanvas) rect(x, y, w, h float64, color string) {
	fmt.Fprintf(&s.b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>`+"\n", x, y, w, h, color)
}

func (s *svgCanvas) text(x, y float64, str string, anchor byte, size float64, bold, vertical bool) {
	a := map[byte]string{'s': "start", 'm': "middle", 'e': "end"}[anchor]
	extra := ""
	if bold {
		extra += ` font-weight="bold"`
	}
	if vertical {
		extra += fmt.Sprintf(` transform="rotate(-90 %.1f %.1f)"`, x, y)
	}
	fmt.Fprintf(&s.b, `<text x="%.1f" y="%.1f" font-size="%g" text-anchor="%s" fill="#222222"%s>%s</text>`+"\n", x, y, size, a, extra, xmlEscape(str))
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}
