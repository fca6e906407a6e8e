package client_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/client"
	"github.com/nessie-go/nessie/ontaptest"
)

func benchClient(b *testing.B) *client.Client {
	b.Helper()
	srv := ontaptest.NewServer(b, nil)
	c, err := client.New(srv.URL, &client.Options{Username: srv.Username, Password: srv.Password,
		HTTPClient: srv.Client, PollInterval: time.Millisecond})
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// BenchmarkGetVolume is one GET over TLS to an in-process server.
func BenchmarkGetVolume(b *testing.B) {
	c := benchClient(b)
	ctx := context.Background()
	v, err := c.CreateVolume(ctx, backend.VolumeSpec{Name: "bench", Size: backend.Bytes(1 << 30)})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := c.GetVolume(ctx, v.ID); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSnapshotCycle is a create (POST, job, record) and a delete
// (DELETE, job poll) of one snapshot.
func BenchmarkSnapshotCycle(b *testing.B) {
	c := benchClient(b)
	ctx := context.Background()
	v, err := c.CreateVolume(ctx, backend.VolumeSpec{Name: "bench", Size: backend.Bytes(1 << 30)})
	if err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		s, err := c.CreateSnapshot(ctx, v.ID, backend.SnapshotSpec{Name: fmt.Sprint("s", i)})
		if err != nil {
			b.Fatal(err)
		}
		if err := c.DeleteSnapshot(ctx, v.ID, s.ID); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkListVolumes100 lists 100 volumes in one page.
func BenchmarkListVolumes100(b *testing.B) {
	c := benchClient(b)
	ctx := context.Background()
	for i := range 100 {
		if _, err := c.CreateVolume(ctx, backend.VolumeSpec{Name: fmt.Sprint("v", i), Size: backend.Bytes(1 << 30)}); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		vs, err := c.ListVolumes(ctx)
		if err != nil || len(vs) != 100 {
			b.Fatal(len(vs), err)
		}
	}
}
