package ontaptest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/nessie-go/nessie/fixture"
	"github.com/nessie-go/nessie/ontaptest"
	"github.com/nessie-go/nessie/server"
)

func names(t *testing.T, s *ontaptest.Server) []string {
	t.Helper()
	req, _ := http.NewRequest("GET", s.URL+"/api/storage/volumes?order_by=name", nil)
	req.SetBasicAuth(s.Username, s.Password)
	resp, err := s.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var l struct{ Records []struct{ Name, UUID string } }
	if err := json.NewDecoder(resp.Body).Decode(&l); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range l.Records {
		out = append(out, r.Name+"="+r.UUID)
	}
	return out
}

func create(t *testing.T, s *ontaptest.Server, name string) {
	t.Helper()
	body := `{"name":"` + name + `","svm":{"name":"svm0"},"aggregates":[{"name":"aggr1"}]}`
	req, _ := http.NewRequest("POST", s.URL+"/api/storage/volumes?return_timeout=30", strings.NewReader(body))
	req.SetBasicAuth(s.Username, s.Password)
	resp, err := s.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Fatalf("create %s: %d %s", name, resp.StatusCode, b)
	}
}

func TestResetToEmpty(t *testing.T) {
	s := ontaptest.NewServer(t, nil)
	create(t, s, "scratch")
	s.Reset(t)
	if got := names(t, s); len(got) != 0 {
		t.Fatalf("after reset: %v, want nothing", got)
	}
}

func TestResetToFixture(t *testing.T) {
	data, err := os.ReadFile("../fixture/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f, err := fixture.ParseFixture("example.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	s := ontaptest.NewServer(t, &ontaptest.Options{Fixture: f.State, Objects: server.ObjectGroups(f.Objects)})
	want := names(t, s)
	if len(want) != 4 || !strings.HasPrefix(want[2], "build_cache=6f1c7e2a-3b4d-4c5e-8f90-a1b2c3d4e5f6") {
		t.Fatalf("loaded: %v", want)
	}
	igroups := func() string {
		t.Helper()
		req, _ := http.NewRequest("GET", s.URL+"/api/protocols/san/igroups?fields=name", nil)
		req.SetBasicAuth(s.Username, s.Password)
		resp, err := s.Client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if got := igroups(); !strings.Contains(got, `"ci_hosts"`) {
		t.Fatalf("the fixture's igroup is not served: %s", got)
	}
	create(t, s, "scratch")
	req, _ := http.NewRequest("POST", s.URL+"/api/protocols/san/igroups", strings.NewReader(`{"name":"extra","os_type":"linux","svm":{"name":"svm0"}}`))
	req.SetBasicAuth(s.Username, s.Password)
	resp, err := s.Client.Do(req)
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("igroup create: %v %v", resp, err)
	}
	resp.Body.Close()
	s.Reset(t)
	if got := names(t, s); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("after reset: %v, want %v", got, want)
	}
	if got := igroups(); strings.Contains(got, `"extra"`) || !strings.Contains(got, `"ci_hosts"`) {
		t.Fatalf("after reset, igroups: %s", got)
	}
}
