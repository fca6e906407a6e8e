package ontaptest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/nessie-go/nessie/backend/mem"
	"github.com/nessie-go/nessie/ontaptest"
	"github.com/nessie-go/nessie/server"
)

// exampleT lets the Example run NewServer outside a test; cleanups run
// when the example returns.
type exampleT struct {
	testing.TB
	cleanups []func()
}

func (t *exampleT) Helper()                   {}
func (t *exampleT) Cleanup(f func())          { t.cleanups = append(t.cleanups, f) }
func (t *exampleT) Fatalf(f string, a ...any) { panic(fmt.Sprintf(f, a...)) }

func (t *exampleT) close() {
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
}

// Code under test talks to the server as to an ONTAP cluster.
func Example() {
	t := &exampleT{} // in a test, pass the test's *testing.T
	defer t.close()
	srv := ontaptest.NewServer(t, nil)

	req, _ := http.NewRequest("GET", srv.URL+"/api/cluster?fields=version", nil)
	req.SetBasicAuth(srv.Username, srv.Password)
	res, err := srv.Client.Do(req)
	if err != nil {
		panic(err)
	}
	defer res.Body.Close()
	var cluster struct {
		Version struct {
			Generation, Major, Minor int
		}
	}
	if err := json.NewDecoder(res.Body).Decode(&cluster); err != nil {
		panic(err)
	}
	fmt.Println(res.StatusCode, cluster.Version.Generation, cluster.Version.Major, cluster.Version.Minor)
	// Output: 200 9 16 1
}

func TestNewServer(t *testing.T) {
	b := mem.New(nil)
	srv := ontaptest.NewServer(t, &ontaptest.Options{Backend: b, Server: server.Options{Username: "ops", Password: "secret"}})
	if !strings.HasPrefix(srv.URL, "https://127.0.0.1:") || srv.Username != "ops" || srv.Password != "secret" || srv.Backend != b {
		t.Fatalf("%+v", srv)
	}
	body := strings.NewReader(`{"name":"vol1","svm":{"name":"svm0"},"aggregates":[{"name":"aggr1"}],"size":"1GB"}`)
	req, _ := http.NewRequest("POST", srv.URL+"/api/storage/volumes?return_timeout=10", body)
	req.SetBasicAuth(srv.Username, srv.Password)
	res, err := srv.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d", res.StatusCode)
	}
	// The volume is in the backend the test handed in.
	vols, err := b.ListVolumes(t.Context())
	if err != nil || len(vols) != 1 || vols[0].Name != "vol1" {
		t.Fatalf("%v %v", vols, err)
	}
	// The client sends no credentials by itself.
	res, err = srv.Client.Get(srv.URL + "/api/cluster")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("unauthenticated: %d", res.StatusCode)
	}
	plain := ontaptest.NewServer(t, &ontaptest.Options{PlainHTTP: true})
	if !strings.HasPrefix(plain.URL, "http://127.0.0.1:") {
		t.Fatal(plain.URL)
	}
}
