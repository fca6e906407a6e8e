package daemon

import "testing"

func TestGCPercentFor(t *testing.T) {
	for _, c := range []struct {
		live uint64
		want int
	}{
		{0, gcMaxPercent},
		{1 << 20, gcMaxPercent}, // 1 MiB live: 16 MiB would be 1600%
		{4 << 20, 400},          // 16 MiB of headroom
		{16 << 20, 100},         // as Go's default
		{32 << 20, 50},          //
		{40 << 20, 40},          // 100,000 volumes
		{64 << 20, gcMinPercent},
		{1 << 30, gcMinPercent},
	} {
		if got := gcPercentFor(c.live); got != c.want {
			t.Errorf("gcPercentFor(%d) = %d, want %d", c.live, got, c.want)
		}
	}
}
