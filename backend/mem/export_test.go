package mem

import "hash/maphash"

// NewWithCollidingNames returns an empty backend whose name hashes take
// only two values, so that almost every name collides and the name
// index's spill is exercised by tests outside the package.
func NewWithCollidingNames() *Backend {
	b := New(nil)
	b.root.Store(&state{seed: maphash.MakeSeed(), nameMask: 1 << 63})
	return b
}
