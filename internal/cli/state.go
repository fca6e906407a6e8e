package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/nessie-go/nessie/backend/durable"
	"github.com/nessie-go/nessie/fixture"
	"github.com/nessie-go/nessie/internal/daemon"
	"github.com/nessie-go/nessie/server"
)

// newStateCommand is `nessie state`: fixtures to and from a durable data
// directory, offline (the daemon holds the store's lock while it runs;
// GET /nessie/v1/state exports from a running one).
func newStateCommand(getenv func(string) string) *cobra.Command {
	var dataDir, out string
	cmd := &cobra.Command{
		Use:   "state",
		Short: "Export, import or check fixtures (saved nessie state)",
		Long: "A fixture is nessie's whole state as YAML with ONTAP's field names:\n" +
			"volumes, their snapshots and clones, UUIDs and times included, and the\n" +
			"other ONTAP objects (export policies, qtrees, LUNs, ...) by collection\n" +
			"under objects:. Edit it,\n" +
			"load it with 'nessie serve --load FILE', reset to it with\n" +
			"POST /nessie/v1/reset. export and import work on a stopped daemon's\n" +
			"durable store (data-dir/" + daemon.StoreFile + "); a running daemon serves\n" +
			"its state at GET /nessie/v1/state.",
	}
	storePath := func() (string, error) {
		d := dataDir
		if d == "" {
			var err error
			if d, err = daemon.DefaultDataDir(getenv); err != nil {
				return "", err
			}
		}
		return filepath.Join(d, daemon.StoreFile), nil
	}
	openStore := func(path string) (*durable.Backend, error) {
		b, err := durable.Open(path, &durable.Options{LockTimeout: 500 * time.Millisecond})
		if errors.Is(err, durable.ErrLocked) {
			return nil, fmt.Errorf("%w\n(a running daemon serves its state: curl -k -u USER:PASSWORD https://HOST:PORT/nessie/v1/state)", err)
		}
		return b, err
	}
	export := &cobra.Command{
		Use:   "export",
		Short: "Write the durable store's state as a fixture (stdout, or -o FILE)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			path, err := storePath()
			if err != nil {
				return err
			}
			if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
				return failure{fmt.Errorf("no durable store at %s (is the daemon run with --store durable and this --data-dir?)", path)}
			}
			b, err := openStore(path)
			if err != nil {
				return failure{err}
			}
			defer b.Close()
			id, err := daemon.DataDirIdentity(filepath.Dir(path))
			if err != nil {
				return failure{err}
			}
			y, err := daemon.ExportState(context.Background(), b, id)
			if err != nil {
				return failure{err}
			}
			if out == "" {
				_, err = cmd.OutOrStdout().Write(y)
			} else {
				err = os.WriteFile(out, y, 0o600)
			}
			if err != nil {
				return failure{err}
			}
			return nil
		},
	}
	export.Flags().StringVarP(&out, "output", "o", "", "file to write (default stdout)")
	importCmd := &cobra.Command{
		Use:   "import FILE",
		Short: "Replace the durable store's state with a fixture",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			// A bad file changes nothing, the data directory included.
			if _, _, err := readFixture(args[0], server.NewIdentity()); err != nil {
				return err
			}
			path, err := storePath()
			if err != nil {
				return err
			}
			if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
				return failure{err}
			}
			// The objects are loaded for this data directory's identity
			// (minted now if it has none, as a first start would).
			id, err := daemon.DataDirIdentity(filepath.Dir(path))
			if err != nil {
				return failure{err}
			}
			f, recs, err := readFixture(args[0], id)
			if err != nil {
				return err
			}
			b, err := openStore(path)
			if err != nil {
				return failure{err}
			}
			defer b.Close()
			// One commit: the volumes, and the objects (or, without an
			// objects section, none saved: the next start seeds the
			// built-ins).
			if err := daemon.RestoreFixture(context.Background(), b, f.State, recs); err != nil {
				return failure{err}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "imported %d volumes and %s into %s\n", len(f.State.Volumes), describeObjects(f), path)
			return nil
		},
	}
	check := &cobra.Command{
		Use:   "check FILE",
		Short: "Check a fixture file; errors name the line and field",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			// Any identity does: the objects' references are checked
			// against the fixture itself.
			f, _, err := readFixture(args[0], server.NewIdentity())
			if err != nil {
				return err
			}
			snaps := 0
			for _, v := range f.State.Volumes {
				snaps += len(v.Snapshots)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: ok, %d volumes, %d snapshots, %s\n", args[0], len(f.State.Volumes), snaps, describeObjects(f))
			return nil
		},
	}
	for _, c := range []*cobra.Command{export, importCmd} {
		c.Flags().StringVar(&dataDir, "data-dir", "", "data directory (default $XDG_STATE_HOME/nessie or ~/.local/state/nessie)")
	}
	cmd.AddCommand(export, importCmd, check)
	return cmd
}

// readFixture reads and checks a fixture for a data directory of identity
// id; a bad file is a usage error.
func readFixture(path string, id server.Identity) (*fixture.Fixture, []server.ObjectRecord, error) {
	f, recs, err := daemon.ReadFixture(path, id)
	var fe *fixture.Error
	if err != nil && !errors.As(err, &fe) {
		return nil, nil, failure{err}
	}
	return f, recs, err
}

// describeObjects summarises a fixture's objects section.
func describeObjects(f *fixture.Fixture) string {
	if f.Objects == nil {
		return "no objects section (the built-in objects)"
	}
	n := 0
	for _, rs := range f.Objects {
		n += len(rs)
	}
	return fmt.Sprintf("%d objects", n)
}
