package server_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nessie-go/nessie/server"
)

// In-process benchmarks of the handler alone (no network); the loopback
// load test is ./server/loadtest.

func benchServer(b *testing.B, volumes int) (*server.Server, []string) {
	s, err := server.New(memBackend(), &server.Options{Username: "u", Password: "p"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	ids := make([]string, volumes)
	for i := range volumes {
		body := fmt.Sprintf(`{"name":"v%05d","svm.name":"svm0","aggregates.name":"aggr1","size":"1GB"}`, i)
		rec := serve(s, "POST", "/api/storage/volumes?return_records=true", body)
		if rec.Code != http.StatusAccepted {
			b.Fatalf("%d %s", rec.Code, rec.Body)
		}
		ids[i] = strings.Split(strings.Split(rec.Body.String(), `"uuid":"`)[1], `"`)[0]
	}
	return s, ids
}

func serve(s *server.Server, method, path, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.SetBasicAuth("u", "p")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec
}

// benchGET times GET path, reporting besides ns/op the process's CPU time
// per request (cpu-ns/op: user and system, every thread, the collector's
// included), which moves much less than ns/op on a shared machine.
func benchGET(b *testing.B, s *server.Server, path string) {
	b.ReportAllocs()
	var start time.Duration
	for i := 0; b.Loop(); i++ {
		if i == 0 {
			start = cpuTime()
		}
		if rec := serve(s, "GET", path, ""); rec.Code != http.StatusOK {
			b.Fatal(rec.Code)
		}
	}
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkGetVolume(b *testing.B) {
	s, ids := benchServer(b, 1)
	benchGET(b, s, "/api/storage/volumes/"+ids[0])
}

func BenchmarkListVolumes1k(b *testing.B) {
	s, _ := benchServer(b, 1000)
	benchGET(b, s, "/api/storage/volumes")
}

func BenchmarkCreateDeleteVolume(b *testing.B) {
	s, _ := benchServer(b, 0)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		rec := serve(s, "POST", "/api/storage/volumes?return_records=true", fmt.Sprintf(`{"name":"c%d","svm.name":"svm0","aggregates.name":"aggr1"}`, i))
		if rec.Code != http.StatusAccepted {
			b.Fatal(rec.Code)
		}
		id := strings.Split(strings.Split(rec.Body.String(), `"uuid":"`)[1], `"`)[0]
		if rec := serve(s, "DELETE", "/api/storage/volumes/"+id, ""); rec.Code != http.StatusAccepted {
			b.Fatal(rec.Code)
		}
	}
}

func BenchmarkListVolumes1kAllFields(b *testing.B) {
	s, _ := benchServer(b, 1000)
	benchGET(b, s, "/api/storage/volumes?fields=**")
}

func BenchmarkListVolumes1kCommonFields(b *testing.B) {
	s, _ := benchServer(b, 1000)
	benchGET(b, s, "/api/storage/volumes?fields=*")
}

func BenchmarkGetCluster(b *testing.B) {
	s, _ := benchServer(b, 0)
	benchGET(b, s, "/api/cluster")
}

// BenchmarkSANMutationDurable is one SAN mutation (an igroup's comment
// changed) on a server whose objects are journalled, holding 1,000 LUNs:
// what a journalled change costs besides the handler (its commit here is
// an in-memory map, so the figure is the server's own work).
func BenchmarkSANMutationDurable(b *testing.B) {
	s, err := server.New(memBackend(), &server.Options{Username: "u", Password: "p", ObjectJournal: &failingJournal{}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	if rec := serve(s, "POST", "/api/storage/volumes", `{"name":"v","svm.name":"svm0","aggregates.name":"aggr1","size":"1TB"}`); rec.Code != http.StatusAccepted {
		b.Fatalf("%d %s", rec.Code, rec.Body)
	}
	for i := range 1000 {
		body := fmt.Sprintf(`{"name":"/vol/v/l%04d","svm.name":"svm0","os_type":"linux","space.size":1048576}`, i)
		if rec := serve(s, "POST", "/api/storage/luns", body); rec.Code != http.StatusCreated {
			b.Fatalf("%d %s", rec.Code, rec.Body)
		}
	}
	rec := serve(s, "POST", "/api/protocols/san/igroups", `{"name":"g","os_type":"linux","svm.name":"svm0"}`)
	if rec.Code != http.StatusCreated {
		b.Fatalf("%d %s", rec.Code, rec.Body)
	}
	ig := rec.Header().Get("Location")
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n++
		if rec := serve(s, "PATCH", ig, fmt.Sprintf(`{"comment":"c%d"}`, n)); rec.Code != http.StatusOK {
			b.Fatal(rec.Code, rec.Body)
		}
	}
}
