package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/ontaptest"
	"github.com/nessie-go/nessie/server"
)

// TestAuth: every operation the router serves, with every method it
// answers (and one it does not), refuses requests without valid
// credentials before doing anything. The list comes from the router, so a
// new route is covered the day it is added; the paths name real objects,
// so a mutation that skipped the check would change state, which the end
// of the test looks for.
func TestAuth(t *testing.T) {
	a := newAPI(t)
	vol := a.createVolume("authvol", nil)
	snap := a.createSnapshot(vol, "authsnap")
	job := a.do("POST", "/api/storage/volumes/"+vol+"/snapshots", map[string]any{"name": "jobsnap"}).must(t, http.StatusAccepted).str("job.uuid")
	creds := map[string]func(*http.Request){
		"none":           nil,
		"wrong password": func(r *http.Request) { r.SetBasicAuth(a.srv.Username, "x") },
		"wrong user":     func(r *http.Request) { r.SetBasicAuth("root", a.srv.Password) },
		"empty password": func(r *http.Request) { r.SetBasicAuth(a.srv.Username, "") },
		"bearer":         func(r *http.Request) { r.Header.Set("Authorization", "Bearer abc") },
	}
	check := func(method, path string) {
		t.Helper()
		var body any
		if method == "POST" || method == "PATCH" {
			body = map[string]any{"name": "renamed_by_attacker", "svm": map[string]any{"name": "svm0"}, "aggregates": []any{map[string]any{"name": "aggr1"}}}
		}
		for name, edit := range creds {
			r := a.doWith(method, path, body, edit)
			if r.status != http.StatusUnauthorized {
				t.Errorf("%s %s (%s credentials): status %d, want 401: %s", method, path, name, r.status, r.raw)
				continue
			}
			if method != "HEAD" {
				r.wantError(t, http.StatusUnauthorized, "6", "")
			}
			if got := r.header.Get("WWW-Authenticate"); got != `Basic realm="ONTAP"` {
				t.Errorf("%s %s (%s): WWW-Authenticate %q", method, path, name, got)
			}
		}
	}
	methods := map[string]bool{}
	n := 0
	for _, rt := range server.Routes(a.srv.API) {
		method, pattern := rt[0], rt[1]
		path := strings.TrimSuffix(pattern, "{$}")
		path = strings.ReplaceAll(path, "{vol}", vol)
		switch {
		case strings.Contains(path, "/snapshots/{uuid}"):
			path = strings.ReplaceAll(path, "{uuid}", snap)
		case strings.Contains(path, "/volumes/{uuid}"):
			path = strings.ReplaceAll(path, "{uuid}", vol)
		case strings.Contains(path, "/jobs/{uuid}"):
			path = strings.ReplaceAll(path, "{uuid}", job)
		default:
			path = strings.ReplaceAll(path, "{uuid}", a.srv.API.Identity().NodeUUID)
		}
		// The object store's kinds: integer keys and UUIDs of any object
		// (auth comes before the lookup).
		path = objectWildcards.Replace(path)
		path = strings.ReplaceAll(path, "{volume_uuid}", vol)
		path = strings.ReplaceAll(path, "{svm_uuid}", a.srv.API.Identity().SVMUUID)
		if strings.Contains(path, "{") {
			t.Fatalf("route %s %s: unknown wildcard", method, pattern)
		}
		if method == "PATCH" || method == "DELETE" {
			// Bulk forms need a filter to act at all.
			path += "?name=*"
		}
		check(method, path)
		if method == "GET" {
			check("HEAD", path)
		}
		if !methods[path] {
			methods[path] = true
			check("PUT", path) // no route takes PUT: auth comes before 405
		}
		n++
	}
	for _, path := range []string{"/api/nope", "/", "/api/storage/volumes/" + vol + "/nope"} {
		check("GET", path)
		check("DELETE", path)
	}
	if n < 30 {
		t.Fatalf("only %d routes: the router's list is not being read", n)
	}
	// Nothing changed: the volume keeps its name, the snapshots are there.
	if r := a.do("GET", "/api/storage/volumes?fields=name", nil).must(t, http.StatusOK); r.get("num_records") != 1.0 || r.str("records.0.name") != "authvol" {
		t.Fatalf("volumes changed by unauthenticated requests: %s", r.raw)
	}
	if r := a.do("GET", "/api/storage/volumes/"+vol+"/snapshots?fields=name", nil).must(t, http.StatusOK); r.get("num_records") != 2.0 {
		t.Fatalf("snapshots changed by unauthenticated requests: %s", r.raw)
	}
}

func TestResponseHeaders(t *testing.T) {
	a := newAPI(t)
	for _, r := range []*resp{a.do("GET", "/api/cluster", nil), a.do("GET", "/api/nope", nil)} {
		if r.header.Get("Content-Type") != "application/hal+json" || r.header.Get("Cache-Control") != "no-cache,no-store,must-revalidate" ||
			r.header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("headers %v", r.header)
		}
	}
	h := a.do("HEAD", "/api/cluster", nil).must(t, http.StatusOK)
	if h.header.Get("Content-Type") != "application/hal+json" {
		t.Errorf("HEAD headers %v", h.header)
	}
}

// TestErrorEnvelopes: every failure, including the ones a framework would
// answer by itself, is an ONTAP envelope with a sensible status.
func TestErrorEnvelopes(t *testing.T) {
	a := newAPI(t, withOptions(func(o *serverOptions) { o.MaxBodyBytes = 256 }))
	id := a.createVolume("v", nil)
	a.do("GET", "/api/nope", nil).wantError(t, 404, "4", "")
	a.do("GET", "/api/storage/volumes/"+id+"/nope", nil).wantError(t, 404, "4", "")
	a.do("GET", "/api//storage/volumes", nil).wantError(t, 404, "4", "")
	a.do("GET", "/api/storage/volumes/../cluster", nil).wantError(t, 404, "4", "")
	a.do("GET", "/api/storage/volumes/1", nil).wantError(t, 404, "2", "uuid")
	r := a.do("PUT", "/api/storage/volumes", map[string]any{})
	r.wantError(t, http.StatusMethodNotAllowed, "3", "")
	if allow := r.header.Get("Allow"); !strings.Contains(allow, "GET") || !strings.Contains(allow, "POST") || !strings.Contains(allow, "PATCH") || !strings.Contains(allow, "DELETE") {
		t.Errorf("Allow %q", allow)
	}
	a.do("POST", "/api/cluster", map[string]any{}).wantError(t, http.StatusMethodNotAllowed, "3", "")
	a.do("DELETE", "/api/cluster/jobs/"+id, nil).wantError(t, http.StatusMethodNotAllowed, "3", "")
	// Bodies.
	ct := func(v string) func(*http.Request) {
		return func(r *http.Request) {
			r.SetBasicAuth(a.srv.Username, a.srv.Password)
			if v == "" {
				r.Header.Del("Content-Type")
			} else {
				r.Header.Set("Content-Type", v)
			}
		}
	}
	a.doWith("PATCH", "/api/storage/volumes/"+id, `{"comment":"x"}`, ct("text/plain")).wantError(t, http.StatusUnsupportedMediaType, "2", "Content-Type")
	a.doWith("PATCH", "/api/storage/volumes/"+id, `{"comment":"x"}`, ct("multipart/form-data; boundary=x")).wantError(t, http.StatusUnsupportedMediaType, "2", "Content-Type")
	a.doWith("PATCH", "/api/storage/volumes/"+id, `{"comment":"x"}`, ct("bogus/")).wantError(t, http.StatusUnsupportedMediaType, "2", "Content-Type")
	// curl -d sends JSON as a form; ONTAP's own examples rely on it.
	a.doWith("PATCH", "/api/storage/volumes/"+id, `{"comment":"x"}`, ct("application/x-www-form-urlencoded")).must(t, http.StatusAccepted)
	a.doWith("PATCH", "/api/storage/volumes/"+id, `{"comment":"x"}`, ct("")).must(t, http.StatusAccepted)
	a.doWith("PATCH", "/api/storage/volumes/"+id, `{"comment":"x"}`, ct("application/hal+json; charset=utf-8")).must(t, http.StatusAccepted)
	a.do("PATCH", "/api/storage/volumes/"+id, `{"comment":"`+strings.Repeat("x", 300)+`"}`).wantError(t, http.StatusRequestEntityTooLarge, "2", "body")
	a.do("PATCH", "/api/storage/volumes/"+id, `{"comment":`).wantError(t, 400, "2", "body")
	a.do("PATCH", "/api/storage/volumes/"+id, "{\"comment\":\"\xff\"}").wantError(t, 400, "2", "body") // not silently U+FFFD
	a.do("POST", "/api/storage/volumes?return_timeout=500", map[string]any{"name": "x"}).wantError(t, 400, "2", "return_timeout")
}

// volumeOnly hides every tier above VolumeBackend.
type volumeOnly struct{ backend.VolumeBackend }

func (volumeOnly) Capabilities(context.Context) backend.Capabilities { return backend.Capabilities{} }

// snapshotOnly hides the clone tier.
type snapshotOnly struct{ backend.SnapshotBackend }

func (snapshotOnly) Capabilities(context.Context) backend.Capabilities {
	return backend.Capabilities{Snapshots: true}
}

// TestMissingTiers: a backend without a tier answers those routes with an
// ONTAP "not supported" envelope (code 3), never a 501.
func TestMissingTiers(t *testing.T) {
	a := newAPI(t, withBackend(volumeOnly{memBackend()}))
	id := a.createVolume("v", nil)
	a.do("GET", "/api/storage/volumes/"+id+"/snapshots", nil).wantError(t, 400, "3", "")
	a.do("POST", "/api/storage/volumes/"+id+"/snapshots", map[string]any{"name": "s"}).wantError(t, 400, "3", "")
	a.do("PATCH", "/api/storage/volumes/"+id+"?restore_to.snapshot.name=s", nil).wantError(t, 400, "3", "")
	a.do("PATCH", "/api/storage/volumes/"+id, map[string]any{"clone.split_initiated": true}).wantError(t, 400, "3", "")
	a.do("POST", "/api/storage/volumes", map[string]any{"name": "c", "svm.name": "svm0", "clone.is_flexclone": true, "clone.parent_volume.name": "v"}).wantError(t, 400, "3", "")
	// Volumes still work, clone.is_flexclone reads false.
	r := a.do("GET", "/api/storage/volumes/"+id+"?fields=clone.is_flexclone", nil).must(t, http.StatusOK)
	if r.get("clone.is_flexclone") != false {
		t.Fatalf("%s", r.raw)
	}

	b := newAPI(t, withBackend(snapshotOnly{memBackend()}))
	id = b.createVolume("v", nil)
	b.createSnapshot(id, "s")
	b.do("POST", "/api/storage/volumes", map[string]any{"name": "c", "svm.name": "svm0", "clone.is_flexclone": true, "clone.parent_volume.name": "v"}).wantError(t, 400, "3", "")
	b.do("PATCH", "/api/storage/volumes/"+id+"?restore_to.snapshot.name=s&return_timeout=5", nil).must(t, http.StatusOK)
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) lines() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Split(strings.TrimSpace(b.buf.String()), "\n")
}

func TestRequestLogs(t *testing.T) {
	var sink syncBuffer
	logger := slog.New(slog.NewJSONHandler(&sink, nil))
	a := newAPI(t, withOptions(func(o *serverOptions) { o.Logger = logger }))
	a.doWith("GET", "/api/cluster?fields=version", nil, func(r *http.Request) {
		r.SetBasicAuth(a.srv.Username, a.srv.Password)
		r.Header.Set("X-Dot-Client-App", "Trident/25.06")
	}).must(t, http.StatusOK)
	a.doWith("GET", "/api/cluster", nil, nil).must(t, http.StatusUnauthorized)
	lines := sink.lines()
	if len(lines) != 2 {
		t.Fatalf("%d log lines: %v", len(lines), lines)
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &rec); err != nil {
		t.Fatal(err)
	}
	if rec["msg"] != "request" || rec["method"] != "GET" || rec["path"] != "/api/cluster" || rec["status"] != 200.0 ||
		rec["query"] != "fields=version" || rec["client_app"] != "Trident/25.06" || rec["duration"] == nil {
		t.Fatalf("%v", rec)
	}
	if err := json.Unmarshal([]byte(lines[1]), &rec); err != nil || rec["status"] != 401.0 ||
		rec["msg"] != "request refused: authentication failed" || rec["auth_error"] != "no credentials" {
		t.Fatalf("%v %v", rec, err)
	}
	a.doWith("GET", "/api/cluster", nil, func(r *http.Request) { r.SetBasicAuth("mallory", "guess") }).must(t, http.StatusUnauthorized)
	lines = sink.lines()
	rec = nil
	if err := json.Unmarshal([]byte(lines[2]), &rec); err != nil || rec["msg"] != "request refused: authentication failed" ||
		rec["auth_error"] != "wrong username or password" || rec["user"] != "mallory" || strings.Contains(lines[2], "guess") {
		t.Fatalf("%s %v", lines[2], err)
	}
}

// TestSwaggerDocument: the document is served (with auth) as YAML and
// names every route the server answers.
func TestSwaggerDocument(t *testing.T) {
	a := newAPI(t)
	r := a.do("GET", "/docs/api/swagger.yaml", nil).must(t, http.StatusOK)
	if r.header.Get("Content-Type") != "application/yaml" {
		t.Errorf("Content-Type %q", r.header.Get("Content-Type"))
	}
	doc := string(r.raw)
	if !strings.Contains(doc, "\nswagger: \"2.0\"\n") || !strings.Contains(doc, "\ndefinitions:\n") {
		t.Fatal("not a Swagger 2.0 document")
	}
	for _, p := range []string{
		"/api/cluster", "/api/cluster/nodes", "/api/cluster/nodes/{uuid}", "/api/cluster/jobs/{uuid}", "/api/svm/svms/{uuid}",
		"/api/storage/aggregates", "/api/network/ip/interfaces", "/api/storage/volumes", "/api/storage/volumes/", "/api/storage/volumes/{uuid}",
		"/api/storage/volumes/{volume_uuid}/snapshots", "/api/storage/volumes/{volume_uuid}/snapshots/{uuid}", "/docs/api/swagger.yaml",
	} {
		if !strings.Contains(doc, "\n  \""+p+"\":\n") {
			t.Errorf("path %s missing", p)
		}
	}
	for _, op := range []string{"post_api_storage_volumes", "patch_api_storage_volumes__uuid_", "delete_api_storage_volumes__volume_uuid__snapshots__uuid_", "get_api_storage_volumes_slash"} {
		if !strings.Contains(doc, `operationId: "`+op+`"`) {
			t.Errorf("operation %s missing", op)
		}
	}
	a.do("GET", "/docs/api/swagger.yaml?x=1", nil).wantError(t, 400, "262179", "x")
}

// TestMalformedQueries: a query Go would parse only partly is refused as a
// whole. A bulk DELETE must never run with a filter silently dropped.
func TestMalformedQueries(t *testing.T) {
	a := newAPI(t)
	for _, n := range []string{"keep", "target"} {
		a.createVolume(n, nil)
	}
	for _, q := range []string{"state=online&name=target;x", "state=online&name=target%zz", "state=online&name=%", "state=online&%zz=target"} {
		for _, m := range []string{"PATCH", "DELETE", "GET"} {
			var body any
			if m == "PATCH" {
				body = map[string]any{"comment": "changed"}
			}
			a.do(m, "/api/storage/volumes?"+q, body).wantError(t, 400, "2", "query")
		}
	}
	r := a.do("GET", "/api/storage/volumes?fields=comment", nil).must(t, http.StatusOK)
	if r.get("num_records") != 2.0 || r.get("records.0.comment") != nil || r.get("records.1.comment") != nil {
		t.Fatalf("a refused bulk mutation changed something: %s", r.raw)
	}
	// Huge page sizes and stale start keys are fine.
	a.do("GET", "/api/storage/volumes?max_records=9223372036854775807&start.uuid=fffffff", nil).must(t, http.StatusOK)
	// Operation-specific parameters are validated, not ignored.
	id := lookup(t, a, "keep")
	for _, q := range []string{"restore_to.snapshot.force=maybe", "preserve_lun_ids=maybe", "snapshot_directory_access_enabled=maybe", "sizing_method=%25ff"} {
		target := strings.SplitN(q, "=", 2)[0]
		a.do("PATCH", "/api/storage/volumes/"+id+"?"+q, map[string]any{"comment": "x"}).wantError(t, 400, "2", target)
	}
	a.do("DELETE", "/api/storage/volumes/"+id+"?force=maybe", nil).wantError(t, 400, "2", "force")
}

// TestDeclaredHugeBody: a body declared larger than the limit is refused
// without reading it.
func TestDeclaredHugeBody(t *testing.T) {
	s, err := server.New(memBackend(), &server.Options{Username: "u", Password: "p"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	req := httptest.NewRequest("POST", "/api/storage/volumes", failReader{t})
	req.ContentLength = 10 << 30
	req.SetBasicAuth("u", "p")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), `"code":"2"`) {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
}

// failReader fails the test if anything reads it.
type failReader struct{ t *testing.T }

func (f failReader) Read([]byte) (int, error) {
	f.t.Error("the body was read")
	return 0, io.EOF
}

// TestHeaderLimit: oversized headers get 431 in the envelope (the
// http.Server's own limit must be set higher for this to be reached).
func TestHeaderLimit(t *testing.T) {
	a := newAPI(t, withOptions(func(o *serverOptions) { o.MaxHeaderBytes = 4096 }))
	a.doWith("GET", "/api/cluster", nil, func(r *http.Request) {
		r.SetBasicAuth(a.srv.Username, a.srv.Password)
		for i := range 100 {
			r.Header.Set(fmt.Sprintf("X-Flood-%d", i), strings.Repeat("x", 100))
		}
	}).wantError(t, http.StatusRequestHeaderFieldsTooLarge, "2", "")
	a.do("GET", "/api/cluster", nil).must(t, http.StatusOK)
}

// TestOversizedBodyWrittenFirst: a client that writes a whole 10 MiB body
// before reading (Python's requests, with no Expect: 100-continue) reads
// the 413 envelope instead of having its connection reset, whether it
// declares the length or sends chunks.
func TestOversizedBodyWrittenFirst(t *testing.T) {
	a := newAPI(t, func(o *ontaptest.Options) { o.PlainHTTP = true })
	addr := strings.TrimPrefix(a.srv.URL, "http://")
	body := bytes.Repeat([]byte("x"), 10<<20)
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte(a.srv.Username+":"+a.srv.Password))
	for _, chunked := range []bool{false, true} {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		var req bytes.Buffer
		fmt.Fprintf(&req, "POST /api/storage/volumes HTTP/1.1\r\nHost: %s\r\nAuthorization: %s\r\nContent-Type: application/json\r\n", addr, auth)
		if chunked {
			req.WriteString("Transfer-Encoding: chunked\r\n\r\n")
			for off := 0; off < len(body); off += 64 << 10 {
				fmt.Fprintf(&req, "%x\r\n%s\r\n", 64<<10, body[off:off+64<<10])
			}
			req.WriteString("0\r\n\r\n")
		} else {
			fmt.Fprintf(&req, "Content-Length: %d\r\n\r\n", len(body))
			req.Write(body)
		}
		// All of it first, as the client does; only then read.
		if _, err := conn.Write(req.Bytes()); err != nil {
			t.Fatalf("chunked=%v: writing the body: %v", chunked, err)
		}
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("chunked=%v: reading the answer: %v", chunked, err)
		}
		raw, err := io.ReadAll(res.Body)
		conn.Close()
		if err != nil || res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(raw), `"code":"2"`) || !strings.Contains(string(raw), "exceeds the limit") {
			t.Fatalf("chunked=%v: %d %s %v", chunked, res.StatusCode, raw, err)
		}
		if !res.Close {
			t.Errorf("chunked=%v: the connection is kept after a refused body", chunked)
		}
	}
	a.do("GET", "/api/cluster", nil).must(t, http.StatusOK)
}

// objectWildcards fills the integer keys of the object store's kinds and
// the SAN objects' keys (UUIDs of objects that need not exist, an
// initiator, an attribute name).
var objectWildcards = strings.NewReplacer("{id}", "1", "{index}", "1", "{policy_id}", "1",
	"{lun_uuid}", "11111111-2222-4333-8444-555555555555", "{igroup_uuid}", "11111111-2222-4333-8444-666666666666",
	"{svm_uuid}", "11111111-2222-4333-8444-777777777777", "{initiator}", "iqn.1993-08.org.debian:01:1", "{name}", "n",
	"{snapshot_policy_uuid}", "11111111-2222-4333-8444-888888888888", "{schedule_uuid}", "11111111-2222-4333-8444-999999999999")
