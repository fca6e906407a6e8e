package server_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/nessie-go/nessie/server"
)

func TestJobObjects(t *testing.T) {
	a := newAPI(t)
	r := a.do("POST", "/api/storage/volumes", map[string]any{"name": "j", "svm.name": "svm0", "aggregates.name": "aggr1"}).must(t, http.StatusAccepted)
	href := r.str("job._links.self.href")
	// Trident polls with fields=state.
	j := a.do("GET", href+"?fields=state", nil).must(t, http.StatusOK)
	if j.str("state") != "success" || j.get("description") != nil || j.str("uuid") != r.str("job.uuid") || j.str("_links.self.href") != href {
		t.Fatalf("%s", j.raw)
	}
	// The full job (TF polls without fields).
	j = a.do("GET", href, nil).must(t, http.StatusOK)
	for _, f := range []string{"uuid", "description", "state", "message", "code", "start_time", "end_time", "svm.name", "_links.self.href"} {
		if j.get(f) == nil {
			t.Errorf("job lacks %s: %s", f, j.raw)
		}
	}
	if j.get("error") != nil || j.get("code") != 0.0 {
		t.Fatalf("%s", j.raw)
	}
	// Listing and filtering jobs.
	a.waitJob(a.do("POST", "/api/storage/volumes", map[string]any{"name": "j", "svm.name": "svm0", "aggregates.name": "aggr1"}).must(t, http.StatusAccepted))
	l := a.do("GET", "/api/cluster/jobs?state=failure&fields=state,code,error", nil).must(t, http.StatusOK)
	if l.get("num_records") != 1.0 || l.get("records.0.code") != 917526.0 || l.str("records.0.error.code") != "917526" {
		t.Fatalf("%s", l.raw)
	}
	a.do("GET", "/api/cluster/jobs/00000000-0000-4000-8000-000000000000", nil).wantError(t, 404, "4", "uuid")
	a.do("GET", "/api/cluster/jobs/123", nil).wantError(t, 404, "2", "uuid")
}

// TestJobExpiry: a finished job is queryable for JobTTL, then gone from
// both the job and the listing, in fake time.
func TestJobExpiry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := newBubbleAPI(t, withOptions(func(o *serverOptions) { o.JobTTL = 300 * time.Second }))
		r := a.do("POST", "/api/storage/volumes", map[string]any{"name": "e", "svm.name": "svm0", "aggregates.name": "aggr1"}).must(t, http.StatusAccepted)
		href := r.str("job._links.self.href")
		time.Sleep(299 * time.Second)
		a.do("GET", href, nil).must(t, http.StatusOK)
		time.Sleep(time.Second)
		a.do("GET", href, nil).wantError(t, 404, "4", "uuid")
		if l := a.do("GET", "/api/cluster/jobs", nil).must(t, http.StatusOK); l.get("num_records") != 0.0 {
			t.Fatalf("expired job listed: %s", l.raw)
		}
	})
}

func TestMaxJobs(t *testing.T) {
	a := newAPI(t, withOptions(func(o *serverOptions) { o.MaxJobs = 2 }))
	var hrefs []string
	for _, n := range []string{"m1", "m2", "m3"} {
		r := a.do("POST", "/api/storage/volumes", map[string]any{"name": n, "svm.name": "svm0", "aggregates.name": "aggr1"}).must(t, http.StatusAccepted)
		hrefs = append(hrefs, r.str("job._links.self.href"))
	}
	a.do("GET", hrefs[0], nil).wantError(t, 404, "4", "uuid")
	a.do("GET", hrefs[1], nil).must(t, http.StatusOK)
	a.do("GET", hrefs[2], nil).must(t, http.StatusOK)
}

// TestJobLatency: with JobLatency the job stays running and the work is
// not done yet; return_timeout waits for it; Location and records fall
// back to the name form until the uuid is known.
func TestJobLatency(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := newBubbleAPI(t, withOptions(func(o *serverOptions) { o.JobLatency = 300 * time.Millisecond }))
		r := a.do("POST", "/api/storage/volumes?return_records=true", map[string]any{"name": "slow", "svm.name": "svm0", "aggregates.name": "aggr1"}).must(t, http.StatusAccepted)
		if r.header.Get("Location") != "/api/storage/volumes/?name=slow" || r.str("records.0.name") != "slow" || r.get("records.0.uuid") != nil {
			t.Fatalf("pending create: %v %s", r.header, r.raw)
		}
		j := a.job(r)
		if j.str("state") != "running" || j.get("end_time") != nil {
			t.Fatalf("%s", j.raw)
		}
		time.Sleep(299 * time.Millisecond)
		synctest.Wait()
		if j := a.job(r); j.str("state") != "running" {
			t.Fatalf("finished before JobLatency: %s", j.raw)
		}
		if vols, _ := a.srv.Backend.ListVolumes(t.Context()); len(vols) != 0 {
			t.Fatalf("the work ran before JobLatency: %v", vols)
		}
		time.Sleep(time.Millisecond)
		synctest.Wait()
		if j := a.job(r); j.str("state") != "success" {
			t.Fatalf("not finished at JobLatency: %s", j.raw)
		}
		// The SDK then GETs the Location (the trailing-slash collection).
		l := a.do("GET", r.header.Get("Location"), nil).must(t, http.StatusOK)
		if l.get("num_records") != 1.0 || l.str("records.0._links.self.href") == "" {
			t.Fatalf("%s", l.raw)
		}
		// return_timeout waits, then answers 201 with Location and records.
		r = a.do("POST", "/api/storage/volumes?return_records=true&return_timeout=30", map[string]any{"name": "slow2", "svm.name": "svm0", "aggregates.name": "aggr1"}).must(t, http.StatusCreated)
		id := r.str("records.0.uuid")
		if id == "" || r.header.Get("Location") != "/api/storage/volumes/"+id || r.str("job.uuid") == "" {
			t.Fatalf("%v %s", r.header, r.raw)
		}
		// A PATCH finished within return_timeout is 200.
		a.do("PATCH", "/api/storage/volumes/"+id+"?return_timeout=30", map[string]any{"comment": "x"}).must(t, http.StatusOK)
		// A DELETE without return_timeout is 202 while running.
		r = a.do("DELETE", "/api/storage/volumes/"+id, nil).must(t, http.StatusAccepted)
		if a.job(r).str("state") != "running" {
			t.Fatal("delete job not running")
		}
		a.waitJob(r)
	})
}

// TestCloseFailsPendingJobs: Close stops delayed jobs; they end in failure.
func TestCloseFailsPendingJobs(t *testing.T) {
	b := memBackend()
	s, err := server.New(b, &server.Options{Username: "u", Password: "p", JobLatency: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("POST", "/api/storage/volumes", strings.NewReader(`{"name":"v","svm.name":"svm0","style":"flexvol"}`))
	req.SetBasicAuth("u", "p")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusAccepted {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	s.Close()
	id := jsonField(t, rec.Body.Bytes(), "job", "uuid")
	req = httptest.NewRequest("GET", "/api/cluster/jobs/"+id, nil)
	req.SetBasicAuth("u", "p")
	rec = httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || jsonField(t, rec.Body.Bytes(), "state") != "failure" {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	vols, err := b.ListVolumes(context.Background())
	if err != nil || len(vols) != 0 {
		t.Fatalf("a job that never ran created %v", vols)
	}
}

func TestJobCancel(t *testing.T) {
	a := newAPI(t, withOptions(func(o *serverOptions) { o.JobLatency = time.Hour }))
	r := a.do("POST", "/api/storage/volumes", map[string]any{"name": "c", "svm.name": "svm0", "aggregates.name": "aggr1"}).must(t, http.StatusAccepted)
	href := r.str("job._links.self.href")
	a.do("PATCH", href+"?action=cancel", nil).wantError(t, 400, "458784", "action")
	a.do("PATCH", href+"?action=explode", nil).wantError(t, 400, "2", "action")
	a.do("PATCH", "/api/cluster/jobs/00000000-0000-4000-8000-000000000000?action=cancel", nil).wantError(t, 404, "4", "uuid")

	b := newAPI(t)
	r = b.do("POST", "/api/storage/volumes", map[string]any{"name": "c", "svm.name": "svm0", "aggregates.name": "aggr1"}).must(t, http.StatusAccepted)
	b.do("PATCH", r.str("job._links.self.href")+"?action=cancel", nil).wantError(t, 400, "458762", "")
}

// TestJobAfterClose: a job submitted after Close fails at once instead of
// racing the shutdown.
func TestJobAfterClose(t *testing.T) {
	s, err := server.New(memBackend(), &server.Options{Username: "u", Password: "p", JobLatency: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	req := httptest.NewRequest("POST", "/api/storage/volumes?return_timeout=5", strings.NewReader(`{"name":"v","svm.name":"svm0","style":"flexvol"}`))
	req.SetBasicAuth("u", "p")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusInternalServerError || jsonField(t, rec.Body.Bytes(), "error", "code") != "460770" {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
}
