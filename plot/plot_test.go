package plot

import (
	"bytes"
	"encoding/xml"
	"image/png"
	"io"
	"math"
	"path/filepath"
	"strings"
	"testing"
)

func sample() *Chart {
	return &Chart{
		Title: "a <b> & c", X: Axis{Label: "degree", Log: true}, Y: Axis{Label: "nodes", Log: true},
		Series: []Series{
			{Name: "ccdf", X: []float64{1, 10, 100, -1, 0}, Y: []float64{1000, 100, 1, 5, 5}, Kind: Line},
			{Name: "bins", X: []float64{2, 20}, Y: []float64{50, math.NaN()}, Kind: Bar},
		},
	}
}

func TestSVGWellFormed(t *testing.T) {
	var b bytes.Buffer
	if err := sample().WriteSVG(&b); err != nil {
		t.Fatal(err)
	}
	d := xml.NewDecoder(bytes.NewReader(b.Bytes()))
	texts := ""
	polylinePoints := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v", err)
		}
		switch e := tok.(type) {
		case xml.CharData:
			texts += string(e) + "|"
		case xml.StartElement:
			if e.Name.Local == "polyline" {
				for _, a := range e.Attr {
					if a.Name.Local == "points" {
						polylinePoints = len(strings.Fields(a.Value))
					}
				}
			}
		}
	}
	for _, want := range []string{"a <b> & c", "degree (log scale)", "nodes (log scale)", "|1000|", "|10|", "ccdf"} {
		if !strings.Contains("|"+texts, want) {
			t.Fatalf("SVG text lacks %q: %s", want, texts)
		}
	}
	if polylinePoints != 3 {
		t.Fatalf("line has %d points, want 3 (non-positive x dropped on a log axis)", polylinePoints)
	}
}

func TestPNG(t *testing.T) {
	c := sample()
	c.Width, c.Height = 400, 300
	p := filepath.Join(t.TempDir(), "c.png")
	if err := c.Save(p); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	c.WritePNG(&b)
	img, err := png.Decode(&b)
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds().Dx() != 400 || img.Bounds().Dy() != 300 {
		t.Fatalf("size %v", img.Bounds())
	}
	// The first series colour appears (the line was drawn).
	found := false
	for y := 0; y < 300 && !found; y++ {
		for x := 0; x < 400; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r>>8 == 0x1f && g>>8 == 0x77 && bl>>8 == 0xb4 {
				found = true
				break
			}
		}
	}
	if !found {
		t.Fatal("no pixel of the line colour")
	}
}

func TestLinearTicks(t *testing.T) {
	s := newScale(Axis{}, func(y func(float64)) { y(0); y(0.93) }, 0, 100, false)
	if len(s.ticks) < 4 || s.ticks[0] != 0 || s.ticks[len(s.ticks)-1] < 0.8 || s.tickLabels[3] != "0.6" {
		t.Fatalf("ticks %v %v", s.ticks, s.tickLabels)
	}
	for i := 1; i < len(s.ticks); i++ {
		if math.Abs(s.ticks[i]-s.ticks[i-1]-0.2) > 1e-12 {
			t.Fatalf("uneven ticks %v", s.ticks)
		}
	}
	for _, c := range []struct {
		v    float64
		want string
	}{{0, "0"}, {0.25, "0.25"}, {1500, "1500"}, {25000, "25k"}, {3e6, "3M"}, {1e-5, "1e-05"}} {
		if got := FormatNumber(c.v); got != c.want {
			t.Fatalf("FormatNumber(%g) = %s, want %s", c.v, got, c.want)
		}
	}
}
