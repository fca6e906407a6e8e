package daemon

import (
	_ "embed"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

//go:embed nessie.toml
var configTemplate string

// ConfigTemplate returns the commented default configuration file that
// `nessie init` writes. Decoding it yields [DefaultConfig].
func ConfigTemplate() string { return configTemplate }

// fileConfig is the TOML file's schema. Pointers tell "absent" from the
// zero value, so a file only overrides the keys it sets.
type fileConfig struct {
	Listen            *string `toml:"listen"`
	HTTP              *bool   `toml:"http"`
	TLSCert           *string `toml:"tls_cert"`
	TLSKey            *string `toml:"tls_key"`
	DataDir           *string `toml:"data_dir"`
	Store             *string `toml:"store"`
	Load              *string `toml:"load"`
	Username          *string `toml:"admin_username"`
	Password          *string `toml:"admin_password"`
	ClusterName       *string `toml:"cluster_name"`
	NodeName          *string `toml:"node_name"`
	NodeSerial        *string `toml:"node_serial_number"`
	SVMName           *string `toml:"svm_name"`
	AggregateName     *string `toml:"aggregate_name"`
	DataLIF           *string `toml:"data_lif"`
	ONTAPVersion      *string `toml:"ontap_version"`
	RelaxedNames      *bool   `toml:"relaxed_names"`
	ContractMode      *bool   `toml:"contract_mode"`
	JobLatency        *string `toml:"job_latency"`
	MaxConnections    *int    `toml:"max_connections"`
	ShutdownTimeout   *string `toml:"shutdown_timeout"`
	ReadHeaderTimeout *string `toml:"read_header_timeout"`
	IdleTimeout       *string `toml:"idle_timeout"`
	LogLevel          *string `toml:"log_level"`
	LogFormat         *string `toml:"log_format"`

	// nessie-store compatibility: checked, otherwise without effect.
	Backend    *string `toml:"backend"`
	NFSEnabled *bool   `toml:"nfs_enabled"`
}

// ignoredKeys are nessie-store keys that only configure its zfs backend
// and NFS server, which nessie refuses to enable; its files carry them.
var ignoredKeys = []string{
	"zfs_pool", "zfs_nfs_clients", "zfs_dataset_owner", "zfs_dataset_mode",
	"nfs_listen", "nfs_export_root", "nfs_export_name",
}

// DecodeTOML applies the keys a TOML configuration file sets to c; keys it
// does not set keep their values. It fails on malformed TOML, on a value of
// the wrong type and, as [*ConfigError] values wrapping [ErrUnknownKey], on
// keys it does not know. It does not validate the result: call
// [Config.Validate] after applying every source.
func (c *Config) DecodeTOML(data []byte) error {
	var f fileConfig
	md, err := toml.Decode(string(data), &f)
	if err != nil {
		return fmt.Errorf("invalid TOML: %w", err)
	}
	var errs []error
	undecoded := md.Undecoded()
	for _, k := range undecoded {
		if len(k) == 1 && slices.Contains(ignoredKeys, k[0]) {
			continue
		}
		// Name an unknown table once, not each key in it.
		if slices.ContainsFunc(undecoded, func(p toml.Key) bool { return len(p) < len(k) && slices.Equal(p, k[:len(p)]) }) {
			continue
		}
		errs = append(errs, &ConfigError{Key: k.String(), Err: ErrUnknownKey})
	}

	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&c.Listen, f.Listen)
	set(&c.TLSCert, f.TLSCert)
	set(&c.TLSKey, f.TLSKey)
	set(&c.DataDir, f.DataDir)
	set(&c.Load, f.Load)
	if f.Store != nil {
		c.Store = StoreKind(*f.Store)
	}
	set(&c.Username, f.Username)
	set(&c.Password, f.Password)
	set(&c.ClusterName, f.ClusterName)
	set(&c.NodeName, f.NodeName)
	set(&c.NodeSerial, f.NodeSerial)
	set(&c.SVMName, f.SVMName)
	set(&c.AggregateName, f.AggregateName)
	set(&c.DataLIF, f.DataLIF)
	set(&c.ONTAPVersion, f.ONTAPVersion)
	if f.HTTP != nil {
		c.HTTP = *f.HTTP
	}
	if f.RelaxedNames != nil {
		c.RelaxedNames = *f.RelaxedNames
	}
	if f.ContractMode != nil {
		c.ContractMode = *f.ContractMode
	}
	if f.MaxConnections != nil {
		c.MaxConnections = *f.MaxConnections
	}
	for _, d := range []struct {
		key string
		src *string
		dst *time.Duration
	}{
		{"job_latency", f.JobLatency, &c.JobLatency},
		{"shutdown_timeout", f.ShutdownTimeout, &c.ShutdownTimeout},
		{"read_header_timeout", f.ReadHeaderTimeout, &c.ReadHeaderTimeout},
		{"idle_timeout", f.IdleTimeout, &c.IdleTimeout},
	} {
		if d.src == nil {
			continue
		}
		v, err := time.ParseDuration(*d.src)
		if err != nil {
			errs = append(errs, &ConfigError{Key: d.key, Err: fmt.Errorf("%q is not a duration such as \"250ms\" or \"2s\"", *d.src)})
			continue
		}
		*d.dst = v
	}
	if f.LogLevel != nil {
		lv, err := ParseLogLevel(*f.LogLevel)
		if err != nil {
			errs = append(errs, &ConfigError{Key: "log_level", Err: err})
		} else {
			c.LogLevel = lv
		}
	}
	if f.LogFormat != nil {
		c.LogFormat = LogFormat(*f.LogFormat)
	}
	if f.Backend != nil && *f.Backend != "mem" {
		errs = append(errs, &ConfigError{Key: "backend", Err: fmt.Errorf("%q: nessie serves only the in-memory backend, \"mem\": %w", *f.Backend, errors.ErrUnsupported)})
	}
	if f.NFSEnabled != nil && *f.NFSEnabled {
		errs = append(errs, &ConfigError{Key: "nfs_enabled", Err: fmt.Errorf("nessie has no NFS server: %w", errors.ErrUnsupported)})
	}
	return errors.Join(errs...)
}

// ParseLogLevel parses debug, info, warn or error (any case).
func ParseLogLevel(s string) (slog.Level, error) {
	switch strings.ToLower(s) {
	case "debug":
		return slog.LevelDebug, nil
	case "info":
		return slog.LevelInfo, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("%q: want debug, info, warn or error", s)
}
