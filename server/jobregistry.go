package server

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/nessie-go/nessie/ontap"
)

// This file keeps jobs: which exist, for how long, how many. What a job
// means to an ONTAP client (202 or 201, return_timeout, return_records,
// the job record) is in jobs.go.

// jobID is a job's UUID in binary, the registry's key.
type jobID = uuid.UUID

// job is one asynchronous operation while it runs and while the request
// that started it is answered. Its fields are written under the
// registry's lock until done is closed; after that they never change and
// are read without a lock.
type job struct {
	id          jobID
	description string
	start       time.Time
	done        chan struct{}

	// Set when the job ends.
	end time.Time
	err *ontap.Error // nil on success
	// Set by the work function on success: the created or changed
	// object's path (for Location) and its record (for return_records).
	// Only the request that started the job reads them; the registry
	// drops them when the job ends.
	location string
	record   any
}

// doneJob is what stays of a finished job: everything a job query shows
// and nothing else (no record, no channel, no per-job SVM reference), so
// the 100,000 jobs of a busy five minutes take a few megabytes.
type doneJob struct {
	description string
	start, end  int64        // Unix nanoseconds
	err         *ontap.Error // nil on success
}

// jobRegistry holds running jobs and, for ttl after they end, finished
// ones, at most max of those. It takes the time from now, so tests can
// drive expiry without sleeping.
//
// The IDs it mints are UUIDs whose first half is random per registry and
// whose second half is a sequence number (with the version and variant
// bits of a random UUID), so a finished job is found by binary search in a
// slice ordered by that number, with no map: about 50 bytes a job instead
// of about 130. Jobs finish almost in the order they start, so a finished
// job is inserted at or near the end, and the oldest are reaped from the
// head (a job that ends later than ones started after it expires a little
// late, but is never shown once expired). Jobs restored from an earlier
// run carry other IDs and keep a map of their own.
type jobRegistry struct {
	now func() time.Time
	ttl time.Duration
	max int
	// record, if set, is told of every job that ends, before anyone
	// waiting on it learns (see JobJournal).
	record func(ontap.JobInfo)
	prefix [8]byte // the first half of every ID minted here

	mu       sync.Mutex
	next     uint64 // the next job's sequence number
	running  map[jobID]*job
	finished []doneEntry // by sequence number, from finished[head]
	head     int

	restored  map[jobID]doneJob // finished jobs of an earlier run
	restoredQ []jobID           // their IDs in completion order, from restoredQ[rhead]
	rhead     int
}

// doneEntry is a finished job of this registry's.
type doneEntry struct {
	seq uint64
	d   doneJob
}

func newJobRegistry(ttl time.Duration, max int, now func() time.Time) *jobRegistry {
	g := &jobRegistry{now: now, ttl: ttl, max: max, running: map[jobID]*job{}, restored: map[jobID]doneJob{}}
	r := uuid.New() // random, with the version nibble in byte 6
	copy(g.prefix[:], r[:8])
	return g
}

// mint returns the ID of job number seq.
func (g *jobRegistry) mint(seq uint64) jobID {
	var id jobID
	copy(id[:8], g.prefix[:])
	binary.BigEndian.PutUint64(id[8:], seq&(1<<62-1)|1<<63) // variant 10
	return id
}

// seqOf returns the sequence number of an ID minted here.
func (g *jobRegistry) seqOf(id jobID) (uint64, bool) {
	if [8]byte(id[:8]) != g.prefix {
		return 0, false
	}
	v := binary.BigEndian.Uint64(id[8:])
	return v &^ (1 << 63), v>>62 == 2
}

// start registers a new running job.
func (g *jobRegistry) start(description string) *job {
	j := &job{description: description, start: g.now(), done: make(chan struct{})}
	g.mu.Lock()
	j.id = g.mint(g.next)
	g.next++
	g.running[j.id] = j
	g.mu.Unlock()
	return j
}

// finish ends j with err (nil for success) and, on success, the object it
// made; it keeps a compact copy and closes j.done.
func (g *jobRegistry) finish(j *job, err *ontap.Error, location string, record any) {
	now := g.now()
	seq, _ := g.seqOf(j.id)
	g.mu.Lock()
	j.end, j.err = now, err
	j.location, j.record = location, record
	delete(g.running, j.id)
	d := doneJob{description: j.description, start: j.start.UnixNano(), end: now.UnixNano(), err: err}
	g.finished = append(g.finished, doneEntry{})
	i := len(g.finished) - 1
	for i > g.head && g.finished[i-1].seq > seq {
		g.finished[i] = g.finished[i-1]
		i--
	}
	g.finished[i] = doneEntry{seq: seq, d: d}
	g.expireLocked(now)
	g.mu.Unlock()
	if g.record != nil {
		g.record(finishedInfo(j.id, d, nil))
	}
	close(j.done)
}

// lookup returns the finished job with id, expired or not.
func (g *jobRegistry) lookup(id jobID) (doneJob, bool) {
	if seq, mine := g.seqOf(id); mine {
		live := g.finished[g.head:]
		i, found := slices.BinarySearchFunc(live, seq, func(e doneEntry, seq uint64) int { return cmp.Compare(e.seq, seq) })
		if found {
			return live[i].d, true
		}
	}
	d, ok := g.restored[id]
	return d, ok
}

// restore adds finished jobs of an earlier run, in completion order; the
// expired are skipped.
func (g *jobRegistry) restore(infos []ontap.JobInfo) error {
	now := g.now()
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, info := range infos {
		id, err := uuid.Parse(info.UUID)
		if err != nil {
			return fmt.Errorf("job %q: %w", info.UUID, err)
		}
		d := doneJob{description: info.Description, start: info.Start.UnixNano(), end: info.End.UnixNano(), err: info.Err}
		if info.State == ontap.JobFailure && d.err == nil {
			d.err = ontap.Errorf(http.StatusInternalServerError, ontap.CodeJobFailed, "", "Job failed.")
		}
		if g.expired(d, now) {
			continue
		}
		if _, dup := g.restored[id]; !dup {
			g.restoredQ = append(g.restoredQ, id)
		}
		g.restored[id] = d
	}
	g.expireLocked(now)
	return nil
}

// info returns the job with id as ONTAP shows it, whether it has ended,
// and whether it exists (an expired job does not, even before the reaper
// has run).
func (g *jobRegistry) info(id jobID, svm *ontap.Ref) (info ontap.JobInfo, ended, ok bool) {
	now := g.now()
	g.mu.Lock()
	defer g.mu.Unlock()
	if j := g.running[id]; j != nil {
		return runningInfo(j, svm), false, true
	}
	d, ok := g.lookup(id)
	if !ok || g.expired(d, now) {
		return ontap.JobInfo{}, false, false
	}
	return finishedInfo(id, d, svm), true, true
}

// all returns every job that exists, running or finished.
func (g *jobRegistry) all(svm *ontap.Ref) []ontap.JobInfo {
	now := g.now()
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make([]ontap.JobInfo, 0, len(g.running)+g.finishedLen())
	for _, j := range g.running {
		out = append(out, runningInfo(j, svm))
	}
	for _, e := range g.finished[g.head:] {
		if !g.expired(e.d, now) {
			out = append(out, finishedInfo(g.mint(e.seq), e.d, svm))
		}
	}
	for id, d := range g.restored {
		if !g.expired(d, now) {
			out = append(out, finishedInfo(id, d, svm))
		}
	}
	return out
}

// finishedLen is how many finished jobs are held (expired ones included
// until reaped).
func (g *jobRegistry) finishedLen() int {
	return len(g.finished) - g.head + len(g.restored)
}

func (g *jobRegistry) expired(d doneJob, now time.Time) bool {
	return now.UnixNano()-d.end >= int64(g.ttl)
}

func runningInfo(j *job, svm *ontap.Ref) ontap.JobInfo {
	return ontap.JobInfo{UUID: j.id.String(), Description: j.description, State: ontap.JobRunning, Start: j.start, SVM: svm}
}

func finishedInfo(id jobID, d doneJob, svm *ontap.Ref) ontap.JobInfo {
	info := ontap.JobInfo{UUID: id.String(), Description: d.description, State: ontap.JobSuccess,
		Start: time.Unix(0, d.start), End: time.Unix(0, d.end), SVM: svm, Err: d.err}
	if d.err != nil {
		info.State = ontap.JobFailure
	}
	return info
}

// expire drops finished jobs older than ttl, and the oldest beyond max.
func (g *jobRegistry) expire() {
	now := g.now()
	g.mu.Lock()
	g.expireLocked(now)
	g.mu.Unlock()
}

func (g *jobRegistry) expireLocked(now time.Time) {
	// The restored jobs are older than any of this run's: they go first.
	for g.rhead < len(g.restoredQ) {
		id := g.restoredQ[g.rhead]
		if d, ok := g.restored[id]; ok && g.finishedLen() <= g.max && !g.expired(d, now) {
			break
		}
		delete(g.restored, id)
		g.rhead++
	}
	if g.rhead == len(g.restoredQ) && g.rhead > 0 {
		g.restoredQ, g.rhead = nil, 0
	}
	for g.head < len(g.finished) {
		if g.finishedLen() <= g.max && !g.expired(g.finished[g.head].d, now) {
			break
		}
		g.finished[g.head] = doneEntry{} // drop the strings and error for the collector
		g.head++
	}
	// Compact when the dead prefix dominates.
	if g.head > 1024 && g.head*2 > len(g.finished) {
		n := copy(g.finished, g.finished[g.head:])
		clear(g.finished[n:])
		g.finished = g.finished[:n]
		g.head = 0
	}
}

// counts reports the running and the finished jobs held (expired ones
// included until reaped).
func (g *jobRegistry) counts() (running, finished int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.running), g.finishedLen()
}

// reap expires finished jobs periodically, so an idle server frees them
// too.
func (g *jobRegistry) reap(ctx context.Context, wg *sync.WaitGroup) {
	defer wg.Done()
	period := min(max(g.ttl/10, 10*time.Millisecond), 10*time.Second)
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			g.expire()
		}
	}
}
