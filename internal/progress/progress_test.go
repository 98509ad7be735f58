package progress

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestLineAndFinish(t *testing.T) {
	var buf bytes.Buffer
	m := StartTo(&buf, "train", "tokens", 2_000_000, time.Hour, func() string { return "lr 0.025" })
	m.Add(500_000)
	l := m.Line()
	for _, want := range []string{"train: 500.0k/2.00M tokens (25.0%)", "tokens/s", "ETA", "lr 0.025"} {
		if !strings.Contains(l, want) {
			t.Fatalf("line %q lacks %q", l, want)
		}
	}
	m.Finish()
	if !strings.Contains(buf.String(), "train: 500.0k tokens in") {
		t.Fatalf("final line: %q", buf.String())
	}
}
