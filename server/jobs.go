package server

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/nessie-go/nessie/ontap"
)

// job is one asynchronous operation. Its info is guarded by mu until done
// is closed; after that it never changes.
type job struct {
	mu   sync.Mutex
	info ontap.JobInfo
	done chan struct{}
	// Set by the work function on success: the created or changed
	// object's path (for Location) and its record (for return_records).
	location string
	record   any
}

func (j *job) snapshot() ontap.JobInfo {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.info
}

// outcome is what a job's work returns on success.
type outcome struct {
	location string
	record   any
}

// jobRegistry holds jobs by UUID. Finished jobs expire ttl after they end
// and at most max of them are kept; since ttl is constant, completion
// order is expiry order and the finished queue is reaped from its head.
type jobRegistry struct {
	mu       sync.Mutex
	jobs     map[string]*job
	finished []*job // in completion order; head at finished[head]
	head     int
	ttl      time.Duration
	max      int
}

func newJobRegistry(ttl time.Duration, max int) *jobRegistry {
	return &jobRegistry{jobs: map[string]*job{}, ttl: ttl, max: max}
}

func (g *jobRegistry) add(j *job) {
	g.mu.Lock()
	g.jobs[j.info.UUID] = j
	g.mu.Unlock()
}

// get returns a live job, treating an expired one as gone even before the
// reaper runs.
func (g *jobRegistry) get(id string, now time.Time) *job {
	g.mu.Lock()
	defer g.mu.Unlock()
	j := g.jobs[id]
	if j == nil {
		return nil
	}
	select {
	case <-j.done:
		if now.Sub(j.info.End) >= g.ttl {
			return nil
		}
	default:
	}
	return j
}

// all returns the live jobs.
func (g *jobRegistry) all(now time.Time) []*job {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make([]*job, 0, len(g.jobs))
	for _, j := range g.jobs {
		select {
		case <-j.done:
			if now.Sub(j.info.End) >= g.ttl {
				continue
			}
		default:
		}
		out = append(out, j)
	}
	return out
}

func (g *jobRegistry) finish(j *job, now time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.finished = append(g.finished, j)
	g.expireLocked(now)
}

func (g *jobRegistry) expireLocked(now time.Time) {
	for g.head < len(g.finished) {
		j := g.finished[g.head]
		if len(g.finished)-g.head <= g.max && now.Sub(j.info.End) < g.ttl {
			break
		}
		delete(g.jobs, j.info.UUID)
		g.finished[g.head] = nil
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
		case now := <-t.C:
			g.mu.Lock()
			g.expireLocked(now)
			g.mu.Unlock()
		}
	}
}

// jobSpec describes the work of one job.
type jobSpec struct {
	op          ontap.Op
	description string
	run         func(ctx context.Context) (outcome, error)
}

// submit registers a job and runs its work: at once, before returning,
// when JobLatency is zero; else on a goroutine after the latency.
func (s *Server) submit(spec jobSpec) *job {
	j := &job{done: make(chan struct{})}
	j.info = ontap.JobInfo{
		UUID:        uuid.NewString(),
		Description: spec.description,
		State:       ontap.JobRunning,
		Start:       time.Now(),
		SVM:         s.svmRef,
	}
	s.jobs.add(j)
	if s.opts.JobLatency == 0 {
		s.execute(j, spec)
		return j
	}
	s.closeMu.Lock()
	if s.closed {
		s.closeMu.Unlock()
		s.fail(j, ontap.Errorf(http.StatusInternalServerError, ontap.CodeJobFailed, "", "Job failed: the server is shutting down."))
		return j
	}
	s.wg.Add(1)
	s.closeMu.Unlock()
	go func() {
		defer s.wg.Done()
		t := time.NewTimer(s.opts.JobLatency)
		defer t.Stop()
		select {
		case <-t.C:
			s.execute(j, spec)
		case <-s.ctx.Done():
			s.fail(j, ontap.Errorf(http.StatusInternalServerError, ontap.CodeJobFailed, "", "Job failed: the server shut down before the job ran."))
		}
	}()
	return j
}

func (s *Server) execute(j *job, spec jobSpec) {
	out, err := spec.run(s.ctx)
	if err != nil {
		s.fail(j, ontap.FromBackend(spec.op, err))
		return
	}
	now := time.Now()
	j.mu.Lock()
	j.info.State = ontap.JobSuccess
	j.info.End = now
	j.location, j.record = out.location, out.record
	j.mu.Unlock()
	s.recordJob(j.info)
	close(j.done)
	s.jobs.finish(j, now)
}

func (s *Server) fail(j *job, e *ontap.Error) {
	now := time.Now()
	j.mu.Lock()
	j.info.State = ontap.JobFailure
	j.info.Err = e
	j.info.End = now
	j.mu.Unlock()
	s.recordJob(j.info)
	close(j.done)
	s.jobs.finish(j, now)
}

// respond answers a mutation that started job j, the way ONTAP does:
//   - return_timeout 0 (the default): 202 and the job link, whatever
//     the job's state;
//   - return_timeout n > 0: wait up to n seconds; if the job succeeded,
//     201 (create) or 200 with the job link; if it failed, the job's
//     error envelope and status; if it is still running, 202.
//
// With return_records=true the body also holds records: the object the
// job created or changed once it is known, else pending (the request's
// echo). A create sets Location to the new object's path once known, else
// to pendingLoc.
func (s *Server) respond(r *http.Request, q *ontap.Query, j *job, create bool, pending any, pendingLoc string) (result, error) {
	finished := isDone(j)
	if !finished && q.ReturnTimeout > 0 {
		t := time.NewTimer(time.Duration(q.ReturnTimeout) * time.Second)
		select {
		case <-j.done:
			finished = true
		case <-t.C:
		case <-r.Context().Done():
		}
		t.Stop()
	}
	status := http.StatusAccepted
	var info ontap.JobInfo
	if finished {
		info = j.info // immutable once done
	} else {
		s.recordJob(j.snapshot()) // acknowledged while running
	}
	if finished && q.ReturnTimeout > 0 {
		if info.State == ontap.JobFailure {
			return result{}, info.Err
		}
		status = http.StatusOK
		if create {
			status = http.StatusCreated
		}
	}
	res := result{status: status}
	body := ontap.JobResponse[any]{Job: new(ontap.NewJobLink(j.info.UUID))}
	rec, loc := pending, pendingLoc
	if finished && info.State == ontap.JobSuccess && j.location != "" {
		rec, loc = j.record, j.location
	}
	if create {
		res.location = loc
	}
	if q.ReturnRecords && rec != nil {
		body.NumRecords = new(1)
		body.Records = []any{rec}
	}
	res.body = body
	return res, nil
}

func isDone(j *job) bool {
	select {
	case <-j.done:
		return true
	default:
		return false
	}
}

// respondMany answers a PATCH or DELETE by query: one job per matched
// record, in a jobs array. It waits up to return_timeout (default 15 s)
// for all of them; 200 if all finished then, else 202. Failures are
// reported by the jobs.
func (s *Server) respondMany(r *http.Request, q *ontap.Query, jobs []*job) (result, error) {
	deadline := time.NewTimer(time.Duration(q.ReturnTimeout) * time.Second)
	defer deadline.Stop()
	all := true
	for _, j := range jobs {
		if isDone(j) {
			continue
		}
		if q.ReturnTimeout == 0 {
			all = false
			break
		}
		select {
		case <-j.done:
		case <-deadline.C:
			all = false
		case <-r.Context().Done():
			all = false
		}
		if !all {
			break
		}
	}
	if !all {
		for _, j := range jobs {
			if !isDone(j) {
				s.recordJob(j.snapshot()) // acknowledged while running
			}
		}
	}
	body := ontap.JobResponse[any]{NumRecords: new(len(jobs)), Jobs: make([]ontap.JobLink, len(jobs))}
	for i, j := range jobs {
		body.Jobs[i] = ontap.NewJobLink(j.info.UUID)
	}
	status := http.StatusAccepted
	if all && q.ReturnTimeout > 0 {
		status = http.StatusOK
	}
	return result{status: status, body: body}, nil
}

// ---- /api/cluster/jobs ----

var jobSchema = ontap.SchemaOf[ontap.Job]()

func (s *Server) listJobs(r *http.Request) (result, error) {
	q, err := jobSchema.ParseQuery(r.URL.Query(), ontap.QueryCollection)
	if err != nil {
		return result{}, err
	}
	now := time.Now()
	js := s.jobs.all(now)
	recs := make([]ontap.Job, len(js))
	for i, j := range js {
		info := j.snapshot()
		recs[i] = ontap.JobRecord(&info)
	}
	return result{status: http.StatusOK, body: ontap.Page(q, recs, ontap.JobsPath)}, nil
}

func (s *Server) getJob(r *http.Request) (result, error) {
	id, err := pathUUID(r, "uuid", "uuid")
	if err != nil {
		return result{}, err
	}
	q, err := jobSchema.ParseQuery(r.URL.Query(), ontap.QueryRecord)
	if err != nil {
		return result{}, err
	}
	j := s.jobs.get(id, time.Now())
	if j == nil {
		return result{}, ontap.ErrNotFound("uuid")
	}
	info := j.snapshot()
	rec := ontap.JobRecord(&info)
	ontap.Project(q, &rec)
	return result{status: http.StatusOK, body: rec}, nil
}

// patchJob answers ONTAP's job cancel (PATCH ?action=cancel): jobs here
// cannot be cancelled, so a running job refuses with 458784 and a finished
// one with 458762.
func (s *Server) patchJob(r *http.Request) (result, error) {
	id, err := pathUUID(r, "uuid", "uuid")
	if err != nil {
		return result{}, err
	}
	q, err := jobSchema.ParseQuery(r.URL.Query(), ontap.QueryMutation, "action")
	if err != nil {
		return result{}, err
	}
	if a := q.Extra["action"]; a != "" && a != "cancel" && a != "pause" && a != "resume" {
		return result{}, ontap.ErrInvalidValue("action", a, "cancel|pause|resume")
	}
	if err := s.emptyBody(r); err != nil {
		return result{}, err
	}
	j := s.jobs.get(id, time.Now())
	if j == nil {
		return result{}, ontap.ErrNotFound("uuid")
	}
	if isDone(j) {
		return result{}, ontap.Errorf(http.StatusBadRequest, ontap.CodeJobTerminal, "", "The job has already finished.")
	}
	return result{}, ontap.Errorf(http.StatusBadRequest, ontap.CodeJobCancelUnsupported, "action", "This job cannot be cancelled or paused.")
}
