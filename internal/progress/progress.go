// Package progress prints the state of long jobs on stderr: done/total, rate, ETA, and any extra
// fields the job adds (learning rate, loss). Add is safe from many goroutines and costs one atomic
// add; printing happens on a ticker goroutine, never on the caller's path.
package progress

import (
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Meter counts units of work toward a total.
type Meter struct {
	name  string
	unit  string
	total int64
	done  atomic.Int64
	start time.Time
	out   io.Writer
	extra func() string
	stop  chan struct{}
	wg    sync.WaitGroup
}

// Start begins a meter that prints every interval (0 means 2 s) to stderr; total may be 0 if
// unknown. extra, if not nil, is called on the ticker goroutine and appended to each line.
func Start(name, unit string, total int64, interval time.Duration, extra func() string) *Meter {
	return StartTo(os.Stderr, name, unit, total, interval, extra)
}

// StartTo is Start writing to w.
func StartTo(w io.Writer, name, unit string, total int64, interval time.Duration, extra func() string) *Meter {
	if interval <= 0 {
		interval = 2 * time.Second
	}
	m := &Meter{name: name, unit: unit, total: total, start: time.Now(), out: w, extra: extra, stop: make(chan struct{})}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				fmt.Fprintln(m.out, m.Line())
			case <-m.stop:
				return
			}
		}
	}()
	return m
}

// Add records n more units done.
func (m *Meter) Add(n int64) { m.done.Add(n) }

// Done is the count so far.
func (m *Meter) Done() int64 { return m.done.Load() }

// Line formats the current state, e.g. "train: 1.2M/3.3M tokens (36.4%) 812.5k tokens/s ETA 2.6s".
func (m *Meter) Line() string {
	d := m.done.Load()
	el := time.Since(m.start).Seconds()
	rate := 0.0
	if el > 0 {
		rate = float64(d) / el
	}
	s := fmt.Sprintf("%s: %s", m.name, Human(float64(d)))
	if m.total > 0 {
		s += fmt.Sprintf("/%s %s (%.1f%%)", Human(float64(m.total)), m.unit, 100*float64(d)/float64(m.total))
	} else {
		s += " " + m.unit
	}
	s += fmt.Sprintf(" %s %s/s", Human(rate), m.unit)
	if m.total > 0 && rate > 0 && d < m.total {
		s += " ETA " + (time.Duration(float64(m.total-d)/rate*1e9) / time.Second * time.Second).String()
	}
	if m.extra != nil {
		s += " " + m.extra()
	}
	return s
}

// Finish stops printing and writes a final line with the elapsed time.
func (m *Meter) Finish() time.Duration {
	close(m.stop)
	m.wg.Wait()
	el := time.Since(m.start)
	d := m.done.Load()
	fmt.Fprintf(m.out, "%s: %s %s in %s (%s %s/s)\n", m.name, Human(float64(d)), m.unit, el.Round(time.Millisecond), Human(float64(d)/el.Seconds()), m.unit)
	return el
}

// Human formats a count with k/M/G suffixes.
func Human(x float64) string {
	switch {
	case x >= 1e9:
		return fmt.Sprintf("%.2fG", x/1e9)
	case x >= 1e6:
		return fmt.Sprintf("%.2fM", x/1e6)
	case x >= 1e4:
		return fmt.Sprintf("%.1fk", x/1e3)
	default:
		return fmt.Sprintf("%.0f", x)
	}
}
