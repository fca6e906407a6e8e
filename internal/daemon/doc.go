// Package daemon runs nessie as a long-lived ONTAP REST endpoint: the
// in-memory backend (backend/mem) behind the REST server (server), on a
// hardened net/http server, with the state that must survive restarts kept
// in a data directory.
//
// The package is internal on purpose: its API (the TOML keys, the data
// directory's layout, the start-up banner) is the nessie command's, and it
// changes with the command. A Go program that wants an ONTAP endpoint
// embeds one of the public layers instead: server.New returns an
// http.Handler over any backend (bring your own listener and TLS), and
// ontaptest.NewServer starts one on a loopback port for tests. What the
// daemon adds on top of them (a persistent identity and certificate,
// connection limits, graceful shutdown on a signal) is what a long-lived
// process needs, and that process is `nessie serve`. The command-line
// shell lives in internal/cli and signal handling in main; tests here run
// the daemon in process:
//
//	cfg := daemon.DefaultConfig()
//	cfg.Listen = "127.0.0.1:0"
//	err := daemon.Run(ctx, cfg, &daemon.RunOptions{
//		Ready: func(r daemon.Ready) { log.Println("serving", r.URL) },
//	})
//
// # Configuration
//
// [Config] is validated by [Config.Validate] before anything is touched;
// every problem is a [*ConfigError] naming the TOML key it concerns.
// [Config.DecodeTOML] applies a TOML file (flat keys, compatible with the
// original nessie-store daemon where they exist; unknown keys are errors)
// and [ConfigTemplate] is the commented default file `nessie init` writes.
//
// # Data directory
//
// The data directory (created 0700) holds:
//
//	identity.json   cluster, node, SVM, aggregate and LIF UUIDs, minted once
//	tls/cert.pem    self-signed certificate, minted once (unless tls_cert is set)
//	tls/key.pem     its ECDSA P-256 private key, mode 0600
//
// Both are written atomically and only if absent, so concurrent first starts
// agree on one identity and one certificate, and a restart presents the same
// UUIDs (clients such as Trident take the backend offline when the cluster or
// SVM UUID changes) and the same certificate fingerprint. The layout matches
// nessie-store's, so its data directories can be reused. With the memory
// store (the default) volumes and every other object live in memory and do
// not survive a restart. With --store durable the directory also holds
// state.db (backend/durable): volumes and snapshots, the finished jobs, and
// the objects of the server's generic object store (export policies and
// rules, qtrees, quota rules, NFS and CIFS services, CIFS shares, snapshot
// policies, schedules, QoS and efficiency policies), the SAN objects (LUNs,
// igroups, LUN maps, iSCSI services and credentials) and the SVMs and IP
// interfaces created over REST, each change committed before it is
// acknowledged (see server.ObjectJournal).
//
// # Security
//
// The daemon serves HTTPS (TLS 1.2 or later) by default and plain HTTP only
// when Config.HTTP is set. Every request needs HTTP Basic credentials.
// Listening beyond loopback with a well-known password ([DefaultPassword],
// or "admin", nessie-store's default) is refused with [ErrInsecurePassword].
//
// # Lifecycle
//
// [Run] binds the listener, reports readiness through RunOptions.Ready (the
// actual bound address, so "127.0.0.1:0" works), serves until its context is
// cancelled, then shuts down gracefully: it stops accepting, lets in-flight
// requests finish within Config.ShutdownTimeout, and closes the server. Its
// return value is the daemon's terminal error (nil after a clean shutdown).
package daemon
