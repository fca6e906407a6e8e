package client_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/client"
)

// fake is a scripted ONTAP endpoint for the paths the real server cannot be
// made to take (failed jobs, 5xx, broken links). Tests register handlers on
// mux; svm and aggregate discovery answer by default.
type fake struct {
	mux *http.ServeMux
	srv *httptest.Server

	mu   sync.Mutex
	reqs []string // "METHOD /path?query" of every request, in order
	hdrs []http.Header
}

const (
	svmUUID  = "11111111-2222-4333-8444-555555555555"
	volUUID  = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
	snapUUID = "99999999-8888-4777-8666-555555555555"
	jobUUID  = "12345678-1234-4234-8234-123456789abc"
)

func newFake(t *testing.T) *fake {
	t.Helper()
	return newFakeWithSVMs(t, []any{
		map[string]any{"uuid": svmUUID, "name": "svm0", "state": "running", "aggregates": []any{map[string]any{"name": "aggr0"}}},
	})
}

// newFakeWithSVMs starts a fake whose SVM collection holds svms.
func newFakeWithSVMs(t *testing.T, svms []any) *fake {
	t.Helper()
	f := &fake{mux: http.NewServeMux()}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.reqs = append(f.reqs, r.Method+" "+r.URL.RequestURI())
		f.hdrs = append(f.hdrs, r.Header.Clone())
		f.mu.Unlock()
		f.mux.ServeHTTP(w, r)
	}))
	t.Cleanup(f.srv.Close)
	f.mux.HandleFunc("GET /api/svm/svms", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"num_records": len(svms), "records": svms})
	})
	return f
}

// client returns a client for the fake that polls fast.
func (f *fake) client(t *testing.T, opts *client.Options) *client.Client {
	t.Helper()
	if opts == nil {
		opts = &client.Options{}
	}
	if opts.PollInterval == 0 {
		opts.PollInterval = time.Millisecond
	}
	c, err := client.New(f.srv.URL, opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *fake) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.reqs...)
}

func (f *fake) count(prefix string) int {
	n := 0
	for _, r := range f.requests() {
		if len(r) >= len(prefix) && r[:len(prefix)] == prefix {
			n++
		}
	}
	return n
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/hal+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func ontapError(w http.ResponseWriter, status int, code, msg, target string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"code": code, "message": msg, "target": target}})
}

func jobLink(uuid string) map[string]any {
	return map[string]any{"job": map[string]any{"uuid": uuid, "_links": map[string]any{"self": map[string]any{"href": "/api/cluster/jobs/" + uuid}}}}
}

// accepted answers a mutation with 202 and a link to job uuid.
func accepted(uuid string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusAccepted, jobLink(uuid)) }
}

// jobs serves one job whose successive polls return states; the last
// state repeats. A failed job carries code.
func (f *fake) job(uuid string, code int, states ...string) {
	var mu sync.Mutex
	n := 0
	f.mux.HandleFunc("GET /api/cluster/jobs/"+uuid, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		st := states[min(n, len(states)-1)]
		n++
		mu.Unlock()
		job := map[string]any{"uuid": uuid, "state": st, "code": 0, "message": st}
		if st == "failure" {
			job["code"] = code
			job["message"] = "it failed"
			job["error"] = map[string]any{"code": fmt.Sprint(code), "message": "it failed"}
		}
		writeJSON(w, 200, job)
	})
}

// volumeRecord is a plausible ONTAP volume record.
func volumeRecord(uuid, name string) map[string]any {
	return map[string]any{
		"uuid": uuid, "name": name, "size": 1 << 30, "state": "online", "style": "flexvol", "type": "rw",
		"comment": "c", "create_time": "2024-05-06T07:08:09+02:00",
		"nas":   map[string]any{"path": "/" + name, "export_policy": map[string]any{"name": "default"}},
		"space": map[string]any{"used": 4096},
		"clone": map[string]any{"is_flexclone": false},
	}
}

// serveVolume answers GET on the volume with rec.
func (f *fake) serveVolume(uuid string, rec map[string]any) {
	f.mux.HandleFunc("GET /api/storage/volumes/"+uuid, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, rec) })
}

func mustVolumeID(t *testing.T, s string) backend.VolumeID {
	t.Helper()
	id, err := backend.ParseVolumeID(s)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func mustSnapshotID(t *testing.T, s string) backend.SnapshotID {
	t.Helper()
	id, err := backend.ParseSnapshotID(s)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// box holds a value a handler records for the test to read: handlers run
// on the server's goroutines.
type box[T any] struct {
	mu sync.Mutex
	v  T
}

func (b *box[T]) set(v T) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.v = v
}

func (b *box[T]) get() T {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.v
}
