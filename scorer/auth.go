package scorer

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
)

// client is one authenticated caller and its token bucket.
type client struct {
	name     string
	nameJSON []byte // name as a JSON string, for the audit log

	mu     sync.Mutex
	tokens float64
	last   int64 // unix nanoseconds of the last refill
	rate   float64
	burst  float64
}

// allow takes one token if there is one, refilling at rate per second up to burst.
func (c *client) allow(now int64) bool {
	if c.rate <= 0 {
		return true
	}
	c.mu.Lock()
	if c.last != 0 {
		c.tokens = min(c.burst, c.tokens+float64(now-c.last)*1e-9*c.rate)
	} else {
		c.tokens = c.burst
	}
	c.last = now
	ok := c.tokens >= 1
	if ok {
		c.tokens--
	}
	c.mu.Unlock()
	return ok
}

// HashToken is what a tokens file stores for a bearer token: "sha256:" and the lower-case hex
// SHA-256 of the token. Tokens should be long random strings (32 bytes from a CSPRNG, say), so
// an unsalted hash suffices to keep them out of the file.
func HashToken(token string) string {
	s := sha256.Sum256([]byte(token))
	return "sha256:" + hex.EncodeToString(s[:])
}

// loadTokens reads a tokens file: one client per line,
//
//	NAME sha256:HEX [rate=PER_SECOND] [burst=N]
//
// blank lines and lines starting with # ignored. rate and burst default to the given values;
// rate=0 means unlimited.
func loadTokens(path string, rate, burst float64) (map[[32]byte]*client, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("tokens file: %w", err)
	}
	defer f.Close()
	m := map[[32]byte]*client{}
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		bad := func(msg string) error {
			return fmt.Errorf("%s:%d: %s (want: NAME sha256:HEX [rate=N] [burst=N]; make a hash with `riskwalk-scorer -hash-token`)", path, line, msg)
		}
		if len(fields) < 2 || !strings.HasPrefix(fields[1], "sha256:") {
			return nil, bad("missing sha256:HEX")
		}
		raw, err := hex.DecodeString(strings.TrimPrefix(fields[1], "sha256:"))
		if err != nil || len(raw) != 32 {
			return nil, bad("the hash is not 64 hex digits")
		}
		c := &client{name: fields[0], nameJSON: appendString(nil, []byte(fields[0])), rate: rate, burst: burst}
		for _, opt := range fields[2:] {
			k, v, ok := strings.Cut(opt, "=")
			x, perr := strconv.ParseFloat(v, 64)
			if !ok || perr != nil || x < 0 {
				return nil, bad(fmt.Sprintf("option %q", opt))
			}
			switch k {
			case "rate":
				c.rate = x
			case "burst":
				c.burst = x
			default:
				return nil, bad(fmt.Sprintf("unknown option %q", k))
			}
		}
		if c.burst < 1 {
			c.burst = max(1, c.rate)
		}
		key := [32]byte(raw)
		if _, dup := m[key]; dup {
			return nil, bad("the same token hash appears twice")
		}
		m[key] = c
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("tokens file %s: %w", path, err)
	}
	if len(m) == 0 {
		return nil, fmt.Errorf("tokens file %s holds no tokens", path)
	}
	return m, nil
}
