package daemon

import (
	"errors"
	"log/slog"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nessie-go/nessie/backend/mem"
	"github.com/nessie-go/nessie/server"
)

// configKeys returns the ConfigError keys in err, in order.
func configKeys(err error) []string {
	var keys []string
	var walk func(error)
	walk = func(err error) {
		var ce *ConfigError
		if errors.As(err, &ce) && err == error(ce) {
			keys = append(keys, ce.Key)
			return
		}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
			return
		}
		if e := errors.Unwrap(err); e != nil {
			walk(e)
		}
	}
	walk(err)
	return keys
}

func TestDefaultConfigIsValid(t *testing.T) {
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatalf("DefaultConfig().Validate() = %v", err)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name     string
		edit     func(*Config)
		keys     []string // ConfigError keys expected; nil means valid
		insecure bool     // expect ErrInsecurePassword
	}{
		{name: "listen ipv6 loopback", edit: func(c *Config) { c.Listen = "[::1]:0" }},
		{name: "listen localhost", edit: func(c *Config) { c.Listen = "localhost:8443" }},
		{name: "listen 127.0.0.2 is loopback", edit: func(c *Config) { c.Listen = "127.0.0.2:8443" }},
		{name: "listen without port", edit: func(c *Config) { c.Listen = "127.0.0.1" }, keys: []string{"listen"}},
		{name: "listen port too large", edit: func(c *Config) { c.Listen = "127.0.0.1:65536" }, keys: []string{"listen"}},
		{name: "listen named port", edit: func(c *Config) { c.Listen = "127.0.0.1:https" }, keys: []string{"listen"}},
		{name: "listen port with sign", edit: func(c *Config) { c.Listen = "127.0.0.1:+80" }, keys: []string{"listen"}},
		{name: "listen bad host", edit: func(c *Config) { c.Listen = "no such host:80" }, keys: []string{"listen"}},
		{name: "listen empty", edit: func(c *Config) { c.Listen = "" }, keys: []string{"listen"}},
		{name: "all interfaces with default password", edit: func(c *Config) { c.Listen = ":8443" }, keys: []string{"admin_password"}, insecure: true},
		{name: "0.0.0.0 with default password", edit: func(c *Config) { c.Listen = "0.0.0.0:8443" }, keys: []string{"admin_password"}, insecure: true},
		{name: "[::] with default password", edit: func(c *Config) { c.Listen = "[::]:8443" }, keys: []string{"admin_password"}, insecure: true},
		{name: "LAN address with default password", edit: func(c *Config) { c.Listen = "192.168.1.5:8443" }, keys: []string{"admin_password"}, insecure: true},
		{name: "host name with default password", edit: func(c *Config) { c.Listen = "nessie.example:8443" }, keys: []string{"admin_password"}, insecure: true},
		{name: "nessie-store default password beyond loopback", edit: func(c *Config) { c.Listen = "0.0.0.0:8443"; c.Password = "admin" }, keys: []string{"admin_password"}, insecure: true},
		{name: "own password beyond loopback", edit: func(c *Config) { c.Listen = "0.0.0.0:8443"; c.Password = "s3cret-enough" }},
		{name: "empty username", edit: func(c *Config) { c.Username = "" }, keys: []string{"admin_username"}},
		{name: "colon in username", edit: func(c *Config) { c.Username = "a:b" }, keys: []string{"admin_username"}},
		{name: "newline in username", edit: func(c *Config) { c.Username = "a\nb" }, keys: []string{"admin_username"}},
		{name: "empty password", edit: func(c *Config) { c.Password = "" }, keys: []string{"admin_password"}},
		{name: "control character in password", edit: func(c *Config) { c.Password = "a\x00b" }, keys: []string{"admin_password"}},
		{name: "colon in password is fine", edit: func(c *Config) { c.Password = "a:b" }},
		{name: "cert without key", edit: func(c *Config) { c.TLSCert = "c.pem" }, keys: []string{"tls_cert"}},
		{name: "key without cert", edit: func(c *Config) { c.TLSKey = "k.pem" }, keys: []string{"tls_cert"}},
		{name: "plain HTTP with a certificate", edit: func(c *Config) { c.HTTP = true; c.TLSCert, c.TLSKey = "c.pem", "k.pem" }, keys: []string{"http"}},
		{name: "empty cluster name", edit: func(c *Config) { c.ClusterName = "" }, keys: []string{"cluster_name"}},
		{name: "space in svm name", edit: func(c *Config) { c.SVMName = "svm 0" }, keys: []string{"svm_name"}},
		{name: "slash in aggregate name", edit: func(c *Config) { c.AggregateName = "a/b" }, keys: []string{"aggregate_name"}},
		{name: "empty node serial means the minted one", edit: func(c *Config) { c.NodeSerial = "" }},
		{name: "space in node serial", edit: func(c *Config) { c.NodeSerial = "1 2" }, keys: []string{"node_serial_number"}},
		{name: "long node name", edit: func(c *Config) { c.NodeName = strings.Repeat("n", 256) }, keys: []string{"node_name"}},
		{name: "data lif not an IP", edit: func(c *Config) { c.DataLIF = "lif1" }, keys: []string{"data_lif"}},
		{name: "data lif ipv6", edit: func(c *Config) { c.DataLIF = "fd00::1" }},
		{name: "version two parts", edit: func(c *Config) { c.ONTAPVersion = "9.16" }, keys: []string{"ontap_version"}},
		{name: "version with patch suffix", edit: func(c *Config) { c.ONTAPVersion = "9.16.1P6" }},
		{name: "version with a bad suffix", edit: func(c *Config) { c.ONTAPVersion = "9.16.1Q6" }, keys: []string{"ontap_version"}},
		{name: "version before REST", edit: func(c *Config) { c.ONTAPVersion = "9.5.0" }, keys: []string{"ontap_version"}},
		{name: "version 9.6.0", edit: func(c *Config) { c.ONTAPVersion = "9.6.0" }},
		{name: "version 10.0.0", edit: func(c *Config) { c.ONTAPVersion = "10.0.0" }},
		{name: "negative job latency", edit: func(c *Config) { c.JobLatency = -time.Second }, keys: []string{"job_latency"}},
		{name: "huge job latency", edit: func(c *Config) { c.JobLatency = MaxJobLatency + 1 }, keys: []string{"job_latency"}},
		{name: "zero connections", edit: func(c *Config) { c.MaxConnections = 0 }, keys: []string{"max_connections"}},
		{name: "zero shutdown timeout", edit: func(c *Config) { c.ShutdownTimeout = 0 }, keys: []string{"shutdown_timeout"}},
		{name: "zero read-header timeout", edit: func(c *Config) { c.ReadHeaderTimeout = 0 }, keys: []string{"read_header_timeout"}},
		{name: "idle timeout too long", edit: func(c *Config) { c.IdleTimeout = time.Hour }, keys: []string{"idle_timeout"}},
		{name: "bad log format", edit: func(c *Config) { c.LogFormat = "xml" }, keys: []string{"log_format"}},
		{name: "several problems reported together", edit: func(c *Config) { c.Listen = "x"; c.Username = ""; c.LogFormat = "" },
			keys: []string{"listen", "admin_username", "log_format"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig()
			tt.edit(&c)
			err := c.Validate()
			if got := configKeys(err); !slices.Equal(got, tt.keys) {
				t.Fatalf("Validate() error keys = %q, want %q (error: %v)", got, tt.keys, err)
			}
			if got := errors.Is(err, ErrInsecurePassword); got != tt.insecure {
				t.Errorf("errors.Is(err, ErrInsecurePassword) = %v, want %v (error: %v)", got, tt.insecure, err)
			}
		})
	}
}

func TestDefaultDataDir(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    string
		wantErr bool
	}{
		{"XDG state home", map[string]string{"XDG_STATE_HOME": "/x/state", "HOME": "/home/u"}, "/x/state/nessie", false},
		{"relative XDG is ignored", map[string]string{"XDG_STATE_HOME": "state", "HOME": "/home/u"}, "/home/u/.local/state/nessie", false},
		{"HOME", map[string]string{"HOME": "/home/u"}, "/home/u/.local/state/nessie", false},
		{"nothing set", nil, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DefaultDataDir(func(k string) string { return tt.env[k] })
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Fatalf("DefaultDataDir = %q, %v; want %q, error %v", got, err, tt.want, tt.wantErr)
			}
			if err != nil && !slices.Equal(configKeys(err), []string{"data_dir"}) {
				t.Errorf("error %v does not name data_dir", err)
			}
		})
	}
}

func TestConfigTemplateDecodesToDefaults(t *testing.T) {
	var c Config // zero: every default must come from the file
	if err := c.DecodeTOML([]byte(ConfigTemplate())); err != nil {
		t.Fatalf("DecodeTOML(template): %v", err)
	}
	if want := DefaultConfig(); !reflect.DeepEqual(c, want) {
		t.Fatalf("template decodes to\n%+v\nwant DefaultConfig()\n%+v", c, want)
	}
}

// TestConfigTemplateDocumentsEveryKey keeps the template in step with the
// schema: each key appears as an (optionally commented-out) assignment,
// and each ignored nessie-store key is named.
func TestConfigTemplateDocumentsEveryKey(t *testing.T) {
	tmpl := ConfigTemplate()
	ft := reflect.TypeFor[fileConfig]()
	for i := range ft.NumField() {
		key := ft.Field(i).Tag.Get("toml")
		if key == "backend" || key == "nfs_enabled" {
			if !strings.Contains(tmpl, key) {
				t.Errorf("template does not mention compatibility key %q", key)
			}
			continue
		}
		if !regexp.MustCompile(`(?m)^(# )?` + key + ` = `).MatchString(tmpl) {
			t.Errorf("template has no line for key %q", key)
		}
	}
	for _, key := range ignoredKeys {
		if !strings.Contains(tmpl, key) {
			t.Errorf("template does not mention ignored key %q", key)
		}
	}
}

func TestDecodeTOML(t *testing.T) {
	tests := []struct {
		name        string
		toml        string
		check       func(t *testing.T, c Config)
		keys        []string // ConfigError keys expected
		wantErr     bool     // an error without ConfigError keys (syntax, types)
		unknown     bool     // expect ErrUnknownKey
		unsupported bool     // expect errors.ErrUnsupported
	}{
		{
			name: "partial file keeps other defaults",
			toml: `svm_name = "svmX"` + "\n" + `job_latency = "250ms"` + "\n" + `http = true`,
			check: func(t *testing.T, c Config) {
				want := DefaultConfig()
				want.SVMName, want.JobLatency, want.HTTP = "svmX", 250*time.Millisecond, true
				if !reflect.DeepEqual(c, want) {
					t.Errorf("got %+v, want %+v", c, want)
				}
			},
		},
		{
			name: "every key",
			toml: `listen = "[::1]:9443"
http = false
tls_cert = "c.pem"
tls_key = "k.pem"
data_dir = "/d"
store = "durable"
load = "f.yaml"
admin_username = "root"
admin_password = "pw"
cluster_name = "c1"
node_name = "n1"
node_serial_number = "S1"
svm_name = "vs1"
aggregate_name = "a1"
data_lif = "10.0.0.9"
ontap_version = "9.15.1"
relaxed_names = true
contract_mode = true
job_latency = "2s"
max_connections = 8
shutdown_timeout = "1m"
read_header_timeout = "3s"
idle_timeout = "5s"
log_level = "DEBUG"
log_format = "json"
`,
			check: func(t *testing.T, c Config) {
				want := Config{
					Listen: "[::1]:9443", TLSCert: "c.pem", TLSKey: "k.pem", DataDir: "/d",
					Store: StoreDurable, Load: "f.yaml",
					Username: "root", Password: "pw", ClusterName: "c1", NodeName: "n1", NodeSerial: "S1",
					SVMName: "vs1", AggregateName: "a1", DataLIF: "10.0.0.9", ONTAPVersion: "9.15.1",
					RelaxedNames: true, ContractMode: true, JobLatency: 2 * time.Second, MaxConnections: 8,
					ShutdownTimeout: time.Minute, ReadHeaderTimeout: 3 * time.Second, IdleTimeout: 5 * time.Second,
					LogLevel: slog.LevelDebug, LogFormat: LogJSON,
				}
				if !reflect.DeepEqual(c, want) {
					t.Errorf("got %+v, want %+v", c, want)
				}
			},
		},
		{name: "unknown key is named", toml: `listen = "127.0.0.1:1"` + "\n" + `lisen = "x"`, keys: []string{"lisen"}, unknown: true},
		{name: "unknown table is named once", toml: "[cas]\nmode = \"cache\"\nbyte_budget = 1", keys: []string{"cas"}, unknown: true},
		{name: "unknown nested table is named once", toml: "[reapi.x]\ny = 1", keys: []string{"reapi.x"}, unknown: true},
		{name: "several unknown keys", toml: "a = 1\nb = 2", keys: []string{"a", "b"}, unknown: true},
		{name: "wrong type", toml: `listen = 8443`, wantErr: true},
		{name: "syntax error", toml: `listen = `, wantErr: true},
		{name: "integer duration is refused", toml: `job_latency = 5`, wantErr: true},
		{name: "bad duration", toml: `job_latency = "soon"`, keys: []string{"job_latency"}},
		{name: "bad log level", toml: `log_level = "loud"`, keys: []string{"log_level"}},
		{name: "backend zfs", toml: `backend = "zfs"`, keys: []string{"backend"}, unsupported: true},
		{name: "nfs enabled", toml: `nfs_enabled = true`, keys: []string{"nfs_enabled"}, unsupported: true},
		{
			name: "nessie-store file loads",
			// As nessie-store's init writes it (its defaults).
			toml: `listen = "127.0.0.1:8443"
data_dir = ".nessie-store"
backend = "mem"
admin_username = "admin"
admin_password = "admin"
cluster_name = "nessie-store"
svm_name = "svm0"
node_serial_number = "SIM-1-0000000001"
ontap_version = "9.14.1"
data_lif = "127.0.0.1"
zfs_pool = "ontap-sim"
zfs_nfs_clients = []
nfs_enabled = false
nfs_listen = "0.0.0.0:2049"
nfs_export_root = "/srv"
nfs_export_name = ""
`,
			check: func(t *testing.T, c Config) {
				if c.ClusterName != "nessie-store" || c.NodeSerial != "SIM-1-0000000001" || c.ONTAPVersion != "9.14.1" || c.DataDir != ".nessie-store" || c.Password != "admin" {
					t.Errorf("nessie-store keys not applied: %+v", c)
				}
				if err := c.Validate(); err != nil {
					t.Errorf("Validate: %v", err)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig()
			err := c.DecodeTOML([]byte(tt.toml))
			if got := configKeys(err); !slices.Equal(got, tt.keys) {
				t.Fatalf("DecodeTOML error keys = %q, want %q (error: %v)", got, tt.keys, err)
			}
			if tt.wantErr && err == nil {
				t.Fatal("DecodeTOML succeeded, want an error")
			}
			if !tt.wantErr && tt.keys == nil && err != nil {
				t.Fatalf("DecodeTOML: %v", err)
			}
			if got := errors.Is(err, errors.ErrUnsupported); got != tt.unsupported {
				t.Errorf("errors.Is(err, ErrUnsupported) = %v, want %v", got, tt.unsupported)
			}
			if got := errors.Is(err, ErrUnknownKey); got != tt.unknown {
				t.Errorf("errors.Is(err, ErrUnknownKey) = %v, want %v", got, tt.unknown)
			}
			if tt.check != nil {
				tt.check(t, c)
			}
		})
	}
}

func TestNessieStoreDefaultsBeyondLoopbackAreRefused(t *testing.T) {
	// nessie-store's defaults listened on every interface with password
	// "admin"; loading such a file must not expose nessie that way.
	c := DefaultConfig()
	if err := c.DecodeTOML([]byte(`listen = "0.0.0.0:8443"` + "\n" + `admin_password = "admin"`)); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); !errors.Is(err, ErrInsecurePassword) {
		t.Fatalf("Validate() = %v, want ErrInsecurePassword", err)
	}
}

// TestONTAPVersionAgreesWithServer: the config accepts exactly the
// versions server.New accepts, so a version never passes one and fails
// the other at start-up.
func TestONTAPVersionAgreesWithServer(t *testing.T) {
	for _, v := range []string{"9.16.1", "9.16.1P6", "9.15.1RC1", "9.6.0", "10.0.0", "9.5.0", "9.16", "9.16.1Q6", "v9.16.1", "9.16.1 ", ""} {
		cfg := DefaultConfig()
		cfg.ONTAPVersion = v
		cfgErr := cfg.Validate()
		srv, srvErr := server.New(mem.New(nil), &server.Options{Username: "u", Password: "p", Version: v})
		if srvErr == nil {
			srv.Close()
		}
		if v == "" {
			// An empty version means the default to server.New; the
			// config always holds one.
			if cfgErr == nil {
				t.Errorf("config accepts an empty ontap_version")
			}
			continue
		}
		if (cfgErr == nil) != (srvErr == nil) {
			t.Errorf("%q: config says %v, server.New says %v", v, cfgErr, srvErr)
		}
	}
}
