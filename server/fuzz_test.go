package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/nessie-go/nessie/server"
)

// FuzzServe drives arbitrary methods, paths, queries and bodies through
// the whole handler: every answer must be a JSON object (an ONTAP error
// envelope for every 4xx/5xx) and no client mistake may produce a 500 or
// a panic.
func FuzzServe(f *testing.F) {
	seeds := []struct{ method, path, query, body string }{
		{"GET", "/api/cluster", "fields=**", ""},
		{"GET", "/api/storage/volumes", "name=v*&fields=*,nas.path&order_by=size desc&max_records=1", ""},
		{"POST", "/api/storage/volumes", "return_records=true", `{"name":"v","svm.name":"svm0","aggregates.name":"aggr1"}`},
		{"POST", "/api/storage/volumes", "", `{"name":"c","svm.name":"svm0","clone.is_flexclone":true,"clone.parent_volume.name":"v"}`},
		{"PATCH", "/api/storage/volumes/00000000-0000-4000-8000-000000000000", "restore_to.snapshot.name=s", ""},
		{"PATCH", "/api/storage/volumes", "name=*", `{"comment":"x"}`},
		{"DELETE", "/api/storage/volumes", "name=*", ""},
		{"GET", "/api/storage/volumes/x/snapshots/y", "", ""},
		{"GET", "/api/storage/volumes/%2A/snapshots", "", ""},
		{"GET", "/api//x/../y/./z", "", ""},
		{"PUT", "/api/svm/svms/", "", "{}"},
		{"GET", "/docs/api/swagger.yaml", "", ""},
		{"OPTIONS", "/", "", ""},
		{"POST", "/api/storage/volumes/", "", "[]"},
		{"GET", "/api/cluster/jobs", "state=failure|success&start.uuid=x", ""},
	}
	for _, s := range seeds {
		f.Add(s.method, s.path, s.query, s.body)
	}
	s, err := server.New(memBackend(), &server.Options{Username: "u", Password: "p"})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close() })
	f.Fuzz(func(t *testing.T, method, path, query, body string) {
		if method == "" || strings.ContainsAny(method, " \t\r\n()<>@,;:\\\"/[]?={}") || len(method) > 16 {
			return
		}
		req := &http.Request{
			Method:     method,
			URL:        &url.URL{Path: path, RawQuery: query},
			Header:     http.Header{},
			Body:       io.NopCloser(strings.NewReader(body)),
			Host:       "example",
			RequestURI: "/",
			Proto:      "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		}
		req.SetBasicAuth("u", "p")
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s?%s: %d %s", method, path, query, rec.Code, rec.Body)
		}
		if rec.Code == http.StatusOK && path == "/docs/api/swagger.yaml" {
			return
		}
		var m map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
			t.Fatalf("%s %s?%s: %d, body is not a JSON object: %q", method, path, query, rec.Code, rec.Body)
		}
		if rec.Code >= 400 {
			e, ok := m["error"].(map[string]any)
			if !ok {
				t.Fatalf("no envelope: %s", rec.Body)
			}
			if c, ok := e["code"].(string); !ok || c == "" {
				t.Fatalf("bad code: %s", rec.Body)
			}
		}
	})
}
