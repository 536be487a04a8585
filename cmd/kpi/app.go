package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"strings"
	"syscall"

	"github.com/urfave/cli/v2"

	"github.com/persona-kpi/kpi/internal/redact"
	"github.com/persona-kpi/kpi/pipeline"
	"github.com/persona-kpi/kpi/store"
)

// Exit codes, so that schedulers and scripts can tell failures apart.
const (
	exitOK       = 0
	exitFailure  = 1 // anything else
	exitUsage    = 2 // bad flags or configuration
	exitSource   = 3 // the source could not be read
	exitDBLocked = 4 // another process holds the database
)

// exitError carries an exit code with an error.
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string { return e.err.Error() }
func (e exitError) Unwrap() error { return e.err }

func usageError(format string, a ...any) error {
	return exitError{exitUsage, fmt.Errorf(format, a...)}
}

// Main runs the kpi command line and returns its exit code. Errors end in
// one line on stderr: what failed and, where it helps, what to do.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	app := newApp(stdout, stderr)
	err := app.RunContext(ctx, args)
	if err == nil {
		return exitOK
	}
	msg := redact.URLs(strings.ReplaceAll(err.Error(), "\n", "; "))
	full := diskFull(err, msg)
	if full {
		msg += " (free some disk space, then run again: the days loaded before are intact)"
	}
	fmt.Fprintln(stderr, "kpi: "+msg)
	var ee exitError
	switch {
	case full:
		// Whatever stage hit it, a full disk is the machine's, not the
		// source's or the user's input.
		return exitFailure
	case errors.As(err, &ee):
		return ee.code
	case errors.As(err, new(pipeline.UsageError)), errors.Is(err, store.ErrNoDatabase):
		return exitUsage
	case errors.As(err, new(pipeline.SourceError)):
		return exitSource
	case errors.Is(err, store.ErrLocked):
		return exitDBLocked
	case errors.Is(err, context.Canceled):
		return exitFailure
	}
	return exitFailure
}

// diskFull tells a full disk, as Go (ENOSPC, "no space left on device")
// or DuckDB ("No space left on device") reports it.
func diskFull(err error, msg string) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) ||
		strings.Contains(strings.ToLower(msg), "no space left on device")
}

func newApp(stdout, stderr io.Writer) *cli.App {
	app := &cli.App{
		Name:    "kpi",
		Version: version,
		Usage:   "turn Persona sign-in dialog interaction data into KPIs and static report pages",
		Description: `kpi is a batch pipeline: extract blobs (from KPIggybank, files, or the built-in
generator) → transform them into Parquet → load them into a DuckDB file → compute the
versioned KPIs → write a static report site.

Example:
   kpi run                          # what is due (first time: the last 30 days), built-in generator
   kpi serve                        # look at the site on http://127.0.0.1:8080/
   kpi query "select * from kpis"`,
		Writer:          stdout,
		ErrWriter:       stderr,
		HideHelpCommand: true,
		// Errors are printed once, by Main.
		ExitErrHandler: func(*cli.Context, error) {},
		Commands: []*cli.Command{
			runCommand(),
			backfillCommand(),
			scheduleCommand(),
			extractCommand(),
			transformCommand(),
			loadCommand(),
			computeCommand(),
			reportCommand(),
			serveCommand(),
			queryCommand(),
			statusCommand(),
			fakeServerCommand(),
		},
		// Without a command: the help; with an unknown one: one line.
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return usageError("unknown command %q: see kpi --help", c.Args().First())
			}
			return cli.ShowAppHelp(c)
		},
		OnUsageError: onUsageError,
	}
	for _, cmd := range app.Commands {
		cmd.OnUsageError = onUsageError
	}
	return app
}

// onUsageError turns a bad flag or value into one line and exit code 2,
// instead of the whole help on stdout.
func onUsageError(c *cli.Context, err error, _ bool) error {
	name := "kpi"
	if c.Command != nil && c.Command.Name != "" {
		name += " " + c.Command.Name
	}
	return usageError("%v: see %s --help", err, name)
}

// version is set at build time (make build passes the git description).
var version = "dev"

func init() {
	cli.VersionPrinter = func(c *cli.Context) {
		fmt.Fprintf(c.App.Writer, "kpi %s (DuckDB %s, %s)\n", c.App.Version, duckdbVersion(), runtime.Version())
	}
}

// duckdbVersion asks the DuckDB library kpi is built with.
func duckdbVersion() string {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return "unknown"
	}
	defer db.Close()
	var v string
	if err := db.QueryRow("SELECT version()").Scan(&v); err != nil {
		return "unknown"
	}
	return v
}

// newLogger logs to stderr, as text or as JSON lines.
func newLogger(c *cli.Context) (*slog.Logger, error) {
	opts := &slog.HandlerOptions{Level: slog.LevelInfo, ReplaceAttr: redactAttr}
	if c.Bool("quiet") {
		opts.Level = slog.LevelWarn
	}
	w := c.App.ErrWriter
	switch c.String("log-format") {
	case "", "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	default:
		return nil, usageError("--log-format must be text or json, got %q", c.String("log-format"))
	}
}

// redactAttr keeps credentials out of the logs, whatever logs them: the
// user information of URL-like text in strings and errors is removed.
func redactAttr(_ []string, a slog.Attr) slog.Attr {
	switch v := a.Value.Any().(type) {
	case string:
		a.Value = slog.StringValue(redact.URLs(v))
	case error:
		a.Value = slog.StringValue(redact.URLs(v.Error()))
	}
	return a
}
