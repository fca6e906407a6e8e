package server_test

import (
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/nessie-go/nessie/ontap"
	"github.com/nessie-go/nessie/server"
)

// memJournal is a JobJournal in a map, standing in for the daemon's.
type memJournal struct {
	mu   sync.Mutex
	jobs map[string]ontap.JobInfo
}

func (m *memJournal) Record(info ontap.JobInfo) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.jobs == nil {
		m.jobs = map[string]ontap.JobInfo{}
	}
	if cur, ok := m.jobs[info.UUID]; ok && cur.State != ontap.JobRunning && info.State == ontap.JobRunning {
		return nil
	}
	m.jobs[info.UUID] = info
	return nil
}

func (m *memJournal) Jobs() ([]ontap.JobInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []ontap.JobInfo
	for _, j := range m.jobs {
		out = append(out, j)
	}
	return out, nil
}

// TestJobsOutliveTheServer: a job finished under one server is answered
// by the next one on the same journal; a job the journal holds as running
// (its server died) is reported failed; an expired one is gone.
func TestJobsOutliveTheServer(t *testing.T) {
	j := &memJournal{}
	a := newAPI(t, withOptions(func(o *serverOptions) { o.JobJournal = j }))
	r := a.do("POST", "/api/storage/volumes?return_timeout=30", map[string]any{"name": "v1", "svm": map[string]any{"name": "svm0"}, "aggregates": []any{map[string]any{"name": "aggr1"}}}).must(t, 201)
	done := r.str("job.uuid")
	if got := j.jobs[done]; got.State != ontap.JobSuccess {
		t.Fatalf("journal holds %+v for the finished job, want success", got)
	}
	now := time.Now()
	j.jobs["11111111-1111-4111-8111-111111111111"] = ontap.JobInfo{UUID: "11111111-1111-4111-8111-111111111111", State: ontap.JobRunning, Start: now.Add(-time.Second), Description: "POST /api/storage/volumes"}
	j.jobs["22222222-2222-4222-8222-222222222222"] = ontap.JobInfo{UUID: "22222222-2222-4222-8222-222222222222", State: ontap.JobSuccess, Start: now.Add(-time.Hour), End: now.Add(-time.Hour)}

	b := newAPI(t, withOptions(func(o *serverOptions) { o.JobJournal = j }))
	if got := b.do("GET", "/api/cluster/jobs/"+done, nil).must(t, 200).str("state"); got != "success" {
		t.Fatalf("finished job after restart: state %q", got)
	}
	interrupted := b.do("GET", "/api/cluster/jobs/11111111-1111-4111-8111-111111111111", nil).must(t, 200)
	if interrupted.str("state") != "failure" || interrupted.str("error.code") != "460770" {
		t.Fatalf("interrupted job after restart: %s", interrupted.raw)
	}
	if got := j.jobs["11111111-1111-4111-8111-111111111111"].State; got != ontap.JobFailure {
		t.Fatalf("the interrupted job's failure was not recorded: %q", got)
	}
	b.do("GET", "/api/cluster/jobs/22222222-2222-4222-8222-222222222222", nil).wantError(t, 404, "4", "uuid")
}

// TestRunningJobIsRecordedBefore202: with job latency, a 202 for a running
// job is only sent once the journal holds the job.
func TestRunningJobIsRecordedBefore202(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		j := &memJournal{}
		a := newBubbleAPI(t, withOptions(func(o *serverOptions) { o.JobJournal = j; o.JobLatency = 200 * time.Millisecond }))
		r := a.do("POST", "/api/storage/volumes", map[string]any{"name": "v1", "svm": map[string]any{"name": "svm0"}, "aggregates": []any{map[string]any{"name": "aggr1"}}}).must(t, 202)
		id := r.str("job.uuid")
		j.mu.Lock()
		got := j.jobs[id].State
		j.mu.Unlock()
		if got != ontap.JobRunning {
			t.Fatalf("journal state at 202: %q, want running", got)
		}
		a.waitJob(r)
		j.mu.Lock()
		got = j.jobs[id].State
		j.mu.Unlock()
		if got != ontap.JobSuccess {
			t.Fatalf("journal state after the job: %q, want success", got)
		}
	})
}

var _ server.JobJournal = (*memJournal)(nil)
