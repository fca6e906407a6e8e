package server

import (
	"context"
	"net/http"
	"slices"

	"github.com/nessie-go/nessie/ontap"
)

// JobJournal keeps jobs across restarts, so that a durable daemon still
// answers for the jobs it acknowledged: finished jobs stay queryable for
// their TTL, and a job that was running when the process died is reported
// failed, as ONTAP reports a job interrupted by a takeover.
type JobJournal interface {
	// Record persists a job's state and returns once it is durable. The
	// server records every job when it finishes (before anyone learns
	// the outcome) and a running job before answering 202 for it; a
	// running record never replaces a finished one.
	Record(info ontap.JobInfo) error
	// Jobs returns what earlier runs recorded, in any order.
	Jobs() ([]ontap.JobInfo, error)
}

// JobAttacher is a JobJournal that can save a commit: the context it
// returns is the one the job's work runs with, and a backend that
// understands it writes the job's success record in the same commit as
// the job's change. Record is still called when the job ends; it can
// return at once for a success already written that way.
type JobAttacher interface {
	Attach(ctx context.Context, info ontap.JobInfo) context.Context
}

// jobContext is the context a job's work runs with.
func (s *Server) jobContext(j *job) context.Context {
	if a, ok := s.opts.JobJournal.(JobAttacher); ok {
		return a.Attach(s.ctx, runningInfo(j, nil))
	}
	return s.ctx
}

// recordJob journals a job's state, if a journal is configured. A failure
// is logged: the job itself has happened, only its record may not outlive
// a crash.
func (s *Server) recordJob(info ontap.JobInfo) {
	if s.opts.JobJournal == nil {
		return
	}
	if err := s.opts.JobJournal.Record(info); err != nil {
		s.log.Error("recording job", "job", info.UUID, "err", err)
	}
}

// restoreJobs adds the journal's jobs to the registry: finished ones as
// they were (unless expired), interrupted ones as failures ending now
// (and journals that).
func (s *Server) restoreJobs() error {
	if s.opts.JobJournal == nil {
		return nil
	}
	infos, err := s.opts.JobJournal.Jobs()
	if err != nil {
		return err
	}
	now := s.jobs.now()
	for i := range infos {
		info := &infos[i]
		if info.State != ontap.JobSuccess && info.State != ontap.JobFailure {
			info.State = ontap.JobFailure
			info.End = now
			info.Err = ontap.Errorf(http.StatusInternalServerError, ontap.CodeJobFailed, "",
				"Job failed: the node restarted while the job was running; its change may or may not have been applied.")
			s.recordJob(*info)
		}
	}
	slices.SortFunc(infos, func(a, b ontap.JobInfo) int { return a.End.Compare(b.End) })
	return s.jobs.restore(infos)
}
