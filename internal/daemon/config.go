package daemon

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/nessie-go/nessie/ontap"
	"github.com/nessie-go/nessie/server"
)

// Defaults for [Config]. DefaultPassword is public knowledge, which is why
// the daemon refuses to listen beyond loopback while it is in use.
const (
	DefaultListen          = "127.0.0.1:8443"
	DefaultUsername        = server.DefaultUsername
	DefaultPassword        = server.DefaultPassword
	DefaultClusterName     = "nessie"
	DefaultNodeName        = "nessie-01"
	DefaultSVMName         = "svm0"
	DefaultAggregateName   = "aggr1"
	DefaultDataLIF         = "127.0.0.1"
	DefaultONTAPVersion    = "9.16.1"
	DefaultMaxConnections  = 256
	DefaultShutdownTimeout = 10 * time.Second
	// DefaultReadHeaderTimeout bounds how long a client may take to send
	// its request headers (slow-client protection).
	DefaultReadHeaderTimeout = 10 * time.Second
	// DefaultIdleTimeout is how long a keep-alive connection may sit idle.
	DefaultIdleTimeout = 30 * time.Second
)

// Bounds enforced by [Config.Validate].
const (
	MaxJobLatency      = 10 * time.Minute
	MaxShutdownTimeout = 10 * time.Minute
	MaxClientTimeout   = 10 * time.Minute
	MaxMaxConnections  = 65536
)

// PasswordEnv is the environment variable the nessie command reads the
// admin password from; it keeps the secret out of files and process lists.
const PasswordEnv = "NESSIE_ADMIN_PASSWORD"

// wellKnownPasswords may not guard a listener beyond loopback: ours, and
// nessie-store's default (its config files carry it).
var wellKnownPasswords = []string{DefaultPassword, "admin"}

// LogFormat selects the slog handler the daemon logs with.
type LogFormat string

// The log formats.
const (
	LogText LogFormat = "text"
	LogJSON LogFormat = "json"
)

// Config is everything the daemon needs to run. Build it with
// [DefaultConfig] and change fields; [Run] validates it first. The comment
// on each field names its TOML key.
type Config struct {
	// Listen is the TCP address to serve on (listen). Port 0 picks a free
	// port; [Ready] reports the one bound. A host other than a loopback
	// address or "localhost" (including an empty host: all interfaces)
	// requires a password that is not well known.
	Listen string
	// HTTP serves plain HTTP instead of HTTPS (http).
	HTTP bool
	// TLSCert and TLSKey are PEM files to serve instead of the persisted
	// self-signed certificate (tls_cert, tls_key). Set both or neither.
	TLSCert, TLSKey string
	// DataDir holds identity.json and tls/ (data_dir). Empty means
	// [DefaultDataDir] of the process environment.
	DataDir string
	// Store chooses where volumes live (store): [StoreMemory] or
	// [StoreDurable] (DataDir/state.db).
	Store StoreKind
	// Load is a fixture file to start from (load); empty means start
	// from what the store holds (nothing, in memory). POST
	// /nessie/v1/reset returns to it.
	Load string
	// Username and Password are the HTTP Basic credentials every request
	// must carry (admin_username, admin_password).
	Username, Password string
	// ClusterName, NodeName, SVMName and AggregateName are what discovery
	// reports (cluster_name, node_name, svm_name, aggregate_name). Their
	// UUIDs are persisted; the names are taken from the config on every
	// start, so renaming keeps the UUIDs.
	ClusterName, NodeName, SVMName, AggregateName string
	// NodeSerial is the node's serial number (node_serial_number). Empty
	// means the random one minted and persisted with the identity, so
	// every nessie data directory reports its own.
	NodeSerial string
	// DataLIF is the IP address the data interface reports (data_lif).
	DataLIF string
	// ONTAPVersion is the release the cluster claims, "9.16.1" or "9.16.1P6"
	// (ontap_version). Clients gate features on it: Trident uses REST by
	// default only from 9.15.1.
	ONTAPVersion string
	// RelaxedNames turns off ONTAP's volume-name rules at the REST edge
	// (relaxed_names); the backend's own rules still apply.
	RelaxedNames bool
	// ContractMode serves the backend contract exactly where ONTAP is
	// stricter (contract_mode): any size including 0 and unlimited,
	// snapshots of offline volumes, an empty export policy.
	ContractMode bool
	// JobLatency delays the completion of every asynchronous job
	// (job_latency), to exercise clients' job polling.
	JobLatency time.Duration
	// MaxConnections caps concurrent TCP connections (max_connections);
	// further clients wait in the accept queue.
	MaxConnections int
	// ShutdownTimeout bounds the graceful shutdown (shutdown_timeout):
	// in-flight requests get this long to finish before connections are
	// closed.
	ShutdownTimeout time.Duration
	// ReadHeaderTimeout (read_header_timeout) and IdleTimeout
	// (idle_timeout) bound slow and idle clients.
	ReadHeaderTimeout time.Duration
	IdleTimeout       time.Duration
	// LogLevel and LogFormat configure logging (log_level, log_format).
	LogLevel  slog.Level
	LogFormat LogFormat
}

// DefaultConfig returns the defaults: HTTPS on 127.0.0.1:8443, user
// "admin" with [DefaultPassword], ONTAP [DefaultONTAPVersion], strict
// volume names, no job latency, text logs at info level. DataDir is empty
// (the default data directory).
func DefaultConfig() Config {
	return Config{
		Listen:            DefaultListen,
		Store:             StoreMemory,
		Username:          DefaultUsername,
		Password:          DefaultPassword,
		ClusterName:       DefaultClusterName,
		NodeName:          DefaultNodeName,
		SVMName:           DefaultSVMName,
		AggregateName:     DefaultAggregateName,
		DataLIF:           DefaultDataLIF,
		ONTAPVersion:      DefaultONTAPVersion,
		MaxConnections:    DefaultMaxConnections,
		ShutdownTimeout:   DefaultShutdownTimeout,
		ReadHeaderTimeout: DefaultReadHeaderTimeout,
		IdleTimeout:       DefaultIdleTimeout,
		LogLevel:          slog.LevelInfo,
		LogFormat:         LogText,
	}
}

// DefaultDataDir returns the data directory used when none is configured:
// $XDG_STATE_HOME/nessie, or $HOME/.local/state/nessie. getenv is the
// environment to consult (os.Getenv in production).
func DefaultDataDir(getenv func(string) string) (string, error) {
	// The XDG base directory spec says relative values are to be ignored.
	if x := getenv("XDG_STATE_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "nessie"), nil
	}
	for _, v := range []string{"HOME", "USERPROFILE"} {
		if h := getenv(v); h != "" {
			return filepath.Join(h, ".local", "state", "nessie"), nil
		}
	}
	return "", &ConfigError{Key: "data_dir", Err: errors.New("no default: neither XDG_STATE_HOME nor HOME is set; set data_dir")}
}

// ErrInsecurePassword is the reason a config that listens beyond loopback
// with a well-known password is refused.
var ErrInsecurePassword = errors.New("a well-known password may only guard a loopback listener")

// ErrUnknownKey is the reason a TOML key nessie does not know is refused.
var ErrUnknownKey = errors.New("unknown key")

// ConfigError is one problem with a configuration, named by its TOML key.
// Validate joins several with errors.Join; find them with errors.As.
type ConfigError struct {
	Key string // TOML key, e.g. "listen"
	Err error  // what is wrong; may wrap ErrInsecurePassword or ErrUnknownKey
}

// Error renders "key: reason".
func (e *ConfigError) Error() string { return e.Key + ": " + e.Err.Error() }

// Unwrap returns the reason, so errors.Is works on the sentinels.
func (e *ConfigError) Unwrap() error { return e.Err }

// Validate reports every problem with c, as [*ConfigError] values joined
// with errors.Join, or nil. It touches no files and no network.
func (c Config) Validate() error {
	var errs []error
	bad := func(key string, format string, args ...any) {
		errs = append(errs, &ConfigError{Key: key, Err: fmt.Errorf(format, args...)})
	}

	_, loopback, err := parseListen(c.Listen)
	if err != nil {
		bad("listen", "%q: %v", c.Listen, err)
	}

	switch {
	case c.Username == "":
		bad("admin_username", "must not be empty")
	case strings.Contains(c.Username, ":"):
		// HTTP Basic splits user:password at the first colon.
		bad("admin_username", "must not contain ':'")
	case hasControl(c.Username):
		bad("admin_username", "must not contain control characters")
	}
	switch {
	case c.Password == "":
		bad("admin_password", "must not be empty")
	case hasControl(c.Password):
		bad("admin_password", "must not contain control characters")
	case err == nil && !loopback && isWellKnown(c.Password):
		errs = append(errs, &ConfigError{Key: "admin_password", Err: fmt.Errorf(
			"%w: listen %q reaches beyond loopback; set %s (or admin_password, --password) to a password of your own, or listen on 127.0.0.1",
			ErrInsecurePassword, c.Listen, PasswordEnv)})
	}

	if (c.TLSCert == "") != (c.TLSKey == "") {
		bad("tls_cert", "tls_cert and tls_key must be set together")
	}
	if c.HTTP && c.TLSCert != "" {
		bad("http", "plain HTTP was requested but tls_cert is set; choose one")
	}

	for _, n := range []struct{ key, val string }{
		{"cluster_name", c.ClusterName},
		{"node_name", c.NodeName},
		{"svm_name", c.SVMName},
		{"aggregate_name", c.AggregateName},
	} {
		if err := checkName(n.val); err != nil {
			bad(n.key, "%q: %v", n.val, err)
		}
	}
	if c.NodeSerial != "" {
		if err := checkName(c.NodeSerial); err != nil {
			bad("node_serial_number", "%q: %v", c.NodeSerial, err)
		}
	}
	if a, err := netip.ParseAddr(c.DataLIF); err != nil || a.Zone() != "" {
		bad("data_lif", "%q is not an IP address", c.DataLIF)
	}
	if err := checkONTAPVersion(c.ONTAPVersion); err != nil {
		bad("ontap_version", "%v", err)
	}
	if c.JobLatency < 0 || c.JobLatency > MaxJobLatency {
		bad("job_latency", "%v is outside 0s..%v", c.JobLatency, MaxJobLatency)
	}
	if c.MaxConnections < 1 || c.MaxConnections > MaxMaxConnections {
		bad("max_connections", "%d is outside 1..%d", c.MaxConnections, MaxMaxConnections)
	}
	if c.ShutdownTimeout <= 0 || c.ShutdownTimeout > MaxShutdownTimeout {
		bad("shutdown_timeout", "%v is outside (0s, %v]", c.ShutdownTimeout, MaxShutdownTimeout)
	}
	if c.ReadHeaderTimeout <= 0 || c.ReadHeaderTimeout > MaxClientTimeout {
		bad("read_header_timeout", "%v is outside (0s, %v]", c.ReadHeaderTimeout, MaxClientTimeout)
	}
	if c.IdleTimeout <= 0 || c.IdleTimeout > MaxClientTimeout {
		bad("idle_timeout", "%v is outside (0s, %v]", c.IdleTimeout, MaxClientTimeout)
	}
	if c.Store != StoreMemory && c.Store != StoreDurable {
		bad("store", "%q: want %q or %q", c.Store, StoreMemory, StoreDurable)
	}
	if c.LogFormat != LogText && c.LogFormat != LogJSON {
		bad("log_format", "%q: want %q or %q", c.LogFormat, LogText, LogJSON)
	}
	return errors.Join(errs...)
}

// Logger returns the logger c describes, writing to w.
func (c Config) Logger(w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogFormat == LogJSON {
		// slog's JSON handler writes a duration as integer nanoseconds;
		// people read these logs too, so write "1.52ms" as text does.
		opts.ReplaceAttr = func(_ []string, a slog.Attr) slog.Attr {
			if a.Value.Kind() == slog.KindDuration {
				a.Value = slog.StringValue(a.Value.Duration().String())
			}
			return a
		}
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// parseListen checks a host:port listen address (numeric port, host empty,
// an IP or a host name) and reports whether it is confined to loopback.
func parseListen(addr string) (host string, loopback bool, err error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", false, errors.New("want host:port, e.g. 127.0.0.1:8443")
	}
	if p, err := strconv.ParseUint(port, 10, 16); err != nil || strconv.FormatUint(p, 10) != port {
		return "", false, fmt.Errorf("port %q is not a number in 0..65535", port)
	}
	switch {
	case host == "":
		return host, false, nil // all interfaces
	case strings.EqualFold(host, "localhost"):
		return host, true, nil
	}
	if a, err := netip.ParseAddr(host); err == nil {
		return host, a.IsLoopback(), nil
	}
	if !isHostname(host) {
		return "", false, fmt.Errorf("host %q is neither an IP address nor a host name", host)
	}
	// A name other than localhost may resolve anywhere: treat it as
	// beyond loopback.
	return host, false, nil
}

// isHostname reports whether s is a syntactically valid DNS host name.
func isHostname(s string) bool {
	if len(s) > 253 {
		return false
	}
	for label := range strings.SplitSeq(strings.TrimSuffix(s, "."), ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
				return false
			}
		}
	}
	return true
}

func isWellKnown(pw string) bool {
	for _, w := range wellKnownPasswords {
		if pw == w {
			return true
		}
	}
	return false
}

func hasControl(s string) bool {
	return strings.IndexFunc(s, unicode.IsControl) >= 0
}

// checkName accepts the discovery object names clients read back: non-empty,
// at most 255 bytes of UTF-8, with no spaces, control characters or '/'.
func checkName(s string) error {
	switch {
	case s == "":
		return errors.New("must not be empty")
	case len(s) > 255:
		return errors.New("longer than 255 bytes")
	case !utf8.ValidString(s):
		return errors.New("not valid UTF-8")
	case strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) || r == '/' }) >= 0:
		return errors.New("must not contain spaces, control characters or '/'")
	}
	return nil
}

// checkONTAPVersion accepts what server.New accepts: one parser,
// ontap.ParseRESTVersion ("9.16.1", "9.16.1P6"; 9.6.0 or later).
func checkONTAPVersion(v string) error {
	_, err := ontap.ParseRESTVersion(v)
	return err
}
