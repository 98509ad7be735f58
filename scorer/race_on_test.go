//go:build race

package scorer

// raceEnabled: the race detector instruments map writes, so amortised map growth inside fastcache
// shows up as an allocation on the T2-insert path.
const raceEnabled = true
