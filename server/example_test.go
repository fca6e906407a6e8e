package server_test

import (
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/nessie-go/nessie/backend/mem"
	"github.com/nessie-go/nessie/server"
)

// The server is an http.Handler over any backend: put it behind your own
// listener and TLS, or call it directly as here. nil options mean ONTAP's
// defaults, including the admin / netapp1! credentials.
func Example() {
	api, err := server.New(mem.New(nil), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer api.Close()

	req := httptest.NewRequest("GET", "/api/cluster?fields=name,version", nil)
	req.SetBasicAuth(server.DefaultUsername, server.DefaultPassword)
	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, req)

	var cluster struct {
		Name    string
		Version struct{ Generation, Major, Minor int }
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &cluster); err != nil {
		log.Fatal(err)
	}
	fmt.Println(rec.Code, cluster.Name, cluster.Version.Generation, cluster.Version.Major, cluster.Version.Minor)

	// Without credentials: ONTAP's 401 envelope.
	rec = httptest.NewRecorder()
	api.ServeHTTP(rec, httptest.NewRequest("GET", "/api/cluster", nil))
	fmt.Println(rec.Code, http.StatusText(rec.Code))
	// Output:
	// 200 nessie 9 16 1
	// 401 Unauthorized
}
