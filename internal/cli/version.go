package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

func newVersionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print version and build information",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "nessie %s\n", shortVersion())
			fmt.Fprintf(w, "  go:       %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
			bi, ok := debug.ReadBuildInfo()
			if !ok {
				return nil
			}
			fmt.Fprintf(w, "  module:   %s\n", bi.Main.Path)
			s := buildSettings(bi)
			if rev := s["vcs.revision"]; rev != "" {
				if s["vcs.modified"] == "true" {
					rev += " (modified)"
				}
				fmt.Fprintf(w, "  commit:   %s\n", rev)
			}
			if t := s["vcs.time"]; t != "" {
				fmt.Fprintf(w, "  built:    %s\n", t)
			}
			return nil
		},
	}
}

// shortVersion is the module version the binary was built as: a release
// tag for `go install ...@vX`, "(devel)" for a build from a checkout.
func shortVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok || bi.Main.Version == "" {
		return "(unknown)"
	}
	return bi.Main.Version
}

func buildSettings(bi *debug.BuildInfo) map[string]string {
	m := make(map[string]string, len(bi.Settings))
	for _, s := range bi.Settings {
		m[s.Key] = s.Value
	}
	return m
}
