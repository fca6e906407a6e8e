package client_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/client"
	"github.com/nessie-go/nessie/server"
)

// ONTAP query values are patterns: * and ? match, | separates
// alternatives, ! negates, < > compare, and matching ignores case. A name
// holding any of them must still find exactly its own volume or snapshot,
// and never another one the pattern happens to match.
func TestByNameWithQueryOperators(t *testing.T) {
	ctx := context.Background()
	b := overTheWire(server.Options{}, client.Options{PollInterval: time.Millisecond})(t)
	c := b.(*client.Client)
	names := []string{"plain", "PLAIN", "pl*", "a|plain", "!plain", "<z", ">a", "pl?in", "x,y", "sp ace", "émoji-✓"}
	vols := map[string]backend.Volume{}
	for _, n := range names {
		v, err := c.CreateVolume(ctx, backend.VolumeSpec{Name: n})
		if err != nil {
			t.Fatalf("CreateVolume(%q): %v", n, err)
		}
		vols[n] = v
		if _, err := c.CreateSnapshot(ctx, vols["plain"].ID, backend.SnapshotSpec{Name: n}); err != nil {
			t.Fatalf("CreateSnapshot(%q): %v", n, err)
		}
	}
	for _, n := range names {
		v, err := c.VolumeByName(ctx, n)
		if err != nil || v.ID != vols[n].ID {
			t.Errorf("VolumeByName(%q) = %q (%s), %v; want %s", n, v.Name, v.ID, err, vols[n].ID)
		}
		s, err := c.SnapshotByName(ctx, vols["plain"].ID, n)
		if err != nil || s.Name != n {
			t.Errorf("SnapshotByName(%q) = %q, %v", n, s.Name, err)
		}
	}
	for _, n := range []string{"Plain", "pl", "*", "plain|PLAIN", "!nothing"} {
		if v, err := c.VolumeByName(ctx, n); !errors.Is(err, backend.ErrVolumeNotFound) {
			t.Errorf("VolumeByName(%q) = %q, %v; want ErrVolumeNotFound", n, v.Name, err)
		}
		if s, err := c.SnapshotByName(ctx, vols["plain"].ID, n); !errors.Is(err, backend.ErrSnapshotNotFound) {
			t.Errorf("SnapshotByName(%q) = %q, %v; want ErrSnapshotNotFound", n, s.Name, err)
		}
	}
}
