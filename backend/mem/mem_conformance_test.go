package mem_test

import (
	"testing"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/backend/backendtest"
	"github.com/nessie-go/nessie/backend/mem"
)

// TestConformance runs the whole conformance suite over mem, checking mem's
// internal invariants on the state each case leaves behind.
func TestConformance(t *testing.T) {
	backendtest.Run(t, func(t *testing.T) backend.VolumeBackend {
		b := mem.New(nil)
		t.Cleanup(func() {
			if err := b.CheckInvariants(); err != nil {
				t.Errorf("mem invariants broken after the case: %v", err)
			}
		})
		return b
	}, nil)
}
