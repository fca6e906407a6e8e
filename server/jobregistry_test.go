package server

import (
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/nessie-go/nessie/ontap"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newTestRegistry(ttl time.Duration, max int) (*jobRegistry, *fakeClock) {
	c := &fakeClock{t: time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)}
	return newJobRegistry(ttl, max, c.now), c
}

func TestJobRegistryLifecycle(t *testing.T) {
	g, clock := newTestRegistry(300*time.Second, 10)
	svm := &ontap.Ref{Name: new("svm0")}
	j := g.start("POST /api/storage/volumes")
	info, ended, ok := g.info(j.id, svm)
	if !ok || ended || info.State != ontap.JobRunning || !info.Start.Equal(clock.t) || info.SVM != svm || info.UUID != j.id.String() {
		t.Fatalf("running: %+v %v %v", info, ended, ok)
	}
	select {
	case <-j.done:
		t.Fatal("done before finish")
	default:
	}
	clock.advance(2 * time.Second)
	g.finish(j, nil, "/api/storage/volumes/x", "record")
	<-j.done
	if j.location != "/api/storage/volumes/x" || j.record != "record" || j.err != nil {
		t.Fatalf("the starting request lost the outcome: %+v", j)
	}
	info, ended, ok = g.info(j.id, svm)
	if !ok || !ended || info.State != ontap.JobSuccess || info.End.Sub(info.Start) != 2*time.Second || info.Description != "POST /api/storage/volumes" {
		t.Fatalf("finished: %+v %v %v", info, ended, ok)
	}

	f := g.start("DELETE /api/storage/volumes/y")
	clock.advance(time.Second)
	failure := ontap.Errorf(http.StatusConflict, ontap.CodeVolumeHasClones, "", "has clones")
	g.finish(f, failure, "", nil)
	info, _, _ = g.info(f.id, svm)
	if info.State != ontap.JobFailure || info.Err != failure {
		t.Fatalf("failed: %+v", info)
	}
	if all := g.all(svm); len(all) != 2 {
		t.Fatalf("all: %d jobs", len(all))
	}

	// Expiry: exactly ttl after the end, gone, before any reaping.
	clock.advance(299*time.Second - time.Nanosecond) // 300 s after j ended, less 1 ns
	if _, _, ok := g.info(j.id, svm); !ok {
		t.Fatal("expired early")
	}
	clock.advance(time.Nanosecond)
	if _, _, ok := g.info(j.id, svm); ok {
		t.Fatal("still there at ttl")
	}
	if _, _, ok := g.info(f.id, svm); !ok {
		t.Fatal("the later job expired with the earlier one")
	}
	if all := g.all(svm); len(all) != 1 || all[0].UUID != f.id.String() {
		t.Fatalf("all after expiry: %+v", all)
	}
	if _, fin := g.counts(); fin != 2 {
		t.Fatalf("%d held before reaping, want 2", fin)
	}
	g.expire()
	if _, fin := g.counts(); fin != 1 {
		t.Fatalf("%d held after reaping, want 1", fin)
	}
}

func TestJobRegistryCap(t *testing.T) {
	g, clock := newTestRegistry(time.Hour, 3)
	var ids []jobID
	for range 5 {
		j := g.start("x")
		clock.advance(time.Second)
		g.finish(j, nil, "", nil)
		ids = append(ids, j.id)
	}
	for i, id := range ids {
		_, _, ok := g.info(id, nil)
		if want := i >= 2; ok != want {
			t.Errorf("job %d kept = %v, want %v", i, ok, want)
		}
	}
	// Running jobs do not count against the cap and are never dropped.
	r := g.start("long")
	for range 10 {
		j := g.start("x")
		g.finish(j, nil, "", nil)
	}
	if _, _, ok := g.info(r.id, nil); !ok {
		t.Fatal("a running job was dropped")
	}
	if run, fin := g.counts(); run != 1 || fin != 3 {
		t.Fatalf("running %d finished %d", run, fin)
	}
}

// TestJobRegistryQueueCompacts: the completion queue does not grow without
// bound under steady load.
func TestJobRegistryQueueCompacts(t *testing.T) {
	g, clock := newTestRegistry(time.Second, 1<<20)
	for range 100_000 {
		j := g.start("x")
		g.finish(j, nil, "", nil)
		clock.advance(time.Millisecond)
	}
	if n := len(g.finished) - g.head; n > 1001 {
		t.Fatalf("%d live entries, want at most 1001", n)
	}
	if len(g.finished) > 4096 {
		t.Fatalf("the slice holds %d entries", len(g.finished))
	}
}

// TestFinishedJobsAreCompact: a finished job keeps only what a job query
// shows, not the record it returned; 100k of them stay in a few MB.
func TestFinishedJobsAreCompact(t *testing.T) {
	const n = 100_000
	g, _ := newTestRegistry(time.Hour, n)
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	failure := ontap.Errorf(http.StatusConflict, ontap.CodeVolumeDuplicate, "", "dup")
	before := heap()
	for i := range n {
		j := g.start("DELETE /api/storage/volumes/" + strings.Repeat("0", 36))
		var err *ontap.Error
		if i%10 == 0 {
			err = failure
		}
		// A record as large as a rendered volume: it must not be kept.
		g.finish(j, err, "/api/storage/volumes/"+j.id.String(), make([]byte, 2048))
	}
	after := heap()
	perJob := float64(after-before) / n
	t.Logf("%.0f bytes of heap per finished job (%d jobs: %.1f MB)", perJob, n, float64(after-before)/(1<<20))
	if perJob > 400 {
		t.Fatalf("%.0f bytes per finished job: the outcome is being kept", perJob)
	}
	runtime.KeepAlive(g)
}

// TestJobRegistryIDs: minted IDs are distinct version-4 UUIDs; jobs that
// finish out of their start order are all found; an ID this registry did
// not mint (another run's) is not, unless restored.
func TestJobRegistryIDs(t *testing.T) {
	g, clock := newTestRegistry(time.Hour, 100)
	var jobs []*job
	seen := map[jobID]bool{}
	for range 20 {
		j := g.start("x")
		if j.id.Version() != 4 || j.id.Variant() != uuid.RFC4122 || seen[j.id] {
			t.Fatalf("bad or repeated ID %s", j.id)
		}
		seen[j.id] = true
		jobs = append(jobs, j)
	}
	for _, i := range []int{3, 0, 19, 1, 2, 18, 4, 5, 17, 6, 7, 8, 9, 16, 10, 11, 15, 12, 13, 14} {
		clock.advance(time.Millisecond)
		g.finish(jobs[i], nil, "", nil)
	}
	for i, j := range jobs {
		if info, ended, ok := g.info(j.id, nil); !ok || !ended || info.UUID != j.id.String() {
			t.Fatalf("job %d: %+v %v %v", i, info, ended, ok)
		}
	}
	if n := len(g.all(nil)); n != 20 {
		t.Fatalf("all: %d jobs", n)
	}
	other, _ := newTestRegistry(time.Hour, 100)
	o := other.start("elsewhere")
	other.finish(o, nil, "", nil)
	if _, _, ok := g.info(o.id, nil); ok {
		t.Fatal("found a job another registry minted")
	}
	info, _, _ := other.info(o.id, nil)
	if err := g.restore([]ontap.JobInfo{info}); err != nil {
		t.Fatal(err)
	}
	if _, ended, ok := g.info(o.id, nil); !ok || !ended {
		t.Fatal("a restored job is not found")
	}
	if n := len(g.all(nil)); n != 21 {
		t.Fatalf("all after restore: %d jobs", n)
	}
}
