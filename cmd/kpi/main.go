// Command kpi turns Persona sign-in dialog interaction data into KPIs: it
// extracts blobs from KPIggybank, files or a built-in generator, flattens
// them into Parquet, loads them into a DuckDB file and computes KPIs.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signalContext()
	code := Main(ctx, os.Args, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// signalContext ends on SIGINT or SIGTERM, so that work in progress stops
// at a clean point.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}
