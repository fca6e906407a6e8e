package daemon

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/nessie-go/nessie/server"
)

// HTTP server limits. WriteTimeout exceeds ONTAP's largest return_timeout
// (120 s), the longest a well-formed request may legitimately wait.
const (
	readTimeout  = 60 * time.Second
	writeTimeout = 150 * time.Second
	// The REST server answers headers over its own limit (64 KiB) with an
	// ONTAP envelope; net/http's limit sits above it, so only truly absurd
	// headers get net/http's plain-text 431.
	maxHeaderBytes = 1 << 20
)

// Ready describes a daemon that is accepting connections.
type Ready struct {
	// Addr is the bound address (the real port when Listen asked for 0).
	Addr net.Addr
	// URL is the base URL clients use, e.g. "https://127.0.0.1:8443". For
	// a wildcard listen address it names 127.0.0.1.
	URL string
	// CertSHA256 is the served certificate's SHA-256 fingerprint in hex;
	// empty for plain HTTP.
	CertSHA256 string
	// Identity is what discovery reports, UUIDs included.
	Identity server.Identity
	// DataDir is the data directory in use.
	DataDir string
}

// RunOptions are [Run]'s optional hooks; nil fields are ignored.
type RunOptions struct {
	// Ready is called once the listener is bound and before serving
	// starts; connections made meanwhile wait. It must not block long.
	Ready func(Ready)
	// Stdout, if set, receives a short human banner on start: the URL,
	// the credentials (the password only when it is the default) and a
	// curl command to try.
	Stdout io.Writer
	// Logger receives the daemon's and the server's logs; nil means
	// cfg.Logger(os.Stderr).
	Logger *slog.Logger

	// wrap, set by tests, wraps the REST server's handler.
	wrap func(http.Handler) http.Handler
	// wrapListener, set by tests, wraps the bound listener.
	wrapListener func(net.Listener) net.Listener
}

// Run validates cfg, prepares the data directory, identity and
// certificate, and serves the ONTAP REST API over the in-memory backend
// until ctx is cancelled. It then shuts down gracefully and returns nil,
// or an error if the daemon could not start, failed while serving, or
// in-flight requests outlived cfg.ShutdownTimeout. opts may be nil.
func Run(ctx context.Context, cfg Config, opts *RunOptions) error {
	if opts == nil {
		opts = &RunOptions{}
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	log := opts.Logger
	if log == nil {
		log = cfg.Logger(os.Stderr)
	}
	if cfg.DataDir == "" {
		d, err := DefaultDataDir(os.Getenv)
		if err != nil {
			return err
		}
		cfg.DataDir = d
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("creating data directory: %w", err)
	}

	id, created, err := loadOrCreateIdentity(cfg.DataDir, cfg)
	if err != nil {
		return err
	}
	if created {
		log.Info("minted cluster identity", "cluster_uuid", id.ClusterUUID, "svm_uuid", id.SVMUUID, "data_dir", cfg.DataDir)
	}

	listenHost, loopback, _ := parseListen(cfg.Listen) // validated above
	var tlsConfig *tls.Config
	var certSum string
	if !cfg.HTTP {
		var cert tls.Certificate
		if cfg.TLSCert != "" {
			cert, err = loadKeyPair(cfg.TLSCert, cfg.TLSKey, log)
		} else {
			cert, created, err = loadOrCreateCert(cfg.DataDir, certHosts(listenHost), time.Now(), log)
			if created {
				log.Info("minted self-signed TLS certificate", "dir", cfg.DataDir+string(os.PathSeparator)+tlsDir, "sha256", fingerprint(cert))
			}
		}
		if err != nil {
			return err
		}
		certSum = fingerprint(cert)
		tlsConfig = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
	} else if !loopback {
		log.Warn("serving plain HTTP beyond loopback: credentials cross the network in clear text", "listen", cfg.Listen)
	}

	store, durableStore, control, err := openStore(ctx, cfg, id, log)
	if err != nil {
		return err
	}
	var journal server.JobJournal
	var objects server.ObjectJournal
	if durableStore != nil {
		defer durableStore.Close()
		journal = newJobJournal(durableStore, jobTTL)
		objects = newObjectJournal(durableStore)
	}

	srv, err := server.New(store, &server.Options{
		Username:      cfg.Username,
		Password:      cfg.Password,
		Identity:      id,
		Version:       cfg.ONTAPVersion,
		Logger:        log,
		RelaxedNames:  cfg.RelaxedNames,
		ContractMode:  cfg.ContractMode,
		JobLatency:    cfg.JobLatency,
		Control:       control,
		JobJournal:    journal,
		ObjectJournal: objects,
	})
	if err != nil {
		return fmt.Errorf("starting REST server: %w", err)
	}
	defer srv.Close()
	gcCtx, stopGC := context.WithCancel(ctx)
	gcDone := make(chan struct{})
	go func() { defer close(gcDone); tuneGC(gcCtx) }()
	defer func() { stopGC(); <-gcDone }()

	var handler http.Handler = srv
	if opts.wrap != nil {
		handler = opts.wrap(handler)
	}
	hs := &http.Server{
		Handler:           handler,
		TLSConfig:         tlsConfig,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		// "OPTIONS *" would otherwise be answered before authentication.
		DisableGeneralOptionsHandler: true,
		ErrorLog:                     slog.NewLogLogger(log.Handler(), slog.LevelInfo),
	}

	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", cfg.Listen)
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("listen: %s is already in use (another nessie?); pick another address with --listen "+
			"(listen in the config file), e.g. --listen 127.0.0.1:0 for any free port: %w", cfg.Listen, err)
	}
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	if opts.wrapListener != nil {
		ln = opts.wrapListener(ln)
	}
	limiter := newConnLimiter(ln, cfg.MaxConnections)
	hs.ConnState = limiter.connState
	ln = limiter

	ready := Ready{
		Addr:       ln.Addr(),
		URL:        baseURL(ln.Addr(), !cfg.HTTP),
		CertSHA256: certSum,
		Identity:   id,
		DataDir:    cfg.DataDir,
	}
	log.Info("serving ONTAP REST API", "url", ready.URL, "addr", ready.Addr.String(), "ontap_version", cfg.ONTAPVersion, "cluster", id.ClusterName)
	if opts.Stdout != nil {
		printBanner(opts.Stdout, ready, cfg)
	}
	if opts.Ready != nil {
		opts.Ready(ready)
	}

	serveErr := make(chan error, 1)
	go func() {
		if tlsConfig != nil {
			serveErr <- hs.ServeTLS(ln, "", "")
		} else {
			serveErr <- hs.Serve(ln)
		}
	}()

	select {
	case err := <-serveErr:
		// Serve only returns on a listener failure here.
		hs.Close()
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}

	log.Info("shutting down: finishing in-flight requests", "timeout", cfg.ShutdownTimeout)
	shCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	err = hs.Shutdown(shCtx)
	if err != nil {
		hs.Close()
		err = fmt.Errorf("shutdown: requests still in flight after %v were cut off: %w", cfg.ShutdownTimeout, err)
	}
	if e := <-serveErr; !errors.Is(e, http.ErrServerClosed) && err == nil {
		err = fmt.Errorf("serving: %w", e)
	}
	log.Info("stopped")
	return err
}

// certHosts are the names a minted certificate covers: loopback in every
// spelling, this machine's host name and the listen host.
func certHosts(listenHost string) []string {
	hosts := []string{"localhost", "127.0.0.1", "::1"}
	if h, err := os.Hostname(); err == nil && h != "" && isHostname(h) {
		hosts = append(hosts, h)
	}
	if listenHost != "" {
		if a, err := netip.ParseAddr(listenHost); err != nil || !a.IsUnspecified() {
			hosts = append(hosts, listenHost)
		}
	}
	return hosts
}

// baseURL renders the URL a local client reaches addr at.
func baseURL(addr net.Addr, https bool) string {
	scheme := "http"
	if https {
		scheme = "https"
	}
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return scheme + "://" + addr.String()
	}
	if a, err := netip.ParseAddr(host); err == nil && a.IsUnspecified() {
		host = "127.0.0.1"
	}
	return scheme + "://" + net.JoinHostPort(host, port)
}

// printBanner tells a human how to reach the daemon. A password the user
// chose is not echoed: stdout often ends up in logs.
func printBanner(w io.Writer, r Ready, cfg Config) {
	pw, curlPW := "(as configured)", "PASSWORD"
	if cfg.Password == DefaultPassword {
		pw = DefaultPassword + "   (the default; set " + PasswordEnv + " to change it)"
		curlPW = DefaultPassword
	}
	k, tlsLine := "", "off (plain HTTP)"
	if !cfg.HTTP {
		k = "-k "
		tlsLine = "certificate SHA-256 " + r.CertSHA256
		if cfg.TLSCert == "" {
			tlsLine = "self-signed, SHA-256 " + r.CertSHA256 + " (clients: skip verification)"
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "nessie: serving the ONTAP REST API at %s\n", r.URL)
	fmt.Fprintf(&b, "  username: %s\n", cfg.Username)
	fmt.Fprintf(&b, "  password: %s\n", pw)
	fmt.Fprintf(&b, "  TLS:      %s\n", tlsLine)
	fmt.Fprintf(&b, "  cluster:  %s (%s), ONTAP %s\n", r.Identity.ClusterName, r.Identity.ClusterUUID, cfg.ONTAPVersion)
	fmt.Fprintf(&b, "  data dir: %s\n", r.DataDir)
	fmt.Fprintf(&b, "  try:      curl %s-u '%s:%s' %s/api/cluster\n", k, cfg.Username, curlPW, r.URL)
	io.WriteString(w, b.String())
}
