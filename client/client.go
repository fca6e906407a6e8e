package client

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/nessie-go/nessie/backend"
)

// Defaults for the zero values of [Options].
const (
	DefaultPollInterval = 250 * time.Millisecond
	DefaultPollTimeout  = 2 * time.Minute
	DefaultUserAgent    = "nessie-go-client/1"
)

// maxBody bounds how much of a response the client reads, so a broken or
// hostile server cannot exhaust memory.
const maxBody = 64 << 20

// maxPages bounds how many pages a list follows before it gives up on a
// server whose next links never end.
const maxPages = 100_000

// Options configures a [Client]. The zero value (or nil) is usable against
// a server that needs no credentials and has exactly one SVM.
type Options struct {
	// Username and Password are sent with HTTP Basic authentication on
	// every request when Username is non-empty.
	Username, Password string

	// HTTPClient sends the requests. Nil means a client with connect,
	// TLS-handshake and response-header timeouts and the system's roots.
	// A client of your own must allow a response to take more than 30 s:
	// creates ask the server to hold the answer that long for the job.
	// To reach a server with a self-signed certificate, pass a client
	// that trusts it (ontaptest.Server.Client does), or set
	// InsecureSkipVerify.
	HTTPClient *http.Client

	// InsecureSkipVerify makes the default HTTP client accept any server
	// certificate, as Trident does by default for ONTAP's self-signed
	// ones. It cannot be combined with HTTPClient.
	InsecureSkipVerify bool

	// SVM is the name of the SVM whose volumes the client lists and in
	// which it creates volumes. Empty means: discover the cluster's only
	// data SVM (it is an error if there is not exactly one).
	SVM string

	// PollInterval is the pause between two polls of a running job; the
	// first poll is immediate. Zero means DefaultPollInterval.
	PollInterval time.Duration

	// PollTimeout bounds how long one job is waited for; the operation
	// then fails with an internal error, although the job may still
	// finish. Zero means DefaultPollTimeout.
	PollTimeout time.Duration

	// MaxRecords, if positive, asks the server for at most that many
	// records per page of a list; the client follows the pages to the
	// end either way.
	MaxRecords int

	// UserAgent is sent as User-Agent and as X-Dot-Client-App, the header
	// ONTAP records to tell its clients apart. Empty means
	// DefaultUserAgent.
	UserAgent string
}

// Client is a [backend.CloneBackend] served by an ONTAP REST endpoint: a
// nessie daemon, an ontaptest server or a real ONTAP cluster. It is safe
// for concurrent use.
type Client struct {
	base         *url.URL // scheme and host; path "" (the API lives under /api)
	http         *http.Client
	username     string
	password     string
	svmName      string
	pollInterval time.Duration
	pollTimeout  time.Duration
	maxRecords   int
	userAgent    string

	envSem chan struct{}               // one discovery at a time; a channel so waiters honour ctx
	env    atomic.Pointer[environment] // set once discovery succeeds
}

// environment is what the client learns about the cluster once: the SVM it
// works in and an aggregate to place new volumes on.
type environment struct {
	svm       wireRef
	aggregate string
}

var _ backend.CloneBackend = (*Client)(nil)

// New returns a client for the ONTAP REST API at baseURL, the management
// address with or without the trailing "/api" (e.g.
// "https://127.0.0.1:8443"). Options are checked here; nothing is sent to
// the server until the first call.
func New(baseURL string, opts *Options) (*Client, error) {
	if opts == nil {
		opts = &Options{}
	}
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("client: bad base URL: %w", err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("client: base URL %q must use http or https", baseURL)
	case u.Host == "":
		return nil, fmt.Errorf("client: base URL %q has no host", baseURL)
	case u.User != nil:
		return nil, errors.New("client: put credentials in Options, not in the base URL")
	case u.RawQuery != "" || u.Fragment != "":
		return nil, fmt.Errorf("client: base URL %q must not have a query or fragment", baseURL)
	}
	path := strings.TrimSuffix(u.Path, "/")
	path = strings.TrimSuffix(path, "/api")
	if path != "" {
		return nil, fmt.Errorf("client: base URL %q must name the host, optionally followed by /api", baseURL)
	}
	switch {
	case opts.PollInterval < 0:
		return nil, errors.New("client: PollInterval must not be negative")
	case opts.PollTimeout < 0:
		return nil, errors.New("client: PollTimeout must not be negative")
	case opts.MaxRecords < 0:
		return nil, errors.New("client: MaxRecords must not be negative")
	case opts.HTTPClient != nil && opts.InsecureSkipVerify:
		return nil, errors.New("client: InsecureSkipVerify applies to the default HTTP client only; configure HTTPClient yourself")
	case opts.Password != "" && opts.Username == "":
		return nil, errors.New("client: Password given without Username")
	}
	c := &Client{
		base:         &url.URL{Scheme: u.Scheme, Host: u.Host},
		http:         opts.HTTPClient,
		username:     opts.Username,
		password:     opts.Password,
		svmName:      opts.SVM,
		pollInterval: cmp(opts.PollInterval, DefaultPollInterval),
		pollTimeout:  cmp(opts.PollTimeout, DefaultPollTimeout),
		maxRecords:   opts.MaxRecords,
		userAgent:    opts.UserAgent,
		envSem:       make(chan struct{}, 1),
	}
	if c.userAgent == "" {
		c.userAgent = DefaultUserAgent
	}
	if c.http == nil {
		c.http = defaultHTTPClient(opts.InsecureSkipVerify)
	}
	return c, nil
}

func cmp(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

func defaultHTTPClient(insecure bool) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	t.TLSHandshakeTimeout = 10 * time.Second
	t.ResponseHeaderTimeout = 2 * time.Minute
	if insecure {
		t.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // opted into by the caller
	}
	return &http.Client{
		Transport: t,
		// A redirected POST would be replayed as a GET; report it instead.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Capabilities reports snapshots and clones: the ONTAP REST API has both,
// and this client implements exactly the CloneBackend tier. Replication
// (SnapMirror) is not implemented.
func (c *Client) Capabilities(context.Context) backend.Capabilities {
	return backend.Capabilities{Snapshots: true, Clones: true}
}

// response is a read HTTP response.
type response struct {
	method, path string
	status       int
	header       http.Header
	body         []byte
}

// apiError describes a non-2xx response. A body that is not an ONTAP error
// envelope is quoted so the cause shows what the server sent.
func (r *response) apiError() *APIError {
	e := &APIError{Method: r.method, Path: r.path, StatusCode: r.status}
	var env errorEnvelope
	if err := json.Unmarshal(r.body, &env); err == nil && env.Error != nil {
		e.Code = string(env.Error.Code)
		e.Message = env.Error.Message
		e.Target = env.Error.Target
		return e
	}
	e.Message = "unexpected response " + excerpt(r.body)
	return e
}

// decode reads a 2xx JSON body into out.
func (r *response) decode(out any) error {
	if err := json.Unmarshal(r.body, out); err != nil {
		return &APIError{Method: r.method, Path: r.path, StatusCode: r.status,
			Message: fmt.Sprintf("undecodable response (%v): %s", err, excerpt(r.body))}
	}
	return nil
}

// send performs one request. ref is an API reference: a path such as
// "/api/storage/volumes", possibly with a query, or a link the server
// returned. A non-nil body is sent as JSON. Any HTTP status is returned as a
// response; err is ctx.Err() if the context ended, else a transport or
// protocol failure (wrap it as internal).
func (c *Client) send(ctx context.Context, method, ref string, query url.Values, body any) (*response, error) {
	u, err := c.resolve(ref)
	if err != nil {
		return nil, err
	}
	if len(query) > 0 {
		q := u.Query()
		for k, vs := range query {
			q[k] = vs
		}
		// ONTAP wants spaces in query values as %20, not '+'.
		u.RawQuery = strings.ReplaceAll(q.Encode(), "+", "%20")
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("encoding %s %s: %w", method, u.Path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/hal+json, application/json")
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("X-Dot-Client-App", c.userAgent)
	if c.username != "" {
		req.SetBasicAuth(c.username, c.password)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &APIError{Method: method, Path: u.Path, Message: err.Error()}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &APIError{Method: method, Path: u.Path, StatusCode: resp.StatusCode, Message: "reading the response: " + err.Error()}
	}
	if len(b) > maxBody {
		return nil, &APIError{Method: method, Path: u.Path, StatusCode: resp.StatusCode, Message: fmt.Sprintf("response larger than %d bytes", maxBody)}
	}
	return &response{method: method, path: u.Path, status: resp.StatusCode, header: resp.Header, body: b}, nil
}

// resolve turns an API reference into an absolute URL on the client's
// server. A link naming another host is refused: following it would send
// the credentials elsewhere.
func (c *Client) resolve(ref string) (*url.URL, error) {
	r, err := url.Parse(ref)
	if err != nil {
		return nil, fmt.Errorf("bad link %q from server: %w", ref, err)
	}
	u := c.base.ResolveReference(r)
	if u.Scheme != c.base.Scheme || u.Host != c.base.Host {
		return nil, fmt.Errorf("link %q leaves the server %s", ref, c.base.Host)
	}
	if !strings.HasPrefix(u.Path, "/api/") {
		return nil, fmt.Errorf("link %q is not under /api/", ref)
	}
	return u, nil
}

// get performs a GET and decodes a 200 answer into out. Failures are
// returned as the send errors (ctx.Err(), *APIError, other) for the caller
// to wrap; a non-2xx status is an *APIError.
func (c *Client) get(ctx context.Context, ref string, query url.Values, out any) error {
	r, err := c.send(ctx, http.MethodGet, ref, query, nil)
	if err != nil {
		return err
	}
	if r.status/100 != 2 {
		return r.apiError()
	}
	return r.decode(out)
}

// list GETs a collection and follows _links.next to the end.
func list[T any](ctx context.Context, c *Client, ref string, query url.Values) ([]T, error) {
	if query == nil {
		query = url.Values{}
	}
	if c.maxRecords > 0 {
		query.Set("max_records", fmt.Sprint(c.maxRecords))
	}
	var all []T
	seen := make(map[string]bool)
	for page := 0; ; page++ {
		if page == maxPages {
			return nil, fmt.Errorf("GET %s: more than %d pages", ref, maxPages)
		}
		var col collection[T]
		if err := c.get(ctx, ref, query, &col); err != nil {
			return nil, err
		}
		all = append(all, col.Records...)
		if col.Links.Next == nil || col.Links.Next.Href == "" {
			return all, nil
		}
		next := col.Links.Next.Href
		if seen[next] {
			return nil, fmt.Errorf("GET %s: next link %q repeats", ref, next)
		}
		seen[next] = true
		// The next link carries the full query (fields, filters and the
		// start key); re-adding ours would duplicate it.
		ref, query = next, nil
	}
}

// internalError marks a failure that is the server's or the transport's
// whatever status codes it quotes: a job that cannot be polled, a broken
// link, a discovery that finds no SVM.
type internalError struct{ err error }

func (e *internalError) Error() string { return e.err.Error() }
func (e *internalError) Unwrap() error { return e.err }

// fail wraps any failure of a call for the caller: context errors pass
// through unwrapped; a 4xx answer or a failed job is classified by its
// ONTAP code; everything else (5xx, 3xx, undecodable bodies, transport
// failures) is internal.
func (c *Client) fail(ctx context.Context, s subject, err error) error {
	if err == nil {
		return nil
	}
	var (
		ie *internalError
		ae *APIError
	)
	if _, ok := err.(*backend.Error); ok {
		return err // already wrapped, by a helper of this call
	}
	switch {
	case errors.As(err, &ie):
		return s.errorOf(backend.KindInternal, s.resource, ie.err)
	case errors.As(err, &ae):
		if ae.Job == "" && ae.StatusCode/100 != 4 {
			return s.errorOf(backend.KindInternal, s.resource, ae)
		}
		kind := kindOf(s.ontapOp, ae)
		switch {
		case kind != backend.KindNotFound:
			return s.errorOf(kind, s.resource, ae)
		case s.volume == nil || aboutCluster(ae):
			// Nothing the caller named is missing, but the SVM or
			// aggregate the client chose: the server's problem.
			return s.errorOf(backend.KindInternal, s.resource, ae)
		}
		return s.errorOf(kind, c.missing(ctx, s, ae), ae)
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return err
	}
	return s.errorOf(backend.KindInternal, s.resource, err)
}

// missing decides which resource a not-found is about. An operation that
// addresses no snapshot can only miss its volume. One that addresses both
// trusts ONTAP's code or target, and when those are silent asks whether
// the volume exists.
func (c *Client) missing(ctx context.Context, s subject, e *APIError) backend.Resource {
	if s.snapshot == nil {
		return backend.ResourceVolume
	}
	if res, ok := missingResource(e); ok {
		return res
	}
	var v wireRef
	err := c.get(ctx, volumePath(*s.volume), url.Values{"fields": {"uuid"}}, &v)
	var ae *APIError
	if errors.As(err, &ae) && ae.StatusCode == http.StatusNotFound {
		return backend.ResourceVolume
	}
	return backend.ResourceSnapshot
}

// environment discovers, once, the SVM and an aggregate. A failure is not
// remembered, so a later call retries.
func (c *Client) environment(ctx context.Context) (*environment, error) {
	env, err := c.discover(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		// Whatever discovery met (even a 404), it is no fault of the
		// caller's arguments.
		return nil, &internalError{fmt.Errorf("discovering the SVM on %s: %w", c.base.Host, err)}
	}
	return env, nil
}

func (c *Client) discover(ctx context.Context) (*environment, error) {
	if env := c.env.Load(); env != nil {
		return env, nil
	}
	select {
	case c.envSem <- struct{}{}:
		defer func() { <-c.envSem }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if env := c.env.Load(); env != nil {
		return env, nil
	}
	q := url.Values{"fields": {"uuid,name,aggregates"}}
	if c.svmName != "" {
		q.Set("name", c.svmName)
	}
	svms, err := list[wireSVM](ctx, c, "/api/svm/svms", q)
	if err != nil {
		return nil, err
	}
	if c.svmName != "" {
		svms = filter(svms, func(s wireSVM) bool { return s.Name == c.svmName })
	}
	switch {
	case len(svms) == 0 && c.svmName != "":
		return nil, fmt.Errorf("no SVM named %q", c.svmName)
	case len(svms) == 0:
		return nil, errors.New("the cluster has no SVM")
	case len(svms) > 1:
		return nil, fmt.Errorf("%d SVMs; choose one with Options.SVM", len(svms))
	}
	svm := svms[0]
	if svm.UUID == "" || svm.Name == "" {
		return nil, errors.New("SVM record without uuid or name")
	}
	env := &environment{svm: wireRef{Name: svm.Name, UUID: svm.UUID}}
	if len(svm.Aggregates) > 0 {
		env.aggregate = svm.Aggregates[0].Name
	} else {
		aggrs, err := list[wireRef](ctx, c, "/api/storage/aggregates", url.Values{"fields": {"name"}})
		if err != nil {
			return nil, err
		}
		if len(aggrs) == 0 || aggrs[0].Name == "" {
			return nil, fmt.Errorf("SVM %s has no aggregates and the cluster lists none", svm.Name)
		}
		env.aggregate = aggrs[0].Name
	}
	c.env.Store(env)
	return env, nil
}

func filter[T any](xs []T, keep func(T) bool) []T {
	var out []T
	for _, x := range xs {
		if keep(x) {
			out = append(out, x)
		}
	}
	return out
}

// listAttempts bounds how often a self-contradictory listing is read again.
const listAttempts = 5

// keyed is a wire record with an identity and a name that a consistent
// listing never repeats.
type keyed interface {
	key() (uuid, name string)
}

func (w *wireVolume) key() (string, string)   { return w.UUID, w.Name }
func (w *wireSnapshot) key() (string, string) { return w.UUID, w.Name }

// listConsistent lists a collection like list, but reads it again when the
// pages contradict each other: ONTAP pages are not one atomic read, so a
// rename or a delete-and-recreate between two pages can show one object
// twice, or two objects under one name. After listAttempts tries it returns
// the last listing with repeated UUIDs dropped.
func listConsistent[T any, P interface {
	*T
	keyed
}](ctx context.Context, c *Client, ref string, query url.Values) ([]T, error) {
	var recs []T
	for range listAttempts {
		var err error
		if recs, err = list[T](ctx, c, ref, query); err != nil {
			return nil, err
		}
		if consistent[T, P](recs) {
			return recs, nil
		}
	}
	seen := make(map[string]bool, len(recs))
	out := recs[:0]
	for i := range recs {
		id, _ := P(&recs[i]).key()
		if !seen[id] {
			seen[id] = true
			out = append(out, recs[i])
		}
	}
	return out, nil
}

func consistent[T any, P interface {
	*T
	keyed
}](recs []T) bool {
	ids := make(map[string]bool, len(recs))
	names := make(map[string]bool, len(recs))
	for i := range recs {
		id, name := P(&recs[i]).key()
		if ids[id] || names[name] {
			return false
		}
		ids[id], names[name] = true, true
	}
	return true
}
