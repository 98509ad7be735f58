package plot

import (
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"
	"strconv"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// WritePNG rasterises the chart (same layout as the SVG; text in a 7x13 bitmap font, no
// anti-aliasing).
func (ch *Chart) WritePNG(w io.Writer) error {
	wd, ht := ch.size()
	r := &rasterCanvas{img: image.NewRGBA(image.Rect(0, 0, int(wd), int(ht)))}
	ch.draw(r, wd, ht)
	return png.Encode(w, r.img)
}

type rasterCanvas struct{ img *image.RGBA }

func parseColor(s string) color.RGBA {
	if len(s) == 7 && s[0] == '#' {
		v, err := strconv.ParseUint(s[1:], 16, 32)
		if err == nil {
			return color.RGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 255}
		}
	}
	return color.RGBA{0, 0, 0, 255}
}

func (r *rasterCanvas) fill(x0, y0, x1, y1 int, c color.RGBA) {
	draw.Draw(r.img, image.Rect(x0, y0, x1, y1).Intersect(r.img.Bounds()), image.NewUniform(c), image.Point{}, draw.Src)
}

func (r *rasterCanvas) line(x1, y1, x2, y2 float64, col string, width float64, dashed bool) {
	c := parseColor(col)
	n := int(math.Max(math.Abs(x2-x1), math.Abs(y2-y1))*2) + 1
	half := width / 2
	for i := 0; i <= n; i++ {
		t := float64(i) / float64(n)
		if dashed && int(t*float64(n)/2)/5%2 == 1 {
			continue
		}
		x, y := x1+(x2-x1)*t, y1+(y2-y1)*t
		r.fill(int(math.Round(x-half)), int(math.Round(y-half)), int(math.Round(x-half))+int(math.Max(1, width)), int(math.Round(y-half))+int(math.Max(1, width)), c)
	}
}

func (r *rasterCanvas) polyline(xs, ys []float64, col string, width float64) {
	for i := 1; i < len(xs); i++ {
		r.line(xs[i-1], ys[i-1], xs[i], ys[i], col, width, false)
	}
}

func (r *rasterCanvas) circle(x, y, rad float64, col string) {
	c := parseColor(col)
	for dy := -rad; dy <= rad; dy++ {
		dx := math.Sqrt(rad*rad - dy*dy)
		r.fill(int(math.Round(x-dx)), int(math.Round(y+dy)), int(math.Round(x+dx))+1, int(math.Round(y+dy))+1, c)
	}
}

func (r *rasterCanvas) rect(x, y, w, h float64, col string) {
	r.fill(int(math.Round(x)), int(math.Round(y)), int(math.Round(x+w)), int(math.Round(y+h)), parseColor(col))
}

func (r *rasterCanvas) text(x, y float64, s string, anchor byte, size float64, bold, vertical bool) {
	face := basicfont.Face7x13
	wd := font.MeasureString(face, s).Ceil()
	off := 0
	switch anchor {
	case 'm':
		off = wd / 2
	case 'e':
		off = wd
	}
	ink := image.NewUniform(color.RGBA{0x22, 0x22, 0x22, 255})
	if !vertical {
		d := &font.Drawer{Dst: r.img, Src: ink, Face: face, Dot: fixed.P(int(x)-off, int(y))}
		d.DrawString(s)
		if bold {
			d.Dot = fixed.P(int(x)-off+1, int(y))
			d.DrawString(s)
		}
		return
	}
	// Draw horizontally on a scratch image, then rotate 90 degrees counter-clockwise onto the
	// canvas so that the text reads bottom to top, centred per anchor along the vertical.
	tmp := image.NewRGBA(image.Rect(0, 0, wd, 13))
	d := &font.Drawer{Dst: tmp, Src: ink, Face: face, Dot: fixed.P(0, 10)}
	d.DrawString(s)
	for ty := 0; ty < 13; ty++ {
		for tx := 0; tx < wd; tx++ {
			if c := tmp.RGBAAt(tx, ty); c.A != 0 {
				px := int(x) - 10 + ty
				py := int(y) + off - tx
				if image.Pt(px, py).In(r.img.Bounds()) {
					r.img.SetRGBA(px, py, c)
				}
			}
		}
	}
}
