// Package cli is the nessie command line: a thin cobra shell over
// internal/daemon.
//
//	nessie serve [flags]              run the ONTAP REST daemon
//	nessie init [--config PATH] [--force]
//	                                  write a commented default config file
//	nessie version                    print build information
//
// Each subcommand lives in its own file with an options struct whose flags
// are bound in one method. Turning flags, environment and config file into
// a daemon.Config is a pure function of those three inputs, so it is
// table-tested without a process. All output goes to the command's
// writers; the process (signals, os.Exit) is main's business.
//
// # Configuration precedence
//
// For each setting, the first source that sets it wins: a command-line
// flag, then (for the password only) the NESSIE_ADMIN_PASSWORD environment
// variable, then the --config TOML file, then the built-in default. An
// empty NESSIE_ADMIN_PASSWORD counts as unset.
//
// # Exit status
//
// 0 on success (including a clean shutdown on SIGINT/SIGTERM), 1 when the
// daemon fails or a file cannot be written, 2 for usage and configuration
// errors.
package cli
