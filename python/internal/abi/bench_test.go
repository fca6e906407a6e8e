package abi

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/backend/mem"
)

// The Go half of a binding call, without ctypes and cgo: what a request
// costs between the C buffer and the backend.

func benchSession(b *testing.B, enc Encoding, volumes int) (*Session, backend.Volume) {
	b.Helper()
	m := mem.New(nil)
	var v backend.Volume
	for i := range volumes {
		var err error
		v, err = m.CreateVolume(context.Background(), backend.VolumeSpec{Name: fmt.Sprintf("vol-%06d", i), Size: backend.Bytes(1 << 30)})
		if err != nil {
			b.Fatal(err)
		}
	}
	return NewSession(m, enc), v
}

func BenchmarkCallGetVolume(b *testing.B) {
	for _, enc := range []Encoding{JSON, Marshal} {
		b.Run(enc.String(), func(b *testing.B) {
			s, v := benchSession(b, enc, 1)
			req := fmt.Appendf(nil, `["get_volume",%q]`, v.ID)
			buf := make([]byte, 0, 64<<10)
			b.ReportAllocs()
			for b.Loop() {
				if _, ok := s.Call(buf, req, nil); !ok {
					b.Fatal("get_volume failed")
				}
			}
		})
	}
}

func BenchmarkCallListVolumes10k(b *testing.B) {
	for _, enc := range []Encoding{JSON, Marshal} {
		b.Run(enc.String(), func(b *testing.B) {
			s, _ := benchSession(b, enc, 10_000)
			buf := make([]byte, 0, 64<<10)
			// Like the C layer's malloc: a large buffer that costs
			// nothing to obtain.
			var big []byte
			more := func(n int) []byte {
				if cap(big) < n {
					big = make([]byte, 0, n)
				}
				return big[:0]
			}
			b.ReportAllocs()
			for b.Loop() {
				out, ok := s.Call(buf, []byte(`["list_volumes"]`), more)
				if !ok {
					b.Fatal("list_volumes failed")
				}
				b.SetBytes(int64(len(out)))
			}
		})
	}
}

func BenchmarkCallCreateDeleteVolume(b *testing.B) {
	s, _ := benchSession(b, Marshal, 0)
	buf := make([]byte, 0, 64<<10)
	m := s.b
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := s.Call(buf, []byte(`["create_volume","bench",1073741824]`), nil); !ok {
			b.Fatal("create_volume failed")
		}
		vs, _ := m.ListVolumes(context.Background())
		req := fmt.Appendf(nil, `["delete_volume",%q]`, vs[0].ID)
		if _, ok := s.Call(buf, req, nil); !ok {
			b.Fatal("delete_volume failed")
		}
	}
}

// BenchmarkWorkload runs python/bench/bench.py's workload in Go, directly
// on mem ("backend") and through Session.Call ("session": the binding
// minus ctypes and Python, requests built beforehand), so that
// BENCHMARKS.md can split a Python call's time between the backend, the
// Go half of the binding and the Python half. Each phase reports ns per
// call as a metric.
func BenchmarkWorkload(b *testing.B) {
	const n = 10_000
	ctx := context.Background()
	for _, via := range []string{"backend", "session"} {
		b.Run(via, func(b *testing.B) {
			phases := map[string]time.Duration{}
			buf := make([]byte, 0, 64<<10)
			var big []byte // stands in for the C layer's malloc
			more := func(n int) []byte {
				if cap(big) < n {
					big = make([]byte, 0, n)
				}
				return big[:0]
			}
			reqs := make([][]byte, n)
			for b.Loop() {
				m := mem.New(nil)
				s := NewSession(m, Marshal)
				// timed runs fn (the backend) or the prepared requests
				// (the session) and adds the time to the phase.
				timed := func(name string, fn func(), prepare func(i int) []byte) {
					if via == "session" {
						for i := range reqs {
							reqs[i] = prepare(i)
						}
					}
					t := time.Now()
					if via == "backend" {
						fn()
					} else {
						for _, req := range reqs {
							if _, ok := s.Call(buf, req, more); !ok {
								b.Fatalf("%s failed", req)
							}
						}
					}
					phases[name] += time.Since(t)
				}
				vols := make([]backend.Volume, n)
				timed("create_volume", func() {
					for i := range vols {
						vols[i], _ = m.CreateVolume(ctx, backend.VolumeSpec{Name: fmt.Sprintf("vol-%06d", i), Size: backend.Bytes(1 << 30)})
					}
				}, func(i int) []byte { return fmt.Appendf(nil, `["create_volume","vol-%06d",1073741824]`, i) })
				vols, _ = m.ListVolumes(ctx)
				timed("get_volume", func() {
					for i := range vols {
						m.GetVolume(ctx, vols[i].ID)
					}
				}, func(i int) []byte { return fmt.Appendf(nil, `["get_volume","%s"]`, vols[i].ID) })
				t := time.Now()
				if via == "backend" {
					m.ListVolumes(ctx)
				} else if _, ok := s.Call(buf, []byte(`["list_volumes"]`), more); !ok {
					b.Fatal("list_volumes failed")
				}
				phases["list_volumes_10k"] += time.Since(t)
				timed("create_snapshot", func() {
					for i := range vols {
						m.CreateSnapshot(ctx, vols[i].ID, backend.SnapshotSpec{Name: "pre-build"})
					}
				}, func(i int) []byte { return fmt.Appendf(nil, `["create_snapshot","%s","pre-build"]`, vols[i].ID) })
				snaps := make([]backend.Snapshot, n)
				for i := range vols {
					ss, _ := m.ListSnapshots(ctx, vols[i].ID)
					snaps[i] = ss[0]
				}
				timed("create_clone", func() {
					for i := range vols {
						m.CreateClone(ctx, backend.CloneSpec{ParentVolume: vols[i].ID, ParentSnapshot: snaps[i].ID, Name: fmt.Sprintf("clone-%06d", i)})
					}
				}, func(i int) []byte {
					return fmt.Appendf(nil, `["create_clone","%s","%s","clone-%06d"]`, vols[i].ID, snaps[i].ID, i)
				})
				all, _ := m.ListVolumes(ctx)
				var clones []backend.Volume
				for _, v := range all {
					if v.IsClone() {
						clones = append(clones, v)
					}
				}
				timed("delete_volume", func() {
					for i := range clones {
						m.DeleteVolume(ctx, clones[i].ID)
					}
				}, func(i int) []byte { return fmt.Appendf(nil, `["delete_volume","%s"]`, clones[i].ID) })
			}
			for name, d := range phases {
				per := float64(n)
				if strings.HasPrefix(name, "list") {
					per = 1
				}
				b.ReportMetric(float64(d.Nanoseconds())/per/float64(b.N), name+"-ns/call")
			}
		})
	}
}

// BenchmarkCallOp is the Go half of the compiled fast path: the same calls
// as above with the request already decoded.
func BenchmarkCallOp(b *testing.B) {
	s, v := benchSession(b, Marshal, 1)
	snap, err := s.b.CreateSnapshot(context.Background(), v.ID, backend.SnapshotSpec{Name: "s"})
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, 64<<10)
	for _, c := range []struct {
		op   string
		args []Arg
	}{
		{"capabilities", nil},
		{"get_volume", []Arg{{Kind: ArgString, S: v.ID.String()}}},
		{"get_snapshot", []Arg{{Kind: ArgString, S: v.ID.String()}, {Kind: ArgString, S: snap.ID.String()}}},
	} {
		b.Run(c.op, func(b *testing.B) {
			op := opIndex(b, c.op)
			b.ReportAllocs()
			for b.Loop() {
				if _, ok := s.CallOp(buf, op, c.args, nil); !ok {
					b.Fatal(c.op, " failed")
				}
			}
		})
	}
}

func opIndex(tb testing.TB, name string) int {
	tb.Helper()
	for i, n := range opNames {
		if n == name {
			return i
		}
	}
	tb.Fatalf("no op %q", name)
	return -1
}
