package server

import (
	"context"
	"fmt"
	"net/http"
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
// drive expiry without sleeping. Since ttl is constant, completion order
// is expiry order: finished jobs are queued in that order and reaped from
// the head.
type jobRegistry struct {
	now func() time.Time
	ttl time.Duration
	max int
	// record, if set, is told of every job that ends, before anyone
	// waiting on it learns (see JobJournal).
	record func(ontap.JobInfo)

	mu       sync.Mutex
	running  map[jobID]*job
	finished map[jobID]doneJob
	queue    []jobID // finished IDs in completion order, from queue[head]
	head     int
}

func newJobRegistry(ttl time.Duration, max int, now func() time.Time) *jobRegistry {
	return &jobRegistry{now: now, ttl: ttl, max: max, running: map[jobID]*job{}, finished: map[jobID]doneJob{}}
}

// start registers a new running job.
func (g *jobRegistry) start(description string) *job {
	j := &job{id: uuid.New(), description: description, start: g.now(), done: make(chan struct{})}
	g.mu.Lock()
	g.running[j.id] = j
	g.mu.Unlock()
	return j
}

// finish ends j with err (nil for success) and, on success, the object it
// made; it keeps a compact copy and closes j.done.
func (g *jobRegistry) finish(j *job, err *ontap.Error, location string, record any) {
	now := g.now()
	g.mu.Lock()
	j.end, j.err = now, err
	j.location, j.record = location, record
	delete(g.running, j.id)
	d := doneJob{description: j.description, start: j.start.UnixNano(), end: now.UnixNano(), err: err}
	g.finished[j.id] = d
	g.queue = append(g.queue, j.id)
	g.expireLocked(now)
	g.mu.Unlock()
	if g.record != nil {
		g.record(finishedInfo(j.id, d, nil))
	}
	close(j.done)
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
		if _, dup := g.finished[id]; !dup {
			g.queue = append(g.queue, id)
		}
		g.finished[id] = d
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
	d, ok := g.finished[id]
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
	out := make([]ontap.JobInfo, 0, len(g.running)+len(g.finished))
	for _, j := range g.running {
		out = append(out, runningInfo(j, svm))
	}
	for id, d := range g.finished {
		if !g.expired(d, now) {
			out = append(out, finishedInfo(id, d, svm))
		}
	}
	return out
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
	for g.head < len(g.queue) {
		id := g.queue[g.head]
		if len(g.queue)-g.head <= g.max && !g.expired(g.finished[id], now) {
			break
		}
		delete(g.finished, id)
		g.head++
	}
	// Compact when the dead prefix dominates.
	if g.head > 1024 && g.head*2 > len(g.queue) {
		n := copy(g.queue, g.queue[g.head:])
		g.queue = g.queue[:n]
		g.head = 0
	}
}

// counts reports the running and the finished jobs held (expired ones
// included until reaped).
func (g *jobRegistry) counts() (running, finished int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.running), len(g.finished)
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
