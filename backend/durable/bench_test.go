package durable_test

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/backend/durable"
	"github.com/nessie-go/nessie/backend/mem"
)

// The write benchmarks compare three backends doing the same calls: mem
// (the reference), durable's memory-only form, and durable on a file
// (every call fsynced before it returns; concurrent calls share commits).
// "clients" is the number of goroutines calling at once; ops/s is the
// throughput of all of them together.

type factory struct {
	name string
	new  func(b *testing.B) backend.CloneBackend
}

var factories = []factory{
	{"mem", func(b *testing.B) backend.CloneBackend { return mem.New(nil) }},
	{"durable", func(b *testing.B) backend.CloneBackend {
		d, err := durable.Open(filepath.Join(b.TempDir(), "state.db"), nil)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { d.Close() })
		return d
	}},
}

// parallel runs op b.N times from clients goroutines and reports ops/s.
func parallel(b *testing.B, clients int, op func(i int64) error) {
	var next atomic.Int64
	b.SetParallelism((clients + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	start := time.Now()
	if clients == 1 {
		for i := range b.N {
			if err := op(int64(i)); err != nil {
				b.Fatal(err)
			}
		}
	} else {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := op(next.Add(1)); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "ops/s")
}

func BenchmarkWrites(b *testing.B) {
	ctx := context.Background()
	for _, f := range factories {
		for _, clients := range []int{1, 16} {
			b.Run(fmt.Sprintf("create/%s/clients=%d", f.name, clients), func(b *testing.B) {
				be := f.new(b)
				parallel(b, clients, func(i int64) error {
					_, err := be.CreateVolume(ctx, backend.VolumeSpec{Name: fmt.Sprintf("v%d", i), Size: backend.Bytes(1 << 30)})
					return err
				})
			})
			b.Run(fmt.Sprintf("snapshot/%s/clients=%d", f.name, clients), func(b *testing.B) {
				be := f.new(b)
				// Spread over many volumes, as real use is: a volume's
				// snapshot list is copied on every change, and ONTAP
				// caps it at 1023 anyway.
				vols := make([]backend.VolumeID, 4096)
				for i := range vols {
					v, err := be.CreateVolume(ctx, backend.VolumeSpec{Name: fmt.Sprintf("v%d", i)})
					if err != nil {
						b.Fatal(err)
					}
					vols[i] = v.ID
				}
				b.ResetTimer()
				parallel(b, clients, func(i int64) error {
					_, err := be.CreateSnapshot(ctx, vols[i%4096], backend.SnapshotSpec{Name: fmt.Sprintf("s%d", i)})
					return err
				})
			})
			b.Run(fmt.Sprintf("clone/%s/clients=%d", f.name, clients), func(b *testing.B) {
				be := f.new(b)
				v, err := be.CreateVolume(ctx, backend.VolumeSpec{Name: "parent"})
				if err != nil {
					b.Fatal(err)
				}
				s, err := be.CreateSnapshot(ctx, v.ID, backend.SnapshotSpec{Name: "base"})
				if err != nil {
					b.Fatal(err)
				}
				b.ResetTimer()
				parallel(b, clients, func(i int64) error {
					_, err := be.CreateClone(ctx, backend.CloneSpec{Name: fmt.Sprintf("c%d", i), ParentVolume: v.ID, ParentSnapshot: s.ID})
					return err
				})
			})
		}
	}
}

// BenchmarkOpen measures opening a store of 100,000 volumes (a tenth with
// a snapshot, a tenth of those cloned): reading, checking and indexing
// the whole file, which is what the daemon's start-up waits for.
func BenchmarkOpen(b *testing.B) {
	const n = 100_000
	path := filepath.Join(b.TempDir(), "state.db")
	st := &backend.State{}
	now := time.Now().UTC()
	for i := range n {
		vr := backend.VolumeRecord{Volume: backend.Volume{ID: backend.NewVolumeID(), Name: fmt.Sprintf("vol%06d", i),
			Size: backend.Bytes(1 << 30), State: backend.StateOnline, Style: backend.StyleFlexVol, Type: backend.TypeRW,
			JunctionPath: fmt.Sprintf("/vol%06d", i), ExportPolicy: "default", CreateTime: now}}
		if i%10 == 0 {
			vr.Snapshots = []backend.SnapshotRecord{{Snapshot: backend.Snapshot{ID: backend.NewSnapshotID(), Name: "daily", CreateTime: now}, VolumeSize: vr.Volume.Size}}
		}
		if i%100 == 50 {
			p := st.Volumes[i-50]
			vr.Volume.Clone = &backend.CloneOrigin{ParentVolumeID: p.Volume.ID, ParentSnapshotID: p.Snapshots[0].Snapshot.ID}
		}
		st.Volumes = append(st.Volumes, vr)
	}
	d, err := durable.Open(path, nil)
	if err != nil {
		b.Fatal(err)
	}
	if err := d.Restore(context.Background(), st); err != nil {
		b.Fatal(err)
	}
	d.Close()
	b.ResetTimer()
	for range b.N {
		d, err := durable.Open(path, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if vs, _ := d.ListVolumes(context.Background()); len(vs) != n {
			b.Fatalf("%d volumes, want %d", len(vs), n)
		}
		d.Close()
		b.StartTimer()
	}
}

// BenchmarkRestore measures a reset: replacing the whole state with a
// fixture of n volumes (each with a snapshot), in mem and on a file.
func BenchmarkRestore(b *testing.B) {
	for _, n := range []int{10, 1000} {
		st := &backend.State{}
		now := time.Now().UTC()
		for i := range n {
			v := backend.Volume{ID: backend.NewVolumeID(), Name: fmt.Sprintf("vol%d", i), Size: backend.Bytes(1 << 30),
				State: backend.StateOnline, Style: backend.StyleFlexVol, Type: backend.TypeRW, CreateTime: now}
			st.Volumes = append(st.Volumes, backend.VolumeRecord{Volume: v, Snapshots: []backend.SnapshotRecord{
				{Snapshot: backend.Snapshot{ID: backend.NewSnapshotID(), Name: "s", CreateTime: now}, VolumeSize: v.Size}}})
		}
		for _, f := range factories {
			b.Run(fmt.Sprintf("%s/volumes=%d", f.name, n), func(b *testing.B) {
				r := f.new(b).(backend.Restorer)
				for range b.N {
					if err := r.Restore(context.Background(), st); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
