package mem_test

import (
	"fmt"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/backend/mem"
)

// Scales at which the benchmarks run: how many volumes the backend already
// holds when the measured operation starts.
var scales = []int{1, 10_000, 100_000}

// batch bounds the objects a write benchmark leaves behind before it
// cleans up (with the timer stopped), so the backend stays at its scale.
const batch = 1024

var (
	namePool [batch]string // bench-0000 …, reused after each clean-up
	snapPool [32]string    // s00 … s31

	// The read-only benchmarks share one fixture at a time. Only the
	// latest is kept, so a large one does not stay live (and tax the GC)
	// while benchmarks at other scales run.
	sharedMu sync.Mutex
	sharedN  int
	sharedF  *fixture
)

func init() {
	for i := range namePool {
		namePool[i] = fmt.Sprintf("bench-%04d", i)
	}
	for i := range snapPool {
		snapPool[i] = fmt.Sprintf("s%02d", i)
	}
}

// fixture is a backend holding n volumes, each with one snapshot, and one
// clone of the first volume's snapshot.
type fixture struct {
	b     *mem.Backend
	ids   []backend.VolumeID
	snaps []backend.SnapshotID
	clone backend.VolumeID
}

func newFixture(tb testing.TB, n int) *fixture {
	tb.Helper()
	f := &fixture{b: mem.New(nil), ids: make([]backend.VolumeID, n), snaps: make([]backend.SnapshotID, n)}
	for i := range n {
		v, err := f.b.CreateVolume(ctx, backend.VolumeSpec{Name: volName(i), Size: backend.Bytes(1 << 30)})
		if err != nil {
			tb.Fatal(err)
		}
		s, err := f.b.CreateSnapshot(ctx, v.ID, backend.SnapshotSpec{Name: "base"})
		if err != nil {
			tb.Fatal(err)
		}
		f.ids[i], f.snaps[i] = v.ID, s.ID
	}
	c, err := f.b.CreateClone(ctx, backend.CloneSpec{ParentVolume: f.ids[0], ParentSnapshot: f.snaps[0], Name: "the-clone"})
	if err != nil {
		tb.Fatal(err)
	}
	f.clone = c.ID
	runtime.GC() // charge the set-up's garbage to the set-up
	return f
}

// shared returns a fixture of n volumes that read-only benchmarks reuse;
// callers must leave it as they found it.
func shared(tb testing.TB, n int) *fixture {
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if sharedF == nil || sharedN != n {
		sharedF = nil
		sharedF, sharedN = newFixture(tb, n), n
	}
	return sharedF
}

// releaseShared drops the shared fixture; read benchmarks register it with
// b.Cleanup so that later benchmarks run without it.
func releaseShared() {
	sharedMu.Lock()
	defer sharedMu.Unlock()
	sharedF, sharedN = nil, 0
}

func forScales(b *testing.B, run func(b *testing.B, n int)) {
	for _, n := range scales {
		b.Run("vols="+strconv.Itoa(n), func(b *testing.B) { run(b, n) })
	}
}

func BenchmarkCreateVolume(b *testing.B) {
	forScales(b, func(b *testing.B, n int) {
		f := newFixture(b, n)
		var made []backend.VolumeID
		b.ReportAllocs()
		cpu := startCPU()
		defer cpu.report(b)
		for b.Loop() {
			if len(made) == batch {
				b.StopTimer()
				cpu.stop()
				for _, id := range made {
					if err := f.b.DeleteVolume(ctx, id); err != nil {
						b.Fatal(err)
					}
				}
				made = made[:0]
				cpu.start()
				b.StartTimer()
			}
			v, err := f.b.CreateVolume(ctx, backend.VolumeSpec{Name: namePool[len(made)], Size: backend.Bytes(1 << 30)})
			if err != nil {
				b.Fatal(err)
			}
			made = append(made, v.ID)
		}
	})
}

func BenchmarkDeleteVolume(b *testing.B) {
	forScales(b, func(b *testing.B, n int) {
		f := newFixture(b, n)
		var queue []backend.VolumeID
		b.ReportAllocs()
		cpu := startCPU()
		defer cpu.report(b)
		for b.Loop() {
			if len(queue) == 0 {
				b.StopTimer()
				cpu.stop()
				for i := range batch {
					v, err := f.b.CreateVolume(ctx, backend.VolumeSpec{Name: namePool[i]})
					if err != nil {
						b.Fatal(err)
					}
					queue = append(queue, v.ID)
				}
				cpu.start()
				b.StartTimer()
			}
			if err := f.b.DeleteVolume(ctx, queue[len(queue)-1]); err != nil {
				b.Fatal(err)
			}
			queue = queue[:len(queue)-1]
		}
	})
}

func BenchmarkGetVolume(b *testing.B) {
	b.Cleanup(releaseShared)
	forScales(b, func(b *testing.B, n int) {
		f := shared(b, n)
		b.ReportAllocs()
		cpu := startCPU()
		defer cpu.report(b)
		i := 0
		for b.Loop() {
			if _, err := f.b.GetVolume(ctx, f.ids[i%n]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("clone/vols=100000", func(b *testing.B) { // renders the origin: one allocation
		f := shared(b, 100_000)
		b.ReportAllocs()
		cpu := startCPU()
		defer cpu.report(b)
		for b.Loop() {
			if _, err := f.b.GetVolume(ctx, f.clone); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkListVolumes(b *testing.B) {
	b.Cleanup(releaseShared)
	for _, n := range []int{100, 10_000, 100_000} {
		b.Run("vols="+strconv.Itoa(n), func(b *testing.B) {
			f := shared(b, n)
			b.ReportAllocs()
			cpu := startCPU()
			defer cpu.report(b)
			for b.Loop() {
				if _, err := f.b.ListVolumes(ctx); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n+1), "ns/volume")
		})
	}
}

func BenchmarkCreateSnapshot(b *testing.B) {
	forScales(b, func(b *testing.B, n int) {
		f := newFixture(b, n)
		// Round-robin over the volumes; once each holds len(snapPool)
		// new snapshots, delete them untimed so no volume's list grows
		// past 33 entries.
		i := 0
		b.ReportAllocs()
		cpu := startCPU()
		defer cpu.report(b)
		for b.Loop() {
			if i == n*len(snapPool) {
				b.StopTimer()
				cpu.stop()
				for _, id := range f.ids {
					snaps, _ := f.b.ListSnapshots(ctx, id)
					for _, s := range snaps[1:] {
						if err := f.b.DeleteSnapshot(ctx, id, s.ID); err != nil {
							b.Fatal(err)
						}
					}
				}
				i = 0
				cpu.start()
				b.StartTimer()
			}
			if _, err := f.b.CreateSnapshot(ctx, f.ids[i%n], backend.SnapshotSpec{Name: snapPool[i/n]}); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

func BenchmarkCreateClone(b *testing.B) {
	forScales(b, func(b *testing.B, n int) {
		f := newFixture(b, n)
		var made []backend.VolumeID
		i := 0
		b.ReportAllocs()
		cpu := startCPU()
		defer cpu.report(b)
		for b.Loop() {
			if len(made) == batch {
				b.StopTimer()
				cpu.stop()
				for _, id := range made {
					if err := f.b.DeleteVolume(ctx, id); err != nil {
						b.Fatal(err)
					}
				}
				made = made[:0]
				cpu.start()
				b.StartTimer()
			}
			c, err := f.b.CreateClone(ctx, backend.CloneSpec{ParentVolume: f.ids[i%n], ParentSnapshot: f.snaps[i%n], Name: namePool[len(made)]})
			if err != nil {
				b.Fatal(err)
			}
			made = append(made, c.ID)
			i++
		}
	})
}

// The parallel benchmarks show how reads scale across cores and what the
// single writer lock costs under contention. Writes are measured as
// create+delete pairs so that the backend stays at its scale.

func BenchmarkParallel(b *testing.B) {
	b.Cleanup(releaseShared)
	const n = 100_000
	b.Run("GetVolume/vols=100000", func(b *testing.B) {
		f := shared(b, n)
		var seq atomic.Uint64
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			i := int(seq.Add(7919))
			for pb.Next() {
				if _, err := f.b.GetVolume(ctx, f.ids[i%n]); err != nil {
					b.Error(err)
					return
				}
				i++
			}
		})
	})
	pairs := []struct {
		name string
		op   func(f *fixture, worker, i int) error
	}{
		{"CreateDeleteVolume", func(f *fixture, w, i int) error {
			v, err := f.b.CreateVolume(ctx, backend.VolumeSpec{Name: namePool[w%batch]})
			if err != nil {
				return err
			}
			return f.b.DeleteVolume(ctx, v.ID)
		}},
		{"CreateDeleteSnapshot", func(f *fixture, w, i int) error {
			vol := f.ids[(w*7919+i)%len(f.ids)]
			s, err := f.b.CreateSnapshot(ctx, vol, backend.SnapshotSpec{Name: snapPool[w%len(snapPool)]})
			if err != nil {
				return err
			}
			return f.b.DeleteSnapshot(ctx, vol, s.ID)
		}},
		{"CreateDeleteClone", func(f *fixture, w, i int) error {
			k := (w*7919 + i) % len(f.ids)
			c, err := f.b.CreateClone(ctx, backend.CloneSpec{ParentVolume: f.ids[k], ParentSnapshot: f.snaps[k], Name: namePool[w%batch]})
			if err != nil {
				return err
			}
			return f.b.DeleteVolume(ctx, c.ID)
		}},
	}
	for _, p := range pairs {
		b.Run(p.name+"/vols=100000", func(b *testing.B) {
			f := shared(b, n) // every pair undoes itself, so sharing is safe
			var workers atomic.Int64
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				w := int(workers.Add(1))
				for i := 0; pb.Next(); i++ {
					if err := p.op(f, w, i); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
	b.Run("ListVolumes/vols=100", func(b *testing.B) {
		f := shared(b, 100)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := f.b.ListVolumes(ctx); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// BenchmarkHeapPerVolume reports the live heap a stored volume costs,
// measured after GC before and after populating a fresh backend, how much
// of it the garbage collector must scan for pointers (what each GC cycle's
// marking work grows with), and the time to populate per volume.
func BenchmarkHeapPerVolume(b *testing.B) {
	for _, tc := range []struct {
		name  string
		n     int
		snaps int
	}{
		{"vols=10000", 10_000, 0},
		{"vols=100000", 100_000, 0},
		{"vols=100000/with-1-snapshot", 100_000, 1},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var perVol, scanPerVol float64
			var ms runtime.MemStats
			scan := []metrics.Sample{{Name: "/gc/scan/heap:bytes"}}
			for b.Loop() {
				b.StopTimer()
				runtime.GC()
				runtime.ReadMemStats(&ms)
				metrics.Read(scan)
				before, scanBefore := ms.HeapAlloc, scan[0].Value.Uint64()
				b.StartTimer()

				bk := mem.New(nil)
				for i := range tc.n {
					v, err := bk.CreateVolume(ctx, backend.VolumeSpec{Name: volName(i), Size: backend.Bytes(1 << 30)})
					if err != nil {
						b.Fatal(err)
					}
					for range tc.snaps {
						if _, err := bk.CreateSnapshot(ctx, v.ID, backend.SnapshotSpec{Name: "daily"}); err != nil {
							b.Fatal(err)
						}
					}
				}

				b.StopTimer()
				runtime.GC()
				runtime.ReadMemStats(&ms)
				metrics.Read(scan)
				perVol = float64(int64(ms.HeapAlloc)-int64(before)) / float64(tc.n)
				scanPerVol = float64(int64(scan[0].Value.Uint64())-int64(scanBefore)) / float64(tc.n)
				runtime.KeepAlive(bk)
				b.StartTimer()
			}
			b.ReportMetric(perVol, "bytes/volume")
			b.ReportMetric(scanPerVol, "scan-bytes/volume")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(tc.n), "ns/volume")
		})
	}
}

// BenchmarkWriterDuringListing measures how long a writer (PatchVolume of
// one volume's comment) takes while another goroutine lists all 100k
// volumes over and over, against the same writer with no lister. It
// reports the writer's median, 99th percentile and worst latency.
func BenchmarkWriterDuringListing(b *testing.B) {
	const n = 100_000
	for _, listing := range []bool{false, true} {
		name := "idle/vols=100000"
		if listing {
			name = "listing/vols=100000"
		}
		b.Run(name, func(b *testing.B) {
			f := newFixture(b, n)
			stop, done := make(chan struct{}), make(chan struct{})
			var lists atomic.Int64
			go func() {
				defer close(done)
				for listing {
					select {
					case <-stop:
						return
					default:
					}
					if _, err := f.b.ListVolumes(ctx); err != nil {
						b.Error(err)
						return
					}
					lists.Add(1)
				}
			}()
			var lat []time.Duration
			comments := [2]string{"a", "b"}
			i := 0
			for b.Loop() {
				start := time.Now()
				if _, err := f.b.PatchVolume(ctx, f.ids[i%n], backend.VolumePatch{Comment: &comments[i%2]}); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(start))
				i++
			}
			close(stop)
			<-done
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
			b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns")
			b.ReportMetric(float64(lat[len(lat)-1].Nanoseconds()), "max-ns")
			b.ReportMetric(float64(lists.Load()), "lists")
		})
	}
}

// cpuMeter counts the process's CPU time (user and system, every thread,
// the garbage collector's included) while the timer runs, and reports it
// per op as cpu-ns/op. On a machine shared with other work it moves much
// less than ns/op, which also counts the time the benchmark waits for a
// core.
type cpuMeter struct {
	total, since time.Duration
}

func startCPU() *cpuMeter { return &cpuMeter{since: cpuTime()} }

func (c *cpuMeter) stop()  { c.total += cpuTime() - c.since }
func (c *cpuMeter) start() { c.since = cpuTime() }

func (c *cpuMeter) report(b *testing.B) {
	c.stop()
	b.ReportMetric(float64(c.total.Nanoseconds())/float64(b.N), "cpu-ns/op")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
