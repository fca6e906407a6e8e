package daemon

import (
	"context"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// The collector's default (GOGC=100) lets the heap grow to twice the live
// data before it collects. For a small heap that headroom is cheap and
// saves collector work on busy listings; at 100,000 volumes and their jobs
// (about 40 MB live) it doubles the process's memory. So the daemon
// collects at 100% growth while the live heap is small and at 50% once it
// is large, with a gap between the two thresholds so it does not flip
// back and forth. An operator's GOGC in the environment wins.
const (
	gcSmallPercent = 100
	gcLargePercent = 40
	gcLargeAbove   = 24 << 20 // live bytes from which the large setting applies
	gcSmallBelow   = 16 << 20 // live bytes under which the small one is back
	gcTunePeriod   = 250 * time.Millisecond
)

// gcPercentFor returns the GOGC value for a live heap of live bytes, given
// the current one.
func gcPercentFor(live uint64, cur int) int {
	switch {
	case live >= gcLargeAbove:
		return gcLargePercent
	case live < gcSmallBelow:
		return gcSmallPercent
	default:
		return cur
	}
}

// tuneGC adjusts GOGC to the live heap until ctx ends, then restores the
// setting it found. It does nothing if GOGC is set in the environment.
func tuneGC(ctx context.Context) {
	if _, set := os.LookupEnv("GOGC"); set {
		return
	}
	cur := gcSmallPercent
	prev := debug.SetGCPercent(cur)
	defer debug.SetGCPercent(prev)
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	t := time.NewTicker(gcTunePeriod)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		metrics.Read(sample)
		if sample[0].Value.Kind() != metrics.KindUint64 {
			return // metric unsupported: keep the default
		}
		if want := gcPercentFor(sample[0].Value.Uint64(), cur); want != cur {
			debug.SetGCPercent(want)
			cur = want
		}
	}
}
