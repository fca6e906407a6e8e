package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/spf13/cobra"

	"github.com/nessie-go/nessie/internal/daemon"
)

// DefaultConfigPath is where `nessie init` writes when --config is not given.
const DefaultConfigPath = "nessie.toml"

// initOptions are `nessie init`'s flags.
type initOptions struct {
	path  string
	force bool
}

func newInitCommand() *cobra.Command {
	var o initOptions
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Write a commented default config file",
		Long: "Write the default configuration, every key documented, as TOML. The file\n" +
			"is created with mode 0600 because it may come to hold the password.\n" +
			"An existing file is kept unless --force is given.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := writeConfigTemplate(o.path, o.force); err != nil {
				return failure{err}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote default config to %s\n", o.path)
			return nil
		},
	}
	o.bind(cmd)
	return cmd
}

func (o *initOptions) bind(cmd *cobra.Command) {
	cmd.Flags().StringVar(&o.path, "config", DefaultConfigPath, "file to write")
	cmd.Flags().BoolVar(&o.force, "force", false, "overwrite an existing file")
}

// writeConfigTemplate writes [daemon.ConfigTemplate] to path, refusing to
// replace an existing file unless force is set.
func writeConfigTemplate(path string, force bool) error {
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if force {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(path, flags, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s already exists; use --force to overwrite it", path)
	}
	if err != nil {
		return err
	}
	if _, err := f.WriteString(daemon.ConfigTemplate()); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
