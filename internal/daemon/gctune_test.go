package daemon

import "testing"

func TestGCPercentFor(t *testing.T) {
	for _, c := range []struct {
		live      uint64
		cur, want int
	}{
		{0, gcSmallPercent, gcSmallPercent},
		{gcSmallBelow - 1, gcLargePercent, gcSmallPercent},
		{gcSmallBelow, gcLargePercent, gcLargePercent}, // in the gap: unchanged
		{gcSmallBelow, gcSmallPercent, gcSmallPercent},
		{gcLargeAbove - 1, gcSmallPercent, gcSmallPercent},
		{gcLargeAbove, gcSmallPercent, gcLargePercent},
		{1 << 30, gcLargePercent, gcLargePercent},
	} {
		if got := gcPercentFor(c.live, c.cur); got != c.want {
			t.Errorf("gcPercentFor(%d, %d) = %d, want %d", c.live, c.cur, got, c.want)
		}
	}
}
