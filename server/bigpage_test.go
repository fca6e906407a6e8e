package server_test

import (
	"bytes"
	"fmt"
	"net/http"
	"sync"
	"testing"
)

// Long pages are encoded into buffers that are reused between requests;
// concurrent listings of different lengths must each get their own whole
// body, the same bytes as when listed alone.
func TestLongPagesReuseBuffers(t *testing.T) {
	a := newAPI(t)
	for i := range 130 {
		a.createVolume(fmt.Sprintf("page%03d", i), nil)
	}
	paths := []string{
		"/api/storage/volumes?fields=*",
		"/api/storage/volumes?max_records=70",
		"/api/storage/volumes?fields=name,size&max_records=100",
		"/api/storage/volumes?max_records=10", // below the long-page threshold
	}
	want := make([][]byte, len(paths))
	for i, p := range paths {
		want[i] = a.do("GET", p, nil).must(t, http.StatusOK).raw
	}
	for i, n := range []int{130, 70, 100, 10} {
		r := a.do("GET", paths[i], nil)
		if got := r.get("num_records"); got != float64(n) {
			t.Fatalf("%s: num_records %v, want %d", paths[i], got, n)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := range 8 {
		wg.Go(func() {
			for k := range 6 {
				i := (g + k) % len(paths)
				if got := a.do("GET", paths[i], nil).raw; !bytes.Equal(got, want[i]) {
					errs <- fmt.Sprintf("%s: body differs from the same listing alone (%d bytes, want %d)", paths[i], len(got), len(want[i]))
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
