package scorer

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// auditLog writes one JSON line per scored id:
//
//	{"time":"2025-01-02T03:04:05.123456Z","request_id":"...","client":"...","user":"<hmac>",
//	 "score":0.12,"decision":"pass","tier":"t1","degraded":false,"cold":false}
//
// user is the first 16 bytes (hex) of HMAC-SHA256(key, id), so the log can be joined with other
// systems holding the key but does not hold raw ids. Requests only append their line to an
// in-memory buffer (bufCap bytes); a writer goroutine swaps it out every 100 ms (or when half
// full) and writes it, so a slow disk never stalls a request. If the disk stalls long enough for
// the buffer to fill, further lines are dropped and counted (riskwalk_audit_dropped_total). The
// file is audit.jsonl in dir; it is rotated to audit-YYYYMMDDTHHMMSS.mmm.jsonl when it would
// pass maxBytes or the UTC day changes, and rotated files older than keepDays are deleted (at
// rotation and hourly). Close writes everything buffered.
type auditLog struct {
	dir      string
	maxBytes int64
	keepDays int
	key      []byte // HMAC key for user ids

	mu      sync.Mutex // guards buf
	buf     []byte
	dropped atomic.Uint64
	kick    chan struct{}

	wmu   sync.Mutex // guards the file side: spare, f, size, day, err
	spare []byte
	f     *os.File
	size  int64
	day   int // year*1000+yearday (UTC) of the open file
	err   error
	stop  chan struct{}
	done  sync.WaitGroup
}

// bufCap is the audit buffer: about a second of lines at 60k lines/s.
const bufCap = 16 << 20

const auditName = "audit.jsonl"

func openAudit(dir string, key []byte, maxBytes int64, keepDays int) (*auditLog, error) {
	if len(key) < 16 {
		return nil, fmt.Errorf("audit key: %d bytes, want at least 16 (e.g. head -c 32 /dev/urandom > key)", len(key))
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("audit directory: %w", err)
	}
	a := &auditLog{dir: dir, maxBytes: maxBytes, keepDays: keepDays, stop: make(chan struct{}), kick: make(chan struct{}, 1),
		buf: make([]byte, 0, bufCap), spare: make([]byte, 0, bufCap)}
	a.key = append([]byte(nil), key...)
	if err := a.open(time.Now().UTC()); err != nil {
		return nil, err
	}
	a.prune(time.Now())
	a.done.Add(1)
	go a.flusher()
	return a, nil
}

func dayOf(t time.Time) int { return t.Year()*1000 + t.YearDay() }

func (a *auditLog) open(now time.Time) error {
	f, err := os.OpenFile(filepath.Join(a.dir, auditName), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	a.f, a.size, a.day = f, st.Size(), dayOf(now)
	if a.size > 0 && dayOf(st.ModTime().UTC()) != a.day {
		a.day = dayOf(st.ModTime().UTC()) // rotate on the first write of the new day
	}
	return nil
}

// hashID appends the hex of the first 16 bytes of HMAC-SHA256(key, id) to dst. It uses sc's
// HMAC (created on the scratch's first audited request): crypto/hmac keeps the key's inner and
// outer pad states after the first Reset, so each id costs two SHA-256 blocks (ids up to 55
// bytes) instead of four, and nothing is allocated.
func (a *auditLog) hashID(dst []byte, sc *scratch, id []byte) []byte {
	if sc.mac == nil {
		sc.mac = hmac.New(sha256.New, a.key)
	}
	sc.mac.Reset()
	sc.mac.Write(id)
	sc.tmp = sc.mac.Sum(sc.tmp[:0])
	for _, c := range sc.tmp[:16] {
		dst = append(dst, hexDigits[c>>4], hexDigits[c&15])
	}
	return dst
}

// write queues one complete line (ending in '\n'); it never blocks on the disk.
func (a *auditLog) write(line []byte) {
	a.mu.Lock()
	if len(a.buf)+len(line) > cap(a.buf) {
		a.mu.Unlock()
		a.dropped.Add(1)
		return
	}
	a.buf = append(a.buf, line...)
	half := len(a.buf) > cap(a.buf)/2
	a.mu.Unlock()
	if half {
		select {
		case a.kick <- struct{}{}:
		default:
		}
	}
}

// flush writes the queued lines, rotating between lines where the size or day demands.
func (a *auditLog) flush(now time.Time) {
	a.wmu.Lock()
	defer a.wmu.Unlock()
	a.mu.Lock()
	a.buf, a.spare = a.spare[:0], a.buf
	a.mu.Unlock()
	data := a.spare
	for len(data) > 0 && a.f != nil {
		// The longest run of whole lines that fits in the current file.
		n := 0
		for n < len(data) {
			i := bytes.IndexByte(data[n:], '\n')
			if i < 0 {
				i = len(data) - n - 1
			}
			if a.size+int64(n+i+1) > a.maxBytes && (a.size > 0 || n > 0) {
				break
			}
			n += i + 1
		}
		if n == 0 || dayOf(now) != a.day && a.size > 0 {
			a.rotate(now)
			if n == 0 {
				continue
			}
		}
		w, err := a.f.Write(data[:n])
		a.size += int64(w)
		if err != nil && a.err == nil {
			a.err = err
			fmt.Fprintf(os.Stderr, "riskwalk-scorer: audit log %s: %v (audit lines are being lost)\n", a.dir, err)
		}
		data = data[n:]
	}
}

// rotate closes the current file under a dated name and opens a fresh one; a.wmu is held.
func (a *auditLog) rotate(now time.Time) {
	a.f.Close()
	cur := filepath.Join(a.dir, auditName)
	stamp := now.UTC().Format("20060102T150405.000000")
	name := filepath.Join(a.dir, "audit-"+stamp+".jsonl")
	for i := 1; ; i++ { // several rotations in one flush share a time stamp
		if _, err := os.Lstat(name); os.IsNotExist(err) {
			break
		}
		name = filepath.Join(a.dir, fmt.Sprintf("audit-%s-%d.jsonl", stamp, i))
	}
	if err := os.Rename(cur, name); err != nil {
		fmt.Fprintf(os.Stderr, "riskwalk-scorer: rotate audit log: %v\n", err)
	}
	if err := a.open(now.UTC()); err != nil {
		a.f = nil
		fmt.Fprintf(os.Stderr, "riskwalk-scorer: %v (audit stopped)\n", err)
		return
	}
	go a.prune(now)
}

// prune deletes rotated files older than keepDays.
func (a *auditLog) prune(now time.Time) {
	if a.keepDays <= 0 {
		return
	}
	ents, err := os.ReadDir(a.dir)
	if err != nil {
		return
	}
	cut := now.Add(-time.Duration(a.keepDays) * 24 * time.Hour)
	for _, e := range ents {
		n := e.Name()
		if !strings.HasPrefix(n, "audit-") || !strings.HasSuffix(n, ".jsonl") {
			continue
		}
		if info, err := e.Info(); err == nil && info.ModTime().Before(cut) {
			os.Remove(filepath.Join(a.dir, n))
		}
	}
}

func (a *auditLog) flusher() {
	defer a.done.Done()
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	hourly := time.Now()
	for {
		select {
		case <-a.stop:
			return
		case <-a.kick:
			a.flush(time.Now())
		case now := <-t.C:
			a.flush(now)
			if now.Sub(hourly) > time.Hour {
				hourly = now
				a.prune(now)
			}
		}
	}
}

// Close writes what is queued and closes the log.
func (a *auditLog) Close() error {
	close(a.stop)
	a.done.Wait()
	a.flush(time.Now())
	a.wmu.Lock()
	defer a.wmu.Unlock()
	if a.f == nil {
		return a.err
	}
	err := a.f.Close()
	a.f = nil
	if err == nil {
		err = a.err
	}
	return err
}
