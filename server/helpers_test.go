package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/backend/mem"
	"github.com/nessie-go/nessie/internal/jsonpath"
	"github.com/nessie-go/nessie/ontaptest"
	"github.com/nessie-go/nessie/server"
)

// api is a small test client: it sends JSON with Basic auth and decodes
// every answer.
type api struct {
	t   testing.TB
	srv *ontaptest.Server
	// inBubble: the api runs inside a synctest bubble, where waiting
	// costs no real time.
	inBubble bool
}

// option edits the ontaptest options of a test server.
type option func(*ontaptest.Options)

// newAPI serves a fresh server over HTTPS on a loopback port.
func newAPI(t testing.TB, opts ...option) *api {
	var o ontaptest.Options
	for _, edit := range opts {
		edit(&o)
	}
	return &api{t: t, srv: ontaptest.NewServer(t, &o)}
}

// newBubbleAPI is newAPI for tests inside a testing/synctest bubble: the
// server's handler is called in process (a bubble's clock only moves when
// every goroutine in it is blocked, which a socket read is not), so jobs
// delayed by JobLatency and expiring by JobTTL run in fake time.
func newBubbleAPI(t *testing.T, opts ...option) *api {
	var o ontaptest.Options
	for _, edit := range opts {
		edit(&o)
	}
	if o.Backend == nil {
		o.Backend = memBackend()
	}
	o.Server.Username, o.Server.Password = "admin", "bubble"
	s, err := server.New(o.Backend, &o.Server)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return &api{t: t, inBubble: true, srv: &ontaptest.Server{
		URL: "http://nessie.test", Username: "admin", Password: "bubble",
		Client: &http.Client{Transport: handlerTransport{s}}, Backend: o.Backend, API: s,
	}}
}

// handlerTransport answers requests by calling a handler in process.
type handlerTransport struct{ h http.Handler }

func (ht handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body == nil {
		r.Body = http.NoBody // as a server request always has one
	}
	if r.RemoteAddr == "" {
		r.RemoteAddr = "192.0.2.1:1234"
	}
	rec := httptest.NewRecorder()
	ht.h.ServeHTTP(rec, r)
	return rec.Result(), nil
}

type resp struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

// do sends method path with body (nil: none; string: raw; else JSON).
func (a *api) do(method, path string, body any) *resp {
	a.t.Helper()
	return a.doWith(method, path, body, func(r *http.Request) { r.SetBasicAuth(a.srv.Username, a.srv.Password) })
}

func (a *api) doWith(method, path string, body any, edit func(*http.Request)) *resp {
	a.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			a.t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, a.srv.URL+path, rd)
	if err != nil {
		a.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if edit != nil {
		edit(req)
	}
	res, err := a.srv.Client.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		a.t.Fatal(err)
	}
	out := &resp{status: res.StatusCode, header: res.Header, raw: raw}
	if method != http.MethodHead && len(raw) > 0 && strings.Contains(res.Header.Get("Content-Type"), "json") {
		if err := json.Unmarshal(raw, &out.body); err != nil {
			a.t.Fatalf("%s %s: body is not a JSON object: %v\n%s", method, path, err, raw)
		}
	}
	return out
}

// must fails unless the status is want.
func (r *resp) must(t testing.TB, want int) *resp {
	t.Helper()
	if r.status != want {
		t.Fatalf("status %d, want %d; body: %s", r.status, want, r.raw)
	}
	return r
}

// get walks a dotted path through the decoded body ("records.0.uuid").
func (r *resp) get(path string) any { return jsonpath.Get(r.body, path) }

// walk is jsonpath.Get, under the name the tests use.
func walk(v any, path string) any { return jsonpath.Get(v, path) }

// str is the value at path as text ("" when absent).
func (r *resp) str(path string) string { return jsonpath.String(r.body, path) }

// wantError checks an ONTAP error envelope: status, code and (if not "")
// target.
func (r *resp) wantError(t testing.TB, status int, code, target string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body: %s", r.status, status, r.raw)
	}
	e, ok := r.body["error"].(map[string]any)
	if !ok {
		t.Fatalf("no error envelope: %s", r.raw)
	}
	if c, ok := e["code"].(string); !ok || c != code {
		t.Fatalf("error.code = %#v, want %q (a JSON string); body: %s", e["code"], code, r.raw)
	}
	if m, _ := e["message"].(string); m == "" {
		t.Fatalf("error.message is empty: %s", r.raw)
	}
	if target != "" && e["target"] != target {
		t.Fatalf("error.target = %#v, want %q; body: %s", e["target"], target, r.raw)
	}
}

// job fetches the job a mutation response links to, checking that the
// link carries both uuid and _links.self.href.
func (a *api) job(r *resp) *resp {
	a.t.Helper()
	id := r.str("job.uuid")
	href := r.str("job._links.self.href")
	if id == "" || href != "/api/cluster/jobs/"+id {
		a.t.Fatalf("job link incomplete: %s", r.raw)
	}
	return a.do("GET", href+"?fields=**", nil).must(a.t, http.StatusOK)
}

// waitJob returns a job once it is terminal. Without JobLatency a job
// ends before its 202 is written, so outside a bubble it must be terminal
// at once; inside one, the job is polled in fake time.
func (a *api) waitJob(r *resp) *resp {
	a.t.Helper()
	for waited := time.Duration(0); ; waited += 5 * time.Millisecond {
		j := a.job(r)
		if st := j.str("state"); st == "success" || st == "failure" {
			return j
		}
		if !a.inBubble {
			a.t.Fatalf("job still running: tests with JobLatency use newBubbleAPI in a synctest bubble: %s", j.raw)
		}
		if waited > time.Hour {
			a.t.Fatalf("job did not finish in an hour of fake time: %s", j.raw)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// createVolume creates a volume and returns its uuid.
func (a *api) createVolume(name string, extra map[string]any) string {
	a.t.Helper()
	body := map[string]any{"name": name, "svm": map[string]any{"name": "svm0"}, "aggregates": []any{map[string]any{"name": "aggr1"}}, "size": 1 << 30}
	for k, v := range extra {
		body[k] = v
	}
	r := a.do("POST", "/api/storage/volumes?return_records=true", body).must(a.t, http.StatusAccepted)
	if j := a.waitJob(r); j.str("state") != "success" {
		a.t.Fatalf("create %s failed: %s", name, j.raw)
	}
	id := r.str("records.0.uuid")
	if id == "" {
		a.t.Fatalf("no records[0].uuid: %s", r.raw)
	}
	return id
}

// createSnapshot snapshots a volume and returns the snapshot uuid.
func (a *api) createSnapshot(vol, name string) string {
	a.t.Helper()
	r := a.do("POST", "/api/storage/volumes/"+vol+"/snapshots?return_records=true", map[string]any{"name": name}).must(a.t, http.StatusAccepted)
	if j := a.waitJob(r); j.str("state") != "success" {
		a.t.Fatalf("snapshot %s failed: %s", name, j.raw)
	}
	return r.str("records.0.uuid")
}

func memBackend() *mem.Backend { return mem.New(nil) }

type serverOptions = server.Options

// withOptions edits the server options of a test server.
func withOptions(edit func(*serverOptions)) option {
	return func(o *ontaptest.Options) { edit(&o.Server) }
}

// withBackend serves b.
func withBackend(b backend.VolumeBackend) option {
	return func(o *ontaptest.Options) { o.Backend = b }
}

func jsonField(t testing.TB, body []byte, path ...string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(jsonpath.Get(m, strings.Join(path, ".")))
}
