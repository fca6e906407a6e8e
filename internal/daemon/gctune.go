package daemon

import (
	"context"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// The collector's default (GOGC=100) lets the heap grow by as much as the
// live data before it collects. For a small heap that is a few megabytes,
// so a busy server collects every few hundred requests (a 1,000-volume
// listing allocates about a megabyte); for a large one it doubles the
// process's memory (100,000 volumes and their jobs are about 40 MB live).
// So the daemon sizes the growth allowed between collections to the live
// heap: gcHeadroom bytes, but never less than gcMinPercent of the live
// heap nor more than gcMaxPercent. An operator's GOGC in the environment
// wins.
const (
	gcHeadroom   = 12 << 20
	gcMinPercent = 30
	gcMaxPercent = 800
	gcTunePeriod = 250 * time.Millisecond
)

// gcPercentFor returns the GOGC value for a live heap of live bytes.
func gcPercentFor(live uint64) int {
	if live == 0 {
		return gcMaxPercent
	}
	p := uint64(gcHeadroom) * 100 / live
	return int(min(max(p, gcMinPercent), gcMaxPercent))
}

// tuneGC adjusts GOGC to the live heap until ctx ends, then restores the
// setting it found. It does nothing if GOGC is set in the environment.
func tuneGC(ctx context.Context) {
	if _, set := os.LookupEnv("GOGC"); set {
		return
	}
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(sample)
	if sample[0].Value.Kind() != metrics.KindUint64 {
		return // metric unsupported: keep the default
	}
	cur := gcPercentFor(sample[0].Value.Uint64())
	prev := debug.SetGCPercent(cur)
	defer debug.SetGCPercent(prev)
	t := time.NewTicker(gcTunePeriod)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		metrics.Read(sample)
		// Small moves are not worth a change (each one recomputes the
		// collector's pacing).
		if want := gcPercentFor(sample[0].Value.Uint64()); want*10 < cur*9 || want*10 > cur*11 {
			debug.SetGCPercent(want)
			cur = want
		}
	}
}
