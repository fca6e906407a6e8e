package daemon

import (
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"
)

// serveLimited serves a trivial handler behind a connLimiter of size max
// and returns its URL and a counter of connections the server has seen.
func serveLimited(t *testing.T, max int, block <-chan struct{}) (string, *atomic.Int64) {
	return serveLimitedNotify(t, max, block, nil)
}

// serveLimitedNotify is serveLimited that also signals entered (if not
// nil) when a /block request has reached the handler.
func serveLimitedNotify(t *testing.T, max int, block <-chan struct{}, entered chan<- struct{}) (string, *atomic.Int64) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	lim := newConnLimiter(ln, max)
	var conns atomic.Int64
	hs := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/block" {
				if entered != nil {
					entered <- struct{}{}
				}
				<-block
			}
			io.WriteString(w, "ok")
		}),
		ConnState: func(c net.Conn, s http.ConnState) {
			if s == http.StateNew {
				conns.Add(1)
			}
			lim.connState(c, s)
		},
	}
	go hs.Serve(lim)
	t.Cleanup(func() { hs.Close() })
	return "http://" + ln.Addr().String(), &conns
}

func get(t *testing.T, c *http.Client, url string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

func TestConnLimiterEvictsIdleConnectionsForNewClients(t *testing.T) {
	url, conns := serveLimited(t, 2, nil)
	// Two clients with their own pools each leave one idle keep-alive
	// connection behind, filling every slot.
	for i := 0; i < 2; i++ {
		c := &http.Client{Transport: &http.Transport{}}
		t.Cleanup(c.CloseIdleConnections)
		get(t, c, url)
	}
	// A third client must still be served: an idle connection makes room.
	third := &http.Client{Transport: &http.Transport{}, Timeout: 10 * time.Second}
	t.Cleanup(third.CloseIdleConnections)
	get(t, third, url)
	if got := conns.Load(); got != 3 {
		t.Fatalf("server saw %d connections, want 3", got)
	}
}

func TestConnLimiterNeverExceedsTheLimitWithBusyConnections(t *testing.T) {
	block, entered := make(chan struct{}), make(chan struct{}, 1)
	url, conns := serveLimitedNotify(t, 1, block, entered)
	busy := &http.Client{Transport: &http.Transport{}}
	t.Cleanup(busy.CloseIdleConnections)
	done := make(chan struct{})
	go func() { defer close(done); get(t, busy, url+"/block") }()
	<-entered // the busy request holds the only slot
	second := &http.Client{Transport: &http.Transport{}}
	t.Cleanup(second.CloseIdleConnections)
	served := make(chan struct{})
	go func() { defer close(served); get(t, second, url) }()
	select {
	case <-served:
		t.Fatal("a second connection was served while the only slot was busy")
	case <-time.After(300 * time.Millisecond):
	}
	if got := conns.Load(); got != 1 {
		t.Fatalf("server accepted %d connections with a limit of 1", got)
	}
	close(block) // the busy request finishes and its connection goes idle
	<-done
	select {
	case <-served:
	case <-time.After(10 * time.Second):
		t.Fatal("the waiting client was not served after the slot freed")
	}
}
