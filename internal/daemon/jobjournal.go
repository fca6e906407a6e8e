package daemon

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/nessie-go/nessie/backend/durable"
	"github.com/nessie-go/nessie/ontap"
)

// jobJournal keeps the server's jobs in the durable store (records of
// kind "jobs"), so finished jobs survive a restart for their TTL and
// interrupted ones are reported failed. A job's success record is attached
// to its work and committed with its change; failures, and jobs that
// changed nothing, are written when they end. Expired records are deleted
// in the batches of later writes.
type jobJournal struct {
	b   *durable.Backend
	ttl time.Duration

	mu       sync.Mutex
	finished map[string]time.Time           // job UUID -> end, for jobs recorded finished
	expiry   []string                       // finished job UUIDs in recording order
	pending  map[string]*durable.Attachment // running jobs' success records, attached to their work
}

const jobKind = "jobs"

func newJobJournal(b *durable.Backend, ttl time.Duration) *jobJournal {
	return &jobJournal{b: b, ttl: ttl, finished: map[string]time.Time{}, pending: map[string]*durable.Attachment{}}
}

// Attach implements server.JobAttacher: the job's success record is
// written in the same commit as its change.
func (jj *jobJournal) Attach(ctx context.Context, info ontap.JobInfo) context.Context {
	a := &durable.Attachment{Kind: jobKind, Key: info.UUID, Value: func() []byte {
		done := info
		done.State, done.End = ontap.JobSuccess, time.Now()
		data, _ := json.Marshal(done) // a JobInfo always marshals
		return data
	}}
	jj.mu.Lock()
	jj.pending[info.UUID] = a
	jj.mu.Unlock()
	return durable.WithAttachment(ctx, a)
}

// Record implements server.JobJournal.
func (jj *jobJournal) Record(info ontap.JobInfo) error {
	data, err := json.Marshal(info)
	if err != nil {
		return err
	}
	terminal := info.State == ontap.JobSuccess || info.State == ontap.JobFailure
	jj.mu.Lock()
	if _, done := jj.finished[info.UUID]; done && !terminal {
		jj.mu.Unlock()
		return nil // a running record never replaces a finished one
	}
	if terminal {
		a := jj.pending[info.UUID]
		delete(jj.pending, info.UUID)
		if a != nil && a.Fired() && info.State == ontap.JobSuccess {
			// Already committed with the job's change; expired records
			// are deleted in the background (a lost deletion is redone
			// at the next start).
			jj.finished[info.UUID] = info.End
			jj.expiry = append(jj.expiry, info.UUID)
			gone := map[string][]byte{}
			jj.expireLocked(time.Now(), gone)
			if len(gone) > 0 {
				jj.b.QueueRecords(jobKind, gone)
			}
			jj.mu.Unlock()
			return nil
		}
	}
	recs := map[string][]byte{info.UUID: data}
	if terminal {
		jj.finished[info.UUID] = info.End
		jj.expiry = append(jj.expiry, info.UUID)
		jj.expireLocked(time.Now(), recs)
	}
	queue := jj.b.QueueRecords
	if !terminal {
		// A job's end may already be committed (attached to its work)
		// without Record having been told yet.
		queue = jj.b.QueueNewRecords
	}
	wait := queue(jobKind, recs)
	jj.mu.Unlock()
	return wait()
}

// expireLocked adds deletions of expired records to recs.
func (jj *jobJournal) expireLocked(now time.Time, recs map[string][]byte) {
	n := 0
	for _, id := range jj.expiry {
		end, ok := jj.finished[id]
		if ok && now.Sub(end) < jj.ttl || n >= 256 {
			break
		}
		recs[id] = nil
		delete(jj.finished, id)
		n++
	}
	jj.expiry = jj.expiry[n:]
}

// Jobs implements server.JobJournal: every recorded job that is not yet
// expired; expired ones are deleted.
func (jj *jobJournal) Jobs() ([]ontap.JobInfo, error) {
	recs, err := jj.b.Records(jobKind)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	var out []ontap.JobInfo
	gone := map[string][]byte{}
	for id, data := range recs {
		var info ontap.JobInfo
		if err := json.Unmarshal(data, &info); err != nil {
			return nil, fmt.Errorf("job record %s in %s: %w", id, jj.b.Path(), err)
		}
		terminal := info.State == ontap.JobSuccess || info.State == ontap.JobFailure
		if terminal && now.Sub(info.End) >= jj.ttl {
			gone[id] = nil
			continue
		}
		out = append(out, info)
	}
	if len(gone) > 0 {
		if err := jj.b.QueueRecords(jobKind, gone)(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
