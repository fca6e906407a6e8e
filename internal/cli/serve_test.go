package cli

import (
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/nessie-go/nessie/internal/daemon"
)

// resolveServeConfig is `nessie serve`'s configuration step as a pure
// function of the arguments, the environment and the files it may read.
func resolveServeConfig(args []string, env, files map[string]string) (daemon.Config, error) {
	var o serveOptions
	flags := pflag.NewFlagSet("serve", pflag.ContinueOnError)
	flags.SetOutput(io.Discard)
	o.bind(flags)
	if err := flags.Parse(args); err != nil {
		return daemon.Config{}, err
	}
	return o.resolve(flags,
		func(k string) string { return env[k] },
		func(name string) ([]byte, error) {
			if c, ok := files[name]; ok {
				return []byte(c), nil
			}
			return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
		})
}

// configKeys returns the keys of the daemon.ConfigErrors in err.
func configKeys(err error) []string {
	var keys []string
	var walk func(error)
	walk = func(err error) {
		if ce, ok := err.(*daemon.ConfigError); ok {
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

func TestResolveServeConfig(t *testing.T) {
	home := map[string]string{"HOME": "/home/u"}
	withPW := func(pw string) map[string]string {
		return map[string]string{"HOME": "/home/u", daemon.PasswordEnv: pw}
	}
	base := daemon.DefaultConfig()
	base.DataDir = "/home/u/.local/state/nessie"

	tests := []struct {
		name     string
		args     []string
		env      map[string]string
		files    map[string]string
		want     func(c *daemon.Config) // edits base into the expected config
		keys     []string               // expected ConfigError keys
		is       error                  // expected errors.Is target
		anyError bool                   // an error without ConfigError keys
	}{
		{name: "defaults", env: home, want: func(*daemon.Config) {}},
		{name: "XDG state home", env: map[string]string{"XDG_STATE_HOME": "/st", "HOME": "/home/u"},
			want: func(c *daemon.Config) { c.DataDir = "/st/nessie" }},
		{name: "no home and no data dir", env: nil, keys: []string{"data_dir"}},
		{name: "every flag", env: home,
			args: []string{"--listen", "[::1]:9443", "--username", "root", "--password", "pw", "--data-dir", "/d",
				"--tls-cert", "c.pem", "--tls-key", "k.pem", "--ontap-version", "9.15.1", "--relaxed-names", "--contract-mode",
				"--job-latency", "250ms", "--log-format", "json", "--log-level", "debug"},
			want: func(c *daemon.Config) {
				c.Listen, c.Username, c.Password, c.DataDir = "[::1]:9443", "root", "pw", "/d"
				c.TLSCert, c.TLSKey, c.ONTAPVersion, c.RelaxedNames = "c.pem", "k.pem", "9.15.1", true
				c.ContractMode = true
				c.JobLatency, c.LogFormat, c.LogLevel = 250*time.Millisecond, daemon.LogJSON, slog.LevelDebug
			}},
		{name: "--http", env: home, args: []string{"--http"}, want: func(c *daemon.Config) { c.HTTP = true }},
		{name: "file applies", env: home, args: []string{"--config", "n.toml"},
			files: map[string]string{"n.toml": "listen = \"127.0.0.1:9000\"\nsvm_name = \"vs1\"\ndata_dir = \"/f\"\nhttp = true\n"},
			want:  func(c *daemon.Config) { c.Listen, c.SVMName, c.DataDir, c.HTTP = "127.0.0.1:9000", "vs1", "/f", true }},
		{name: "flags override file", env: home,
			args:  []string{"--config", "n.toml", "--listen", "127.0.0.1:9001", "--data-dir", "/flag", "--http=false"},
			files: map[string]string{"n.toml": "listen = \"127.0.0.1:9000\"\ndata_dir = \"/f\"\nhttp = true\n"},
			want:  func(c *daemon.Config) { c.Listen, c.DataDir = "127.0.0.1:9001", "/flag" }},
		{name: "flag at its default value still overrides file", env: home,
			args:  []string{"--config", "n.toml", "--listen", daemon.DefaultListen},
			files: map[string]string{"n.toml": "listen = \"127.0.0.1:9000\"\n"},
			want:  func(*daemon.Config) {}},
		{name: "env password overrides file", env: withPW("from-env"), args: []string{"--config", "n.toml"},
			files: map[string]string{"n.toml": "admin_password = \"from-file\"\n"},
			want:  func(c *daemon.Config) { c.Password = "from-env" }},
		{name: "flag password overrides env", env: withPW("from-env"), args: []string{"--password", "from-flag"},
			want: func(c *daemon.Config) { c.Password = "from-flag" }},
		{name: "empty env password is unset", env: withPW(""), args: []string{"--config", "n.toml"},
			files: map[string]string{"n.toml": "admin_password = \"from-file\"\n"},
			want:  func(c *daemon.Config) { c.Password = "from-file" }},
		{name: "empty password flag", env: home, args: []string{"--password", ""}, keys: []string{"admin_password"}},
		{name: "beyond loopback with default password", env: home, args: []string{"--listen", "0.0.0.0:8443"},
			keys: []string{"admin_password"}, is: daemon.ErrInsecurePassword},
		{name: "beyond loopback with env password", env: withPW("s3cret"), args: []string{"--listen", "0.0.0.0:8443"},
			want: func(c *daemon.Config) { c.Listen, c.Password = "0.0.0.0:8443", "s3cret" }},
		{name: "beyond loopback with nessie-store's password from file", env: home, args: []string{"--config", "n.toml"},
			files: map[string]string{"n.toml": "listen = \"0.0.0.0:8443\"\nadmin_password = \"admin\"\n"},
			keys:  []string{"admin_password"}, is: daemon.ErrInsecurePassword},
		{name: "listen without port", env: home, args: []string{"--listen", "127.0.0.1"}, keys: []string{"listen"}},
		{name: "listen bad port", env: home, args: []string{"--listen", "127.0.0.1:70000"}, keys: []string{"listen"}},
		{name: "cert without key", env: home, args: []string{"--tls-cert", "c.pem"}, keys: []string{"tls_cert"}},
		{name: "http with cert", env: home, args: []string{"--http", "--tls-cert", "c.pem", "--tls-key", "k.pem"}, keys: []string{"http"}},
		{name: "old ontap version", env: home, args: []string{"--ontap-version", "9.5.0"}, keys: []string{"ontap_version"}},
		{name: "negative job latency", env: home, args: []string{"--job-latency", "-1s"}, keys: []string{"job_latency"}},
		{name: "unparsable job latency", env: home, args: []string{"--job-latency", "soon"}, anyError: true},
		{name: "bad log format", env: home, args: []string{"--log-format", "xml"}, keys: []string{"log_format"}},
		{name: "bad log level", env: home, args: []string{"--log-level", "loud"}, keys: []string{"log_level"}},
		{name: "unknown flag", env: home, args: []string{"--lisen", "x"}, anyError: true},
		{name: "unknown key in file", env: home, args: []string{"--config", "n.toml"},
			files: map[string]string{"n.toml": "listen = \"127.0.0.1:1\"\nbogus = 1\n"},
			keys:  []string{"bogus"}, is: daemon.ErrUnknownKey},
		{name: "wrong type in file", env: home, args: []string{"--config", "n.toml"},
			files: map[string]string{"n.toml": "max_connections = \"many\"\n"}, anyError: true},
		{name: "missing config file", env: home, args: []string{"--config", "absent.toml"}, is: fs.ErrNotExist},
		{name: "file errors are not masked by flags", env: home, args: []string{"--config", "n.toml", "--listen", "127.0.0.1:1"},
			files: map[string]string{"n.toml": "listen = \"nonsense\"\nbackend = \"zfs\"\n"},
			keys:  []string{"backend"}, is: errors.ErrUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := resolveServeConfig(tt.args, tt.env, tt.files)
			if tt.want != nil {
				if err != nil {
					t.Fatalf("resolve: %v", err)
				}
				want := base
				tt.want(&want)
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("config\n%+v\nwant\n%+v", got, want)
				}
				return
			}
			if err == nil {
				t.Fatalf("resolve succeeded with %+v, want an error", got)
			}
			if keys := configKeys(err); !slices.Equal(keys, tt.keys) {
				t.Errorf("error keys %q, want %q (error: %v)", keys, tt.keys, err)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %v", err, tt.is)
			}
			if !reflect.DeepEqual(got, daemon.Config{}) {
				t.Errorf("a failed resolve returned a config: %+v", got)
			}
		})
	}
}

// TestServeErrorsNameFlags: a problem with a flag names the flag; the same
// problem from the config file names the key.
func TestServeErrorsNameFlags(t *testing.T) {
	home := map[string]string{"HOME": "/home/u"}
	for _, tc := range []struct {
		args        []string
		files       map[string]string
		want, avoid []string
	}{
		{args: []string{"--tls-cert", "c.pem"}, want: []string{"--tls-cert", "--tls-key"}, avoid: []string{"tls_cert", "tls_key"}},
		{args: []string{"--tls-key", "k.pem"}, want: []string{"--tls-cert", "--tls-key"}, avoid: []string{"tls_cert"}},
		{args: []string{"--listen", "nowhere"}, want: []string{"--listen"}, avoid: []string{"\nlisten"}},
		{args: []string{"--ontap-version", "9.5.0"}, want: []string{"--ontap-version"}, avoid: []string{"ontap_version"}},
		{args: []string{"--config", "n.toml"}, files: map[string]string{"n.toml": "tls_cert = \"c.pem\"\n"}, want: []string{"tls_cert"}, avoid: []string{"--tls"}},
	} {
		_, err := resolveServeConfig(tc.args, home, tc.files)
		if err == nil {
			t.Fatalf("%v: no error", tc.args)
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%v: %q does not name %s", tc.args, err, w)
			}
		}
		for _, a := range tc.avoid {
			if strings.Contains(err.Error(), a) {
				t.Errorf("%v: %q names %s", tc.args, err, a)
			}
		}
	}
}
