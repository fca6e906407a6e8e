package server_test

import (
	"net/http"
	"testing"
)

func TestSmoke(t *testing.T) {
	a := newAPI(t)
	id := a.createVolume("vol1", nil)
	r := a.do("GET", "/api/storage/volumes/"+id, nil).must(t, http.StatusOK)
	t.Logf("%s", r.raw)
	r = a.do("GET", "/api/storage/volumes?fields=*,nas.path", nil).must(t, http.StatusOK)
	t.Logf("%s", r.raw)
	r = a.do("GET", "/api/cluster?fields=version", nil).must(t, http.StatusOK)
	t.Logf("%s", r.raw)
	r = a.do("GET", "/docs/api/swagger.yaml", nil).must(t, http.StatusOK)
	t.Logf("%d bytes", len(r.raw))
}
