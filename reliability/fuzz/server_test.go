package fuzz

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/backend/mem"
	"github.com/nessie-go/nessie/reliability/harness"
	"github.com/nessie-go/nessie/server"
)

// fuzzServer is a fresh REST server over a mem backend holding a volume,
// a snapshot of it and a clone of that snapshot, so that fuzzed paths
// can name real objects through the placeholders {vol}, {snap} and
// {clone}.
type fuzzServer struct {
	api               *server.Server
	b                 *mem.Backend
	vol, snap, clone  string
	auth              string
	placeholderSubber *strings.Replacer
}

func newFuzzServer(t *testing.T) *fuzzServer {
	ctx := context.Background()
	b := mem.New(nil)
	v, err := b.CreateVolume(ctx, backend.VolumeSpec{Name: "fuzz_vol", Size: backend.Bytes(1 << 30), Comment: "seed"})
	if err != nil {
		t.Fatal(err)
	}
	s, err := b.CreateSnapshot(ctx, v.ID, backend.SnapshotSpec{Name: "s1"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := b.CreateClone(ctx, backend.CloneSpec{ParentVolume: v.ID, ParentSnapshot: s.ID, Name: "fuzz_clone"})
	if err != nil {
		t.Fatal(err)
	}
	api, err := server.New(b, &server.Options{Username: "admin", Password: "fuzz"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = api.Close() })
	fs := &fuzzServer{api: api, b: b, vol: v.ID.String(), snap: s.ID.String(), clone: c.ID.String()}
	r := http.Request{Header: http.Header{}}
	r.SetBasicAuth("admin", "fuzz")
	fs.auth = r.Header.Get("Authorization")
	fs.placeholderSubber = strings.NewReplacer("{vol}", fs.vol, "{snap}", fs.snap, "{clone}", fs.clone)
	return fs
}

var serverSeeds = []struct{ method, target, body string }{
	{"GET", "/api/cluster", ""},
	{"GET", "/api/cluster?fields=*", ""},
	{"GET", "/api/storage/volumes?fields=**&order_by=name desc", ""},
	{"GET", "/api/storage/volumes/?name=fuzz_*&max_records=1", ""},
	{"GET", "/api/storage/volumes/{vol}?fields=clone,nas.path", ""},
	{"GET", "/api/storage/volumes/{clone}?fields=clone.parent_snapshot.name", ""},
	{"GET", "/api/storage/volumes/{vol}/snapshots?fields=name,create_time", ""},
	{"GET", "/api/storage/volumes/{vol}/snapshots/{snap}", ""},
	{"GET", "/api/cluster/jobs?state=running", ""},
	{"GET", "/docs/api/swagger.yaml", ""},
	{"HEAD", "/api/svm/svms", ""},
	{"POST", "/api/storage/volumes?return_timeout=10&return_records=true", `{"name":"v2","svm":{"name":"svm0"},"aggregates":[{"name":"aggr1"}],"size":"1GB"}`},
	{"POST", "/api/storage/volumes", `{"name":"k2","svm.name":"svm0","clone":{"is_flexclone":true,"parent_volume":{"uuid":"{vol}"},"parent_snapshot":{"name":"s1"}}}`},
	{"POST", "/api/storage/volumes", `{"name":"k3","svm.name":"svm0","clone.is_flexclone":"true","clone.parent_volume.name":"fuzz_vol"}`},
	{"POST", "/api/storage/volumes/{vol}/snapshots?return_records=true", `{"name":"s2","comment":"c"}`},
	{"PATCH", "/api/storage/volumes/{vol}", `{"comment":"x","size":"2GB","nas.path":"/v"}`},
	{"PATCH", "/api/storage/volumes/{vol}?restore_to.snapshot.name=s1", ``},
	{"PATCH", "/api/storage/volumes/{clone}", `{"clone":{"split_initiated":true}}`},
	{"PATCH", "/api/storage/volumes/{vol}/snapshots/{snap}", `{"name":"s9"}`},
	{"PATCH", "/api/storage/volumes?name=fuzz_*", `{"comment":"bulk"}`},
	{"DELETE", "/api/storage/volumes/{clone}?return_timeout=5", ``},
	{"DELETE", "/api/storage/volumes/{vol}", `{}`},
	{"DELETE", "/api/storage/volumes/{vol}/snapshots/{snap}", ``},
	{"DELETE", "/api/storage/volumes?state=online", ``},
	{"POST", "/api/support/ems/application-logs", `{"computer_name":"x"}`},
	{"GET", "/api/storage/volumes?max_records=9223372036854775807&start.uuid=ffffffff-ffff-ffff-ffff-ffffffffffff", ""},
	{"FOO", "/api/cluster", ""},
	{"GET", "/api/storage/volumes/not-a-uuid", ""},
	{"GET", "//api/./storage/../cluster", ""},
	{"POST", "/api/storage/volumes", `{"name":`},
}

// FuzzServerRequest sends one fuzzed request (method, target, body) to a
// fresh server in process, with valid credentials, through ServeHTTP.
// Whatever the request, the answer is never a 5xx or a panic, every
// refusal is a 4xx ONTAP envelope, every body is valid UTF-8 (and JSON
// where the content type says so), and the backend's invariants hold
// afterwards.
func FuzzServerRequest(f *testing.F) {
	for _, s := range serverSeeds {
		f.Add(s.method, s.target, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, method, target string, body []byte) {
		fs := newFuzzServer(t)
		target = fs.placeholderSubber.Replace(target)
		var raw bytes.Buffer
		fmt.Fprintf(&raw, "%s %s HTTP/1.1\r\nHost: nessie\r\nAuthorization: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n",
			method, target, fs.auth, len(body))
		raw.Write(body)
		req, err := http.ReadRequest(bufio.NewReader(&raw))
		if err != nil {
			return // net/http refuses it before any handler runs
		}
		req.RemoteAddr = "127.0.0.1:1"
		rec := httptest.NewRecorder()
		func() {
			defer guard(t, "ServeHTTP "+method+" "+target)
			fs.api.ServeHTTP(rec, req)
		}()
		resp := &harness.Response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
		if resp.Status >= 500 {
			t.Fatalf("%s %s: status %d: %s", method, target, resp.Status, resp.Body)
		}
		if !utf8.Valid(resp.Body) {
			t.Fatalf("%s %s: body is not valid UTF-8", method, target)
		}
		if resp.Status >= 400 && method != http.MethodHead {
			if _, err := harness.Envelope(resp); err != nil {
				t.Fatalf("%s %s: %v", method, target, err)
			}
		}
		if resp.Status < 300 && strings.Contains(resp.Header.Get("Content-Type"), "json") && len(resp.Body) > 0 && !json.Valid(resp.Body) {
			t.Fatalf("%s %s: %d with invalid JSON: %.300s", method, target, resp.Status, resp.Body)
		}
		if err := fs.b.CheckInvariants(); err != nil {
			t.Fatalf("%s %s: backend invariants after the request: %v", method, target, err)
		}
	})
}
