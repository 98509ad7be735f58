package model

// Model-evaluation plots as small standalone SVG files: the ROC curve and score histograms by
// label. (Named ROCPlotSVG / ScoreHistSVG to keep them apart from other packages' plots.)

import (
	"bufio"
	"fmt"
	"html"
	"io"
	"math"

	"riskwalk/internal/atomicfile"
)

// Curve is one named series of points for ROCPlotSVG.
type Curve struct {
	Name string
	X, Y []float64
}

var plotColors = []string{"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"}

const (
	plotW, plotH           = 480.0, 400.0
	plotL, plotR, plotT    = 60.0, 20.0, 40.0
	plotB                  = 50.0
	plotInnerW, plotInnerH = plotW - plotL - plotR, plotH - plotT - plotB
)

type svg struct {
	w              *bufio.Writer
	x0, x1, y0, y1 float64
}

func (s *svg) px(x float64) float64 { return plotL + (x-s.x0)/(s.x1-s.x0)*plotInnerW }
func (s *svg) py(y float64) float64 { return plotT + plotInnerH - (y-s.y0)/(s.y1-s.y0)*plotInnerH }

func (s *svg) begin(title, xlabel, ylabel string) {
	fmt.Fprintf(s.w, `<svg xmlns="http://www.w3.org/2000/svg" width="%g" height="%g" viewBox="0 0 %g %g" font-family="sans-serif" font-size="12">`+"\n", plotW, plotH, plotW, plotH)
	fmt.Fprintf(s.w, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(s.w, `<text x="%g" y="22" text-anchor="middle" font-size="14">%s</text>`+"\n", plotW/2, html.EscapeString(title))
	fmt.Fprintf(s.w, `<rect x="%g" y="%g" width="%g" height="%g" fill="none" stroke="black"/>`+"\n", plotL, plotT, plotInnerW, plotInnerH)
	for k := 0; k <= 5; k++ {
		fx := s.x0 + (s.x1-s.x0)*float64(k)/5
		fy := s.y0 + (s.y1-s.y0)*float64(k)/5
		fmt.Fprintf(s.w, `<text x="%.1f" y="%.1f" text-anchor="middle">%.3g</text>`+"\n", s.px(fx), plotT+plotInnerH+16, fx)
		fmt.Fprintf(s.w, `<text x="%.1f" y="%.1f" text-anchor="end">%.3g</text>`+"\n", plotL-6, s.py(fy)+4, fy)
	}
	fmt.Fprintf(s.w, `<text x="%g" y="%g" text-anchor="middle">%s</text>`+"\n", plotL+plotInnerW/2, plotH-10, html.EscapeString(xlabel))
	fmt.Fprintf(s.w, `<text x="14" y="%g" text-anchor="middle" transform="rotate(-90 14 %g)">%s</text>`+"\n", plotT+plotInnerH/2, plotT+plotInnerH/2, html.EscapeString(ylabel))
}

func (s *svg) polyline(xs, ys []float64, color string, dash bool) {
	fmt.Fprintf(s.w, `<polyline fill="none" stroke="%s" stroke-width="1.5"`, color)
	if dash {
		fmt.Fprint(s.w, ` stroke-dasharray="4 4"`)
	}
	fmt.Fprint(s.w, ` points="`)
	for i := range xs {
		fmt.Fprintf(s.w, "%.1f,%.1f ", s.px(xs[i]), s.py(ys[i]))
	}
	fmt.Fprint(s.w, "\"/>\n")
}

func (s *svg) legend(k int, name, color string) {
	y := plotT + 16 + 16*float64(k)
	fmt.Fprintf(s.w, `<line x1="%g" y1="%g" x2="%g" y2="%g" stroke="%s" stroke-width="3"/>`, plotL+plotInnerW-150, y-4, plotL+plotInnerW-132, y-4, color)
	fmt.Fprintf(s.w, `<text x="%g" y="%g">%s</text>`+"\n", plotL+plotInnerW-126, y, html.EscapeString(name))
}

func (s *svg) end() error {
	fmt.Fprintln(s.w, "</svg>")
	return s.w.Flush()
}

// ROCPlotSVG draws ROC curves (X = FPR, Y = TPR, e.g. from ROCCurve) with the chance diagonal.
func ROCPlotSVG(w io.Writer, title string, curves ...Curve) error {
	s := &svg{w: bufio.NewWriter(w), x0: 0, x1: 1, y0: 0, y1: 1}
	s.begin(title, "false positive rate", "true positive rate")
	s.polyline([]float64{0, 1}, []float64{0, 1}, "#999999", true)
	for k, c := range curves {
		col := plotColors[k%len(plotColors)]
		s.polyline(c.X, c.Y, col, false)
		s.legend(k, c.Name, col)
	}
	return s.end()
}

// ScoreHistSVG draws the score distribution of each class (share of the class per bin, bins
// equally wide over the score range) as two step lines.
func ScoreHistSVG(w io.Writer, title string, scores []float64, labels []bool, bins int) error {
	if bins < 1 {
		return fmt.Errorf("model: histogram needs at least one bin")
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range scores {
		if finite(v) {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	if !(hi >= lo) {
		return fmt.Errorf("model: no finite scores to plot")
	}
	if hi == lo {
		hi = lo + 1
	}
	var cnt [2][]float64
	var tot [2]float64
	for c := range cnt {
		cnt[c] = make([]float64, bins)
	}
	for i, v := range scores {
		if !finite(v) {
			continue
		}
		b := min(bins-1, int((v-lo)/(hi-lo)*float64(bins)))
		c := 0
		if labels[i] {
			c = 1
		}
		cnt[c][b]++
		tot[c]++
	}
	ymax := 0.0
	for c := range cnt {
		for b := range cnt[c] {
			if tot[c] > 0 {
				cnt[c][b] /= tot[c]
			}
			ymax = math.Max(ymax, cnt[c][b])
		}
	}
	s := &svg{w: bufio.NewWriter(w), x0: lo, x1: hi, y0: 0, y1: math.Max(ymax*1.1, 1e-9)}
	s.begin(title, "score", "share of class")
	for c, name := range []string{fmt.Sprintf("good (n=%d)", int(tot[0])), fmt.Sprintf("bad (n=%d)", int(tot[1]))} {
		var xs, ys []float64
		for b := 0; b < bins; b++ {
			x0 := lo + (hi-lo)*float64(b)/float64(bins)
			x1 := lo + (hi-lo)*float64(b+1)/float64(bins)
			xs = append(xs, x0, x1)
			ys = append(ys, cnt[c][b], cnt[c][b])
		}
		col := plotColors[c]
		s.polyline(xs, ys, col, false)
		s.legend(c, name, col)
	}
	return s.end()
}

// SaveSVG writes one plot to path atomically, e.g. SaveSVG(p, func(w io.Writer) error { return
// ROCPlotSVG(w, "ROC", c) }).
func SaveSVG(path string, draw func(io.Writer) error) error {
	f, err := atomicfile.Create(path)
	if err != nil {
		return err
	}
	defer f.Abort()
	if err := draw(f.W); err != nil {
		return fmt.Errorf("plot %s: %w", path, err)
	}
	return f.Commit()
}
