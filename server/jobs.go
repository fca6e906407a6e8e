package server

import (
	"context"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/nessie-go/nessie/ontap"
)

// outcome is what a job's work returns on success.
type outcome struct {
	location string
	record   any
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
	j := s.jobs.start(spec.description)
	if s.opts.JobLatency == 0 {
		s.execute(j, spec)
		return j
	}
	s.closeMu.Lock()
	if s.closed {
		s.closeMu.Unlock()
		s.jobs.finish(j, ontap.Errorf(http.StatusInternalServerError, ontap.CodeJobFailed, "", "Job failed: the server is shutting down."), "", nil)
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
			s.jobs.finish(j, ontap.Errorf(http.StatusInternalServerError, ontap.CodeJobFailed, "", "Job failed: the server shut down before the job ran."), "", nil)
		}
	}()
	return j
}

func (s *Server) execute(j *job, spec jobSpec) {
	out, err := spec.run(s.jobContext(j))
	if err == nil {
		err = s.saveSide() // a job's change to the SAN, SVMs or LIFs
	}
	if err != nil {
		s.jobs.finish(j, ontap.FromBackend(spec.op, err), "", nil)
		return
	}
	s.jobs.finish(j, nil, out.location, out.record)
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
	if !finished {
		s.recordJob(runningInfo(j, nil)) // acknowledged while running
	}
	if finished && q.ReturnTimeout > 0 {
		if j.err != nil { // immutable once done
			return result{}, j.err
		}
		status = http.StatusOK
		if create {
			status = http.StatusCreated
		}
	}
	res := result{status: status}
	body := ontap.JobResponse[any]{Job: new(ontap.NewJobLink(j.id.String()))}
	rec, loc := pending, pendingLoc
	if finished && j.err == nil && j.location != "" {
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
				s.recordJob(runningInfo(j, nil)) // acknowledged while running
			}
		}
	}
	body := ontap.JobResponse[any]{NumRecords: new(len(jobs)), Jobs: make([]ontap.JobLink, len(jobs))}
	for i, j := range jobs {
		body.Jobs[i] = ontap.NewJobLink(j.id.String())
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
	infos := s.jobs.all(s.svmRef)
	recs := make([]ontap.Job, len(infos))
	for i := range infos {
		recs[i] = ontap.JobRecord(&infos[i])
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
	jid, err := uuid.Parse(id)
	if err != nil {
		return result{}, ontap.ErrNotFound("uuid")
	}
	info, _, ok := s.jobs.info(jid, s.svmRef)
	if !ok {
		return result{}, ontap.ErrNotFound("uuid")
	}
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
	jid, err := uuid.Parse(id)
	if err != nil {
		return result{}, ontap.ErrNotFound("uuid")
	}
	_, ended, ok := s.jobs.info(jid, s.svmRef)
	if !ok {
		return result{}, ontap.ErrNotFound("uuid")
	}
	if ended {
		return result{}, ontap.Errorf(http.StatusBadRequest, ontap.CodeJobTerminal, "", "The job has already finished.")
	}
	return result{}, ontap.Errorf(http.StatusBadRequest, ontap.CodeJobCancelUnsupported, "action", "This job cannot be cancelled or paused.")
}
