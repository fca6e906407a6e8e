package ontaptest_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/nessie-go/nessie/ontaptest"
)

// TestAgainstONTAP is the README's ontaptest snippet, kept compiling and
// passing here (internal/readme checks the two agree).
func TestAgainstONTAP(t *testing.T) {
	srv := ontaptest.NewServer(t, nil) // HTTPS on 127.0.0.1:0 over a fresh mem backend
	req, err := http.NewRequest("GET", srv.URL+"/api/cluster?fields=version", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(srv.Username, srv.Password) // srv.Client sends no credentials by itself
	resp, err := srv.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var cluster struct {
		Version struct{ Full string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&cluster); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("%d %v", resp.StatusCode, err)
	}
	t.Log(cluster.Version.Full) // NetApp Release 9.16.1: ...
}
