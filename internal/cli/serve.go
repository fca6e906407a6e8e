package cli

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/nessie-go/nessie/internal/daemon"
)

// serveOptions are `nessie serve`'s flags. A flag overrides the config
// file only when given on the command line (pflag's Changed).
type serveOptions struct {
	configPath   string
	listen       string
	http         bool
	username     string
	password     string
	dataDir      string
	store        string
	load         string
	tlsCert      string
	tlsKey       string
	ontapVersion string
	relaxedNames bool
	contractMode bool
	jobLatency   time.Duration
	logFormat    string
	logLevel     string
}

func newServeCommand(getenv func(string) string, readFile func(string) ([]byte, error)) *cobra.Command {
	var o serveOptions
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the ONTAP REST API",
		Long: "Serve the ONTAP REST API (HTTPS, HTTP Basic auth) until interrupted.\n" +
			"Volumes live in memory (--store memory, the default) or in the data\n" +
			"directory (--store durable), which also keeps the cluster identity and\n" +
			"the self-signed certificate. --load starts from a fixture file;\n" +
			"POST /nessie/v1/reset returns to it.\n\n" +
			"Precedence: flags > " + daemon.PasswordEnv + " (password) > --config file > defaults.",
		Example: "  nessie serve\n" +
			"  " + daemon.PasswordEnv + "=s3cret nessie serve --listen 0.0.0.0:8443\n" +
			"  nessie serve --listen 127.0.0.1:0 --data-dir /tmp/nessie --http\n" +
			"  nessie serve --store durable --data-dir /var/lib/nessie\n" +
			"  nessie serve --load fixture.yaml",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := o.resolve(cmd.Flags(), getenv, readFile)
			if err != nil {
				return err
			}
			err = daemon.Run(cmd.Context(), cfg, &daemon.RunOptions{
				Stdout: cmd.OutOrStdout(),
				Logger: cfg.Logger(cmd.ErrOrStderr()),
			})
			if err != nil {
				return failure{err}
			}
			return nil
		},
	}
	o.bind(cmd.Flags())
	return cmd
}

// bind registers the flags on fs, with the built-in defaults for help.
func (o *serveOptions) bind(fs *pflag.FlagSet) {
	d := daemon.DefaultConfig()
	fs.StringVar(&o.configPath, "config", "", "TOML config file (see 'nessie init'); flags override it")
	fs.StringVar(&o.listen, "listen", d.Listen, "address to serve on, host:port (port 0 picks one); non-loopback needs your own password")
	fs.BoolVar(&o.http, "http", false, "serve plain HTTP instead of HTTPS")
	fs.StringVar(&o.username, "username", d.Username, "HTTP Basic username")
	fs.StringVar(&o.password, "password", "", "HTTP Basic password (default "+daemon.DefaultPassword+"); prefer $"+daemon.PasswordEnv+", which process lists do not show")
	fs.StringVar(&o.dataDir, "data-dir", "", "directory for identity and certificate (default $XDG_STATE_HOME/nessie or ~/.local/state/nessie)")
	fs.StringVar(&o.store, "store", string(d.Store), "where volumes live: memory (gone at exit) or durable (data-dir/state.db, survives restarts and crashes)")
	fs.StringVar(&o.load, "load", "", "fixture file (YAML) to start from; POST /nessie/v1/reset returns to it")
	fs.StringVar(&o.tlsCert, "tls-cert", "", "PEM certificate to serve instead of the self-signed one (needs --tls-key)")
	fs.StringVar(&o.tlsKey, "tls-key", "", "PEM private key for --tls-cert")
	fs.StringVar(&o.ontapVersion, "ontap-version", d.ONTAPVersion, "ONTAP release to report, e.g. 9.16.1 or 9.16.1P6 (9.6.0 or later)")
	fs.BoolVar(&o.relaxedNames, "relaxed-names", false, "accept volume names ONTAP would reject")
	fs.BoolVar(&o.contractMode, "contract-mode", false, "serve the backend contract where ONTAP is stricter (any size, snapshots of offline volumes)")
	fs.DurationVar(&o.jobLatency, "job-latency", 0, "delay before each asynchronous job completes, e.g. 500ms")
	fs.StringVar(&o.logFormat, "log-format", string(d.LogFormat), "log format: text or json")
	fs.StringVar(&o.logLevel, "log-level", "info", "log level: debug, info, warn or error")
}

// resolve turns the parsed flags fs (bound to o), the environment and the
// config file (read with readFile) into a validated config. It is pure:
// all input arrives through its arguments.
func (o *serveOptions) resolve(fs *pflag.FlagSet, getenv func(string) string, readFile func(string) ([]byte, error)) (daemon.Config, error) {
	cfg := daemon.DefaultConfig()
	if o.configPath != "" {
		data, err := readFile(o.configPath)
		if err != nil {
			return daemon.Config{}, fmt.Errorf("reading config file: %w", err)
		}
		if err := cfg.DecodeTOML(data); err != nil {
			return daemon.Config{}, fmt.Errorf("config file %s:\n%w", o.configPath, err)
		}
	}
	if pw := getenv(daemon.PasswordEnv); pw != "" {
		cfg.Password = pw
	}

	changed := fs.Changed
	str := func(flag string, dst *string, v string) {
		if changed(flag) {
			*dst = v
		}
	}
	str("listen", &cfg.Listen, o.listen)
	str("username", &cfg.Username, o.username)
	str("password", &cfg.Password, o.password)
	str("data-dir", &cfg.DataDir, o.dataDir)
	str("load", &cfg.Load, o.load)
	if changed("store") {
		cfg.Store = daemon.StoreKind(o.store)
	}
	str("tls-cert", &cfg.TLSCert, o.tlsCert)
	str("tls-key", &cfg.TLSKey, o.tlsKey)
	str("ontap-version", &cfg.ONTAPVersion, o.ontapVersion)
	if changed("http") {
		cfg.HTTP = o.http
	}
	if changed("relaxed-names") {
		cfg.RelaxedNames = o.relaxedNames
	}
	if changed("contract-mode") {
		cfg.ContractMode = o.contractMode
	}
	if changed("job-latency") {
		cfg.JobLatency = o.jobLatency
	}
	if changed("log-format") {
		cfg.LogFormat = daemon.LogFormat(o.logFormat)
	}
	if changed("log-level") {
		lv, err := daemon.ParseLogLevel(o.logLevel)
		if err != nil {
			return daemon.Config{}, fmt.Errorf("invalid configuration:\n%w", &daemon.ConfigError{Key: "log_level", Err: err})
		}
		cfg.LogLevel = lv
	}

	if cfg.DataDir == "" {
		d, err := daemon.DefaultDataDir(getenv)
		if err != nil {
			return daemon.Config{}, err
		}
		cfg.DataDir = d
	}
	if err := cfg.Validate(); err != nil {
		return daemon.Config{}, fmt.Errorf("invalid configuration:\n%w", inFlagTerms(err, fs))
	}
	return cfg, nil
}

// keyFlags names the flag that sets each config key.
var keyFlags = map[string]string{
	"listen": "listen", "http": "http", "admin_username": "username", "admin_password": "password",
	"data_dir": "data-dir", "tls_cert": "tls-cert", "tls_key": "tls-key", "ontap_version": "ontap-version",
	"relaxed_names": "relaxed-names", "contract_mode": "contract-mode", "job_latency": "job-latency",
	"log_format": "log-format", "log_level": "log-level",
}

// flagError is a config problem that came from a command-line flag, told
// in the flag's terms; it wraps the config error for errors.As.
type flagError struct {
	msg string
	ce  *daemon.ConfigError
}

func (e *flagError) Error() string { return e.msg }
func (e *flagError) Unwrap() error { return e.ce }

// inFlagTerms rewrites the problems with settings given as flags so that
// they name the flags (--tls-cert), not the config file's keys
// (tls_cert); problems from the config file keep their keys.
func inFlagTerms(err error, fs *pflag.FlagSet) error {
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return err
	}
	errs := j.Unwrap()
	out := make([]error, len(errs))
	for i, e := range errs {
		out[i] = e
		ce, ok := e.(*daemon.ConfigError)
		if !ok {
			continue
		}
		switch flag := keyFlags[ce.Key]; {
		case ce.Key == "tls_cert" && (fs.Changed("tls-cert") || fs.Changed("tls-key")):
			out[i] = &flagError{msg: "--tls-cert and --tls-key must be given together (a certificate and its key)", ce: ce}
		case ce.Key == "http" && fs.Changed("http"):
			out[i] = &flagError{msg: "--http asks for plain HTTP but a TLS certificate is set (--tls-cert or tls_cert); choose one", ce: ce}
		case flag != "" && fs.Changed(flag):
			out[i] = &flagError{msg: "--" + flag + ": " + strings.TrimPrefix(ce.Err.Error(), ce.Key+" "), ce: ce}
		}
	}
	return errors.Join(out...)
}
