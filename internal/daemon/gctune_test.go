package daemon

import "testing"

func TestGCPercentFor(t *testing.T) {
	for _, c := range []struct {
		live uint64
		want int
	}{
		{0, gcMaxPercent},
		{1 << 20, gcMaxPercent}, // 1 MiB live: 12 MiB would be 1200%
		{3 << 20, 400},          // 12 MiB of headroom
		{12 << 20, 100},         // as Go's default
		{24 << 20, 50},
		{40 << 20, gcMinPercent}, // 100,000 volumes: 12 MiB would be 30%
		{1 << 30, gcMinPercent},
	} {
		if got := gcPercentFor(c.live); got != c.want {
			t.Errorf("gcPercentFor(%d) = %d, want %d", c.live, got, c.want)
		}
	}
}
