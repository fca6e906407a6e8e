package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/nessie-go/nessie/backend"
	"github.com/nessie-go/nessie/internal/text"
	"github.com/nessie-go/nessie/ontap"
	"github.com/nessie-go/nessie/ontap/schema"
)

// Identity is the cluster's persisted identity: the UUIDs and names of the
// one cluster, node, SVM, aggregate and data LIF the server presents.
type Identity = ontap.Identity

// NewIdentity mints a fresh identity: random UUIDs, a random node serial
// and default names (cluster "nessie", node "nessie-01", SVM "svm0",
// aggregate "aggr1", LIF "lif_data1" on 127.0.0.1).
func NewIdentity() Identity {
	u := uuid.New()
	serial := fmt.Sprintf("7%011d", (uint64(u[0])<<32|uint64(u[1])<<24|uint64(u[2])<<16|uint64(u[3])<<8|uint64(u[4]))%100000000000)
	return Identity{
		ClusterUUID:   uuid.NewString(),
		ClusterName:   "nessie",
		NodeUUID:      uuid.NewString(),
		NodeName:      "nessie-01",
		NodeSerial:    serial,
		SVMUUID:       uuid.NewString(),
		SVMName:       "svm0",
		AggregateUUID: uuid.NewString(),
		AggregateName: "aggr1",
		LIFUUID:       uuid.NewString(),
		LIFName:       "lif_data1",
		LIFAddress:    "127.0.0.1",
	}
}

// Options configure a Server. The zero value (and a nil *Options) is a
// server with ONTAP's default credentials and behaviour.
type Options struct {
	// Username and Password are the HTTP Basic credentials every request
	// must carry (compared in constant time); empty means
	// [DefaultUsername] and [DefaultPassword].
	Username, Password string
	// Identity is the cluster identity; the zero value means NewIdentity().
	Identity Identity
	// Version is the ONTAP version reported, e.g. "9.16.1" (default).
	// Trident uses REST by default only from 9.15.1 on.
	Version string
	// Logger receives one structured record per request; nil discards.
	Logger *slog.Logger
	// RelaxedNames turns off ONTAP's volume-name rules (letters, digits,
	// '_', starting with a letter or '_', at most 203 characters) at the
	// REST edge; the backend's own rules still apply.
	RelaxedNames bool
	// ContractMode serves the backend contract exactly where ONTAP is
	// stricter: any volume size, including 0 and unlimited (no size on
	// create, "size": null on PATCH), instead of ONTAP's 20 MB default and
	// minimum; snapshots of volumes that are not online; an empty export
	// policy read back as empty rather than "default"; a restore giving the
	// volume its snapshot's size (ONTAP keeps the larger). For running the
	// backend conformance suite over HTTP; ONTAP clients want the default
	// (false).
	ContractMode bool
	// JobTTL is how long a finished job stays queryable (default 300 s,
	// as ONTAP).
	JobTTL time.Duration
	// JobLatency delays every job's work by this long, during which the
	// job is "running" (fault injection; default 0: jobs finish before
	// the response is written).
	JobLatency time.Duration
	// MaxJobs caps the finished jobs kept; the oldest go first when it is
	// exceeded (default 100,000), so sustained load cannot exhaust memory.
	MaxJobs int
	// MaxBodyBytes limits request bodies (default 1 MiB).
	MaxBodyBytes int64
	// MaxHeaderBytes limits the request's header fields (names and values,
	// default 64 KiB); beyond it the answer is 431 in the ONTAP envelope.
	// An http.Server refuses headers over its own MaxHeaderBytes with a
	// plain-text 431 before any handler runs, so set that one higher.
	MaxHeaderBytes int
	// JobJournal, if set, keeps jobs across restarts (see JobJournal).
	JobJournal JobJournal
	// ObjectJournal, if set, keeps the ONTAP objects beyond volumes and
	// snapshots (export policies, qtrees, quota rules, ..., LUNs, igroups,
	// LUN maps, iSCSI, SVMs and LIFs) across restarts (see ObjectJournal).
	ObjectJournal ObjectJournal
	// Control hooks serve nessie's own endpoints under /nessie/v1/
	// (reset, state); unset hooks are not served.
	Control Control
}

// DefaultVersion is the ONTAP version reported when Options.Version is
// empty.
const DefaultVersion = "9.16.1"

// Default credentials, those of a fresh ONTAP simulator. The password is
// public knowledge: a server reachable beyond the local machine needs its
// own (the nessie daemon refuses to listen beyond loopback with it).
const (
	DefaultUsername = "admin"
	DefaultPassword = "netapp1!"
)

// Server is the ONTAP REST API over a backend. It is an http.Handler; the
// caller owns listeners and TLS.
type Server struct {
	b      backend.VolumeBackend
	snaps  backend.SnapshotBackend // nil if the backend lacks the tier
	clones backend.CloneBackend    // nil if the backend lacks the tier

	opts    Options
	id      ontap.Identity
	version *ontap.Version
	svmRef  *ontap.Ref
	volCtx  ontap.VolumeContext
	rules   ontap.VolumeRules
	user    [32]byte
	pass    [32]byte
	// authHeader is the SHA-256 of the canonical Authorization header
	// value ("Basic " and the base64 of user:password).
	authHeader [32]byte
	// clusterJSON is GET /api/cluster with no query, encoded once: the
	// record depends only on the identity and version, which never
	// change.
	clusterJSON rawJSON

	handler http.Handler
	routes  []route
	log     *slog.Logger
	jobs    *jobRegistry
	attrs   attrCache
	objects *objectStore // the objects beyond the storage contract
	lifs    lifStore     // the IP interfaces created through the API
	svms    svmStore     // the SVMs created through the API
	side    sideJournal  // what was last saved of svms and lifs
	// builtins are the built-in objects as seeded, which a reset without
	// Control.Objects returns to.
	builtins []ObjectRecord

	ctx       context.Context // cancelled by Close
	cancel    context.CancelFunc
	closeOnce sync.Once
	closeMu   sync.Mutex     // orders wg.Add in submit before Close's Wait
	closed    bool           // guarded by closeMu
	wg        sync.WaitGroup // delayed jobs and the reaper

	swaggerOnce sync.Once
	swagger     []byte
}

// New returns a server over b. It validates opts eagerly; nil opts means
// all defaults.
func New(b backend.VolumeBackend, opts *Options) (*Server, error) {
	if b == nil {
		return nil, errors.New("server: nil backend")
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Username == "" {
		o.Username = DefaultUsername
	}
	if o.Password == "" {
		o.Password = DefaultPassword
	}
	if o.Identity == (Identity{}) {
		o.Identity = NewIdentity()
	}
	if err := validateIdentity(&o.Identity); err != nil {
		return nil, err
	}
	if o.Version == "" {
		o.Version = DefaultVersion
	}
	v, err := ontap.ParseRESTVersion(o.Version)
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	switch {
	case o.JobTTL < 0:
		return nil, fmt.Errorf("server: JobTTL %v is negative", o.JobTTL)
	case o.JobTTL == 0:
		o.JobTTL = 300 * time.Second
	}
	if o.JobLatency < 0 {
		return nil, fmt.Errorf("server: JobLatency %v is negative", o.JobLatency)
	}
	switch {
	case o.MaxJobs < 0:
		return nil, fmt.Errorf("server: MaxJobs %d is negative", o.MaxJobs)
	case o.MaxJobs == 0:
		o.MaxJobs = 100_000
	}
	switch {
	case o.MaxBodyBytes < 0:
		return nil, fmt.Errorf("server: MaxBodyBytes %d is negative", o.MaxBodyBytes)
	case o.MaxBodyBytes == 0:
		o.MaxBodyBytes = 1 << 20
	}
	switch {
	case o.MaxHeaderBytes < 0:
		return nil, fmt.Errorf("server: MaxHeaderBytes %d is negative", o.MaxHeaderBytes)
	case o.MaxHeaderBytes == 0:
		o.MaxHeaderBytes = 64 << 10
	}
	caps := b.Capabilities(context.Background())
	if err := caps.Validate(); err != nil {
		return nil, fmt.Errorf("server: backend capabilities: %w", err)
	}
	s := &Server{
		b:          b,
		opts:       o,
		id:         o.Identity,
		version:    v,
		user:       sha256.Sum256([]byte(o.Username)),
		pass:       sha256.Sum256([]byte(o.Password)),
		authHeader: sha256.Sum256([]byte("Basic " + base64.StdEncoding.EncodeToString([]byte(o.Username+":"+o.Password)))),
		log:        o.Logger,
	}
	s.snaps, _ = b.(backend.SnapshotBackend)
	s.clones, _ = b.(backend.CloneBackend)
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.svmRef = s.id.SVMRef()
	s.volCtx = ontap.VolumeContext{SVM: s.svmRef, Aggregate: s.id.AggregateRef(), EmptyExportPolicy: ontap.DefaultExportPolicy, SVMs: s.otherSVMRef}
	if o.ContractMode {
		s.volCtx.EmptyExportPolicy = ""
	}
	s.rules = ontap.VolumeRules{SVMName: s.id.SVMName, SVMUUID: s.id.SVMUUID, AggregateName: s.id.AggregateName,
		AggregateUUID: s.id.AggregateUUID, RelaxedNames: o.RelaxedNames, ContractMode: o.ContractMode,
		OtherSVM: func(name, uuid string) bool { _, ok := s.findSVM(name, uuid); return ok }}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.jobs = newJobRegistry(o.JobTTL, o.MaxJobs, time.Now)
	if o.JobJournal != nil {
		s.jobs.record = s.recordJob
	}
	if err := s.restoreJobs(); err != nil {
		s.cancel()
		return nil, fmt.Errorf("server: restoring jobs: %w", err)
	}
	s.wg.Add(1)
	go s.jobs.reap(s.ctx, &s.wg)
	s.objects = newObjectStore(objectKinds...)
	s.objects.journal = o.ObjectJournal
	s.objects.view = s.view()
	s.seedObjects()
	s.lifs.lifs = map[string]ontap.IPInterface{}
	s.svms.svms = map[string]ontap.SVM{}
	s.builtins = s.objectRecords()
	if err := s.restoreObjects(); err != nil {
		s.cancel()
		s.wg.Wait()
		return nil, fmt.Errorf("server: restoring objects: %w", err)
	}
	s.handler = s.buildMux()
	if res, err := s.clusterResult(url.Values{}); err == nil {
		e := newEncoder()
		if e.enc.Encode(res.body) == nil {
			s.clusterJSON = e.buf.Bytes()
		}
	}
	return s, nil
}

func validateIdentity(id *Identity) error {
	for _, f := range []struct{ name, v string }{
		{"ClusterUUID", id.ClusterUUID}, {"NodeUUID", id.NodeUUID}, {"SVMUUID", id.SVMUUID},
		{"AggregateUUID", id.AggregateUUID}, {"LIFUUID", id.LIFUUID},
	} {
		if _, err := backend.ParseVolumeID(strings.ToLower(f.v)); err != nil {
			return fmt.Errorf("server: Identity.%s %q is not a UUID", f.name, f.v)
		}
	}
	for _, f := range []struct{ name, v string }{
		{"ClusterName", id.ClusterName}, {"NodeName", id.NodeName}, {"NodeSerial", id.NodeSerial},
		{"SVMName", id.SVMName}, {"AggregateName", id.AggregateName}, {"LIFName", id.LIFName}, {"LIFAddress", id.LIFAddress},
	} {
		if f.v == "" {
			return fmt.Errorf("server: Identity.%s is empty", f.name)
		}
	}
	id.ClusterUUID = strings.ToLower(id.ClusterUUID)
	id.NodeUUID = strings.ToLower(id.NodeUUID)
	id.SVMUUID = strings.ToLower(id.SVMUUID)
	id.AggregateUUID = strings.ToLower(id.AggregateUUID)
	id.LIFUUID = strings.ToLower(id.LIFUUID)
	return nil
}

// Identity returns the identity the server presents (minted by New if
// Options.Identity was zero), so a daemon can persist it.
func (s *Server) Identity() Identity { return s.id }

// ServeHTTP serves the ONTAP REST API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Close stops background work: the job reaper and jobs still waiting out
// JobLatency (they fail). It waits for them and is idempotent. It does not
// close the backend.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.closeMu.Lock()
		s.closed = true
		s.closeMu.Unlock()
		s.cancel()
		s.wg.Wait()
	})
	return nil
}

// ---- the adapter ----

// result is what a handler returns on success; the adapter encodes it.
type result struct {
	status   int
	body     any
	location string
}

type handlerFunc func(r *http.Request) (result, error)

var (
	hdrHAL      = []string{"application/hal+json"}
	hdrYAML     = []string{"application/yaml"}
	hdrNoCache  = []string{"no-cache,no-store,must-revalidate"}
	hdrNoSniff  = []string{"nosniff"}
	hdrAuthBase = []string{`Basic realm="ONTAP"`}
	encPool     = sync.Pool{New: func() any { return newEncoder() }}
)

// encoder is a response buffer with its JSON encoder, pooled together so a
// response allocates neither.
type encoder struct {
	buf bytes.Buffer
	enc *json.Encoder
}

func newEncoder() *encoder {
	e := &encoder{}
	e.enc = json.NewEncoder(&e.buf)
	e.enc.SetEscapeHTML(false)
	return e
}

// maxPooledBuf bounds the buffers returned to the pool, so one large
// listing does not pin its buffer for every later small response.
const maxPooledBuf = 4 << 20

// pageAppender is a collection page (ontap.Collection).
type pageAppender interface {
	ontap.JSONAppender
	Len() int
}

// bigPage is the page length from which writeJSON encodes into a buffer
// from bigBufs rather than encPool's.
const bigPage = 64

// bigBufs keeps a few buffers for long pages. They are kept apart from
// encPool for two reasons: a listing that took a small response's buffer
// grew it by repeated appends (then put it back to serve small responses),
// and a sync.Pool drops what it holds at every second collection, which a
// listing that allocates megabytes itself triggers, so a 1 MB listing
// buffer was regrown on most listings. A channel is not emptied by the
// collector; it holds at most cap(bigBufs) buffers of at most maxPooledBuf.
var bigBufs = make(chan []byte, 4)

// writeBig encodes a long page into a buffer from bigBufs and returns the
// buffer there once the body is written.
func writeBig(w http.ResponseWriter, status int, a pageAppender) {
	var buf []byte
	select {
	case buf = <-bigBufs:
	default:
	}
	b := append(a.AppendJSON(buf[:0]), '\n')
	writeBody(w, status, b)
	if cap(b) <= maxPooledBuf {
		select {
		case bigBufs <- b:
		default:
		}
	}
}

// rawJSON is a response body encoded in advance (a record that never
// changes); writeJSON sends it as is.
type rawJSON []byte

// adapt is the one place that writes responses: success bodies and, for
// every error, the ONTAP envelope.
func (s *Server) adapt(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		res, err := h(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if res.location != "" {
			w.Header()["Location"] = []string{res.location}
		}
		s.writeJSON(w, res.status, res.body)
	}
}

func (s *Server) writeJSON(w http.ResponseWriter, status int, body any) {
	if y, ok := body.(rawYAML); ok {
		h := w.Header()
		h["Content-Type"] = hdrYAML
		h["Content-Length"] = []string{strconv.Itoa(len(y))}
		w.WriteHeader(status)
		_, _ = w.Write(y)
		return
	}
	if raw, ok := body.(rawJSON); ok {
		writeBody(w, status, raw)
		return
	}
	if a, ok := body.(pageAppender); ok && a.Len() >= bigPage {
		writeBig(w, status, a)
		return
	}
	e := encPool.Get().(*encoder)
	e.buf.Reset()
	defer func() {
		if e.buf.Cap() <= maxPooledBuf {
			encPool.Put(e)
		}
	}()
	if a, ok := body.(ontap.JSONAppender); ok {
		// Records encode themselves; encoding/json would re-validate each.
		b := a.AppendJSON(e.buf.AvailableBuffer())
		e.buf.Write(append(b, '\n'))
		writeBody(w, status, e.buf.Bytes())
		return
	}
	if err := e.enc.Encode(body); err != nil {
		// A wire struct that cannot be encoded is a server bug.
		s.log.Error("encoding response", "err", err)
		e.buf.Reset()
		_ = e.enc.Encode(ontap.ErrorResponse{Error: ontap.Errorf(http.StatusInternalServerError, ontap.CodeJobFailed, "", "internal error encoding the response")})
		status = http.StatusInternalServerError
	}
	writeBody(w, status, e.buf.Bytes())
}

func writeBody(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h["Content-Type"] = hdrHAL
	h["Cache-Control"] = hdrNoCache
	h["X-Content-Type-Options"] = hdrNoSniff
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	e := ontap.FromBackend("", err)
	if e.Status >= 500 {
		s.log.LogAttrs(r.Context(), slog.LevelError, "request failed", slog.String("method", r.Method),
			slog.String("path", r.URL.Path), slog.String("err", err.Error()))
	}
	if e.Status == http.StatusRequestEntityTooLarge {
		s.refuseBody(w, r, e)
		return
	}
	s.writeJSON(w, e.Status, ontap.ErrorResponse{Error: e})
}

// Bounds on the request body read and thrown away after a 413.
const (
	drainBytes = 64 << 20
	drainTime  = 5 * time.Second
)

// refuseBody answers 413 and then reads and discards the rest of the body,
// up to drainBytes and for at most drainTime, before the connection is
// closed. Clients that send the whole body before reading the answer
// (Python's http.client and requests, with no Expect: 100-continue) would
// otherwise have their connection reset by the unread data and never see
// the 413. A client that sends more, or slower, is cut off as before.
func (s *Server) refuseBody(w http.ResponseWriter, r *http.Request, e *ontap.Error) {
	rc := http.NewResponseController(w)
	// Reading the request after writing the answer needs full duplex on
	// HTTP/1 (net/http would otherwise stop the body at the header);
	// HTTP/2 and test recorders need nothing and refuse it.
	duplex := rc.EnableFullDuplex() == nil
	w.Header()["Connection"] = []string{"close"}
	s.writeJSON(w, e.Status, ontap.ErrorResponse{Error: e})
	if !duplex || r.Body == nil {
		return
	}
	_ = rc.Flush()
	_ = rc.SetReadDeadline(time.Now().Add(drainTime))
	_, _ = io.CopyN(io.Discard, r.Body, drainBytes)
}

// ---- auth and logging ----

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// authorize checks the request's HTTP Basic credentials. When they fail
// it also says why (for the log line), and which user tried.
func (s *Server) authorize(r *http.Request) (ok bool, why, who string) {
	if s.canonicalAuthHeader(r) {
		return true, "", ""
	}
	user, pass, present := r.BasicAuth()
	if !present {
		if r.Header.Get("Authorization") == "" {
			return false, "no credentials", ""
		}
		return false, "not HTTP Basic credentials", ""
	}
	u := sha256.Sum256([]byte(user))
	p := sha256.Sum256([]byte(pass))
	// Both comparisons always run, so timing reveals neither.
	if subtle.ConstantTimeCompare(u[:], s.user[:])&subtle.ConstantTimeCompare(p[:], s.pass[:]) == 1 {
		return true, "", ""
	}
	return false, "wrong username or password", user
}

// canonicalAuthHeader is authorize's fast path: the header exactly as Go,
// curl, Python and Ansible spell it, checked with one hash and one
// constant-time comparison instead of decoding it and hashing both
// halves. Anything else (another spelling, wrong credentials) takes the
// full check.
func (s *Server) canonicalAuthHeader(r *http.Request) bool {
	h := r.Header["Authorization"]
	if len(h) != 1 {
		return false
	}
	sum := sha256.Sum256([]byte(h[0]))
	return subtle.ConstantTimeCompare(sum[:], s.authHeader[:]) == 1
}

func (s *Server) front(mux http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		logging := s.log.Enabled(r.Context(), slog.LevelInfo)
		var start time.Time
		var sw *statusWriter
		if logging {
			// Only a logged request pays for counting what it wrote.
			start = time.Now()
			sw = &statusWriter{ResponseWriter: w}
			w = sw
		}
		defer func() {
			// A panic is a server bug; still answer with the envelope
			// rather than dropping the connection.
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.LogAttrs(r.Context(), slog.LevelError, "handler panic", slog.String("method", r.Method),
					slog.String("path", r.URL.Path), slog.Any("panic", v))
				s.writeJSON(w, http.StatusInternalServerError, ontap.ErrorResponse{Error: ontap.Errorf(http.StatusInternalServerError,
					ontap.CodeJobFailed, "", "internal error")})
			}
		}()
		authOK, authWhy, authWho := s.authorize(r)
		switch {
		case !authOK:
			w.Header()["Www-Authenticate"] = hdrAuthBase
			s.writeJSON(w, http.StatusUnauthorized, ontap.ErrorResponse{Error: ontap.Errorf(http.StatusUnauthorized, ontap.CodePermissionDenied, "",
				"User is not authorized: the request lacks valid HTTP Basic credentials.")})
		case headerBytes(r.Header, s.opts.MaxHeaderBytes) > s.opts.MaxHeaderBytes:
			s.writeJSON(w, http.StatusRequestHeaderFieldsTooLarge, ontap.ErrorResponse{Error: ontap.Errorf(http.StatusRequestHeaderFieldsTooLarge,
				ontap.CodeInvalidValue, "", "The request header fields exceed the limit of %d bytes.", s.opts.MaxHeaderBytes)})
		case !cleanPath(r.URL.Path):
			// ServeMux would redirect; ONTAP knows no such API.
			s.writeJSON(w, http.StatusNotFound, ontap.ErrorResponse{Error: ontap.Errorf(http.StatusNotFound, ontap.CodeNotFound, "",
				"API not found: %q.", text.Truncate(r.URL.Path, 200))})
		case !validQuery(r.URL.RawQuery):
			// url.Values silently drops malformed pairs: a bulk DELETE with
			// "name=x;y" would lose its name filter and match more.
			_, err := url.ParseQuery(r.URL.RawQuery)
			s.writeJSON(w, http.StatusBadRequest, ontap.ErrorResponse{Error: ontap.Errorf(http.StatusBadRequest, ontap.CodeInvalidValue, "query",
				"The query string is malformed: %s.", text.Truncate(err.Error(), 200))})
		default:
			mux.ServeHTTP(w, r)
		}
		if logging {
			attrs := []slog.Attr{
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.Int("status", sw.status),
				slog.Int("bytes", sw.bytes),
				slog.Duration("duration", time.Since(start)),
				slog.String("remote", r.RemoteAddr),
			}
			if r.URL.RawQuery != "" {
				attrs = append(attrs, slog.String("query", r.URL.RawQuery))
			}
			if app := r.Header.Get("X-Dot-Client-App"); app != "" {
				attrs = append(attrs, slog.String("client_app", app))
			} else if ua := r.UserAgent(); ua != "" {
				attrs = append(attrs, slog.String("user_agent", ua))
			}
			msg := "request"
			if !authOK {
				// Say why, and who tried (never the password).
				msg = "request refused: authentication failed"
				attrs = append(attrs, slog.String("auth_error", authWhy))
				if authWho != "" {
					attrs = append(attrs, slog.String("user", text.Truncate(authWho, 64)))
				}
			}
			s.log.LogAttrs(r.Context(), slog.LevelInfo, msg, attrs...)
		}
	})
}

// cleanPath reports whether p is absolute and has no empty, "." or ".."
// segments (a trailing slash is allowed).
func cleanPath(p string) bool {
	if p == "/" {
		return true
	}
	if p == "" || p[0] != '/' {
		return false
	}
	rest := strings.TrimSuffix(p[1:], "/")
	for seg := range strings.SplitSeq(rest, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
	}
	return true
}

// headerBytes sums the header's names and values, stopping once past
// limit.
func headerBytes(h http.Header, limit int) int {
	n := 0
	for k, vs := range h {
		for _, v := range vs {
			n += len(k) + len(v) + 4 // ": " and CRLF
		}
		if n > limit {
			break
		}
	}
	return n
}

// validQuery reports whether raw parses with no pair dropped.
func validQuery(raw string) bool {
	if raw == "" {
		return true
	}
	_, err := url.ParseQuery(raw)
	return err == nil
}

// ---- request helpers ----

// readBody reads a JSON request body within the size limit. An absent or
// JSON content type is accepted, and so is curl's default form type
// (ONTAP's own curl examples send JSON that way); others are refused.
func (s *Server) readBody(r *http.Request) ([]byte, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || !(mt == "application/json" || mt == "application/hal+json" ||
			strings.HasSuffix(mt, "+json") || mt == "application/x-www-form-urlencoded" || mt == "text/json") {
			return nil, ontap.Errorf(http.StatusUnsupportedMediaType, ontap.CodeInvalidValue, "Content-Type",
				"Content type %q is not supported: send the body as application/json.", text.Truncate(ct, 64))
		}
	}
	if r.ContentLength > s.opts.MaxBodyBytes {
		// Refuse before reading: a client that declares a huge body need
		// not send it for us to know the answer.
		return nil, ontap.Errorf(http.StatusRequestEntityTooLarge, ontap.CodeInvalidValue, "body",
			"The request body exceeds the limit of %d bytes.", s.opts.MaxBodyBytes)
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, s.opts.MaxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, ontap.Errorf(http.StatusRequestEntityTooLarge, ontap.CodeInvalidValue, "body",
				"The request body exceeds the limit of %d bytes.", s.opts.MaxBodyBytes)
		}
		return nil, ontap.Errorf(http.StatusBadRequest, ontap.CodeInvalidValue, "body", "The request body could not be read: %v", err)
	}
	return body, nil
}

// decodeBody reads r's body and decodes it as wire record T for operation
// op (schema.Post or schema.Patch), honouring the query's
// ignore_unknown_fields; nulls, if not nil, collects the paths the
// body sets to null.
func decodeBody[T any](s *Server, r *http.Request, q *ontap.Query, op schema.Flag, nulls *[]string) (*T, []string, error) {
	body, err := s.readBody(r)
	if err != nil {
		return nil, nil, err
	}
	return ontap.Decode[T](body, ontap.DecodeOptions{IgnoreUnknownFields: q.IgnoreUnknownFields, Nulls: nulls, Op: op})
}

// pathUUID returns the UUID path wildcard name, lower-cased. A value that
// is not a UUID gets ONTAP's answer: 404, code 2, naming the field.
func pathUUID(r *http.Request, name, target string) (string, error) {
	v := r.PathValue(name)
	if _, err := backend.ParseVolumeID(v); err != nil {
		return "", ontap.ErrInvalidUUID(target, v)
	}
	return strings.ToLower(v), nil
}
