// Command nessie serves the ONTAP REST API over an in-memory storage
// backend. Run `nessie --help`; the commands live in internal/cli.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/nessie-go/nessie/internal/cli"
)

func main() {
	// The first SIGINT/SIGTERM shuts down gracefully; stop() restores the
	// default handling, so a second one kills at once.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() { <-ctx.Done(); stop() }()
	code := cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
