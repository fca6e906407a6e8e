package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

// Exit statuses returned by [Main].
const (
	ExitOK      = 0
	ExitFailure = 1 // the daemon failed, or a file could not be written
	ExitUsage   = 2 // bad flags, arguments or configuration
)

// failure marks an error as a runtime failure (exit 1) rather than a usage
// or configuration error (exit 2, the default for any other error).
type failure struct{ err error }

func (f failure) Error() string { return f.err.Error() }
func (f failure) Unwrap() error { return f.err }

// New returns the nessie root command. getenv is the environment the
// commands read (os.Getenv in production).
func New(getenv func(string) string) *cobra.Command {
	root := &cobra.Command{
		Use:   "nessie",
		Short: "An ONTAP-shaped storage control plane, in memory",
		Long: "nessie serves the ONTAP REST API over an in-memory storage backend, so\n" +
			"unmodified ONTAP clients (the Python SDK, Ansible, Terraform, Trident)\n" +
			"can run against it without an array.",
		Version:       shortVersion(),
		SilenceErrors: true, // Main prints errors once, in its own format
		SilenceUsage:  true,
	}
	root.SetVersionTemplate("nessie {{.Version}}\n")
	root.AddCommand(newServeCommand(getenv, os.ReadFile), newInitCommand(), newStateCommand(getenv), newVersionCommand())
	return root
}

// Main runs the nessie command line with args (without the program name)
// and returns the process exit status. Cancelling ctx stops a running
// daemon gracefully.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := New(os.Getenv)
	if args == nil {
		args = []string{} // cobra reads os.Args when given nil
	}
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return ExitOK
	}
	fmt.Fprintf(stderr, "nessie: %s\n", strings.ReplaceAll(err.Error(), "\n", "\n  "))
	if errors.As(err, new(failure)) {
		return ExitFailure
	}
	fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
	return ExitUsage
}
