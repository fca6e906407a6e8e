package daemon

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// connLimiter bounds the number of open connections without letting idle
// keep-alive connections lock new clients out. Every HTTP client library
// pools connections, so a fixture shared by many CI jobs reaches any fixed
// limit with sockets that are doing nothing; when that happens the limiter
// closes the connection that has been idle longest to make room, which is
// what the client's pool would see after an idle timeout anyway.
//
// The listener half counts connections; the ConnState half (installed as
// http.Server.ConnState) tells it which of them are idle.
type connLimiter struct {
	net.Listener
	slots chan struct{} // one token per open connection

	mu   sync.Mutex
	idle map[net.Conn]time.Time // idle since
}

// evictPoll is how often a full limiter with no idle connection looks again.
const evictPoll = 50 * time.Millisecond

func newConnLimiter(ln net.Listener, max int) *connLimiter {
	return &connLimiter{Listener: ln, slots: make(chan struct{}, max), idle: make(map[net.Conn]time.Time)}
}

// Accept waits for a free slot (evicting an idle connection if every slot
// is taken), then accepts.
func (l *connLimiter) Accept() (net.Conn, error) {
	for {
		select {
		case l.slots <- struct{}{}:
			c, err := l.Listener.Accept()
			if err != nil {
				<-l.slots
				return nil, err
			}
			return &limitedConn{Conn: c, release: l.release}, nil
		default:
		}
		if !l.evictIdle() {
			// Everything is busy: wait for a slot, or for a connection to go
			// idle so it can be evicted.
			t := time.NewTimer(evictPoll)
			select {
			case l.slots <- struct{}{}:
				t.Stop()
				<-l.slots // take it properly at the top of the loop
			case <-t.C:
			}
		}
	}
}

func (l *connLimiter) release() { <-l.slots }

// evictIdle closes the longest-idle connection and reports whether there was
// one. Its slot frees when the server notices the close.
func (l *connLimiter) evictIdle() bool {
	l.mu.Lock()
	var victim net.Conn
	var since time.Time
	for c, t := range l.idle {
		if victim == nil || t.Before(since) {
			victim, since = c, t
		}
	}
	if victim != nil {
		delete(l.idle, victim)
	}
	l.mu.Unlock()
	if victim == nil {
		return false
	}
	victim.Close()
	// Wait briefly for the slot, so one eviction is not followed by another
	// before the first has been accounted for.
	t := time.NewTimer(evictPoll)
	defer t.Stop()
	select {
	case l.slots <- struct{}{}:
		<-l.slots
	case <-t.C:
	}
	return true
}

// connState is installed as http.Server.ConnState.
func (l *connLimiter) connState(c net.Conn, s http.ConnState) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if s == http.StateIdle {
		l.idle[c] = time.Now()
	} else {
		delete(l.idle, c)
	}
}

type limitedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
