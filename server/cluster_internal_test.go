package server

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/nessie-go/nessie/backend/mem"
)

// TestClusterCachedAnswer: GET /api/cluster without a query is served from
// bytes encoded at New; they must be what rendering the record now gives,
// and a request with a query must still be rendered.
func TestClusterCachedAnswer(t *testing.T) {
	s, err := New(mem.New(nil), &Options{Username: "u", Password: "p"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if len(s.clusterJSON) == 0 {
		t.Fatal("no cached answer")
	}
	get := func(target string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("GET", target, nil)
		r.SetBasicAuth("u", "p")
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", target, w.Code, w.Body)
		}
		return w
	}
	res, err := s.clusterResult(url.Values{})
	if err != nil {
		t.Fatal(err)
	}
	want := httptest.NewRecorder()
	s.writeJSON(want, res.status, res.body)
	got := get("/api/cluster")
	if !bytes.Equal(got.Body.Bytes(), want.Body.Bytes()) {
		t.Fatalf("cached:\n%s\nrendered:\n%s", got.Body, want.Body)
	}
	for _, h := range []string{"Content-Type", "Content-Length", "Cache-Control"} {
		if got.Header().Get(h) != want.Header().Get(h) {
			t.Errorf("%s: %q, rendered %q", h, got.Header().Get(h), want.Header().Get(h))
		}
	}
	if b := get("/api/cluster?fields=name").Body.String(); bytes.Contains([]byte(b), []byte(`"version"`)) || !bytes.Contains([]byte(b), []byte(`"name"`)) {
		t.Fatalf("fields=name: %s", b)
	}
}

// TestAuthFastPath: the canonical header is checked by one hash; other
// spellings of the same credentials still pass the full check, and wrong
// credentials fail either way.
func TestAuthFastPath(t *testing.T) {
	s, err := New(mem.New(nil), &Options{Username: "u", Password: "p"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, c := range []struct {
		header string
		ok     bool
	}{
		{"Basic dTpw", true},  // u:p, as Go, curl and Python send it
		{"basic dTpw", true},  // the scheme is case-insensitive
		{"Basic dTpx", false}, // u:q
		{"Basic dTpwcA==", false},
		{"Bearer dTpw", false},
	} {
		r := httptest.NewRequest("GET", "/api/cluster", nil)
		r.Header.Set("Authorization", c.header)
		if ok, _, _ := s.authorize(r); ok != c.ok {
			t.Errorf("%q: authorized %v, want %v", c.header, ok, c.ok)
		}
	}
}
