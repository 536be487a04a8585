package main

import (
	"context"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/persona-kpi/kpi/config"
	"github.com/persona-kpi/kpi/pipeline"
	"github.com/persona-kpi/kpi/store"
)

// Flags shared by the pipeline commands.
var (
	configFlag = &cli.StringFlag{Name: "config", Usage: "JSON configuration `FILE` (see README); flags override it"}
	sourceFlag = &cli.StringFlag{Name: "source", Usage: "`SRC`: generate, a KPIggybank URL (http(s)://HOST[:PORT]/wsapi/interaction_data), or a file or directory (default: generate)"}
	fromFlag   = &cli.StringFlag{Name: "from", Usage: "first `DAY` (YYYY-MM-DD, UTC) to process"}
	toFlag     = &cli.StringFlag{Name: "to", Usage: "last `DAY` (YYYY-MM-DD, UTC) to process, included"}
	dbFlag     = &cli.StringFlag{Name: "db", Usage: "DuckDB `FILE` (default: kpi.duckdb)"}
	dataFlag   = &cli.StringFlag{Name: "data", Usage: "`DIR` for the raw landing copies and Parquet (default: data)"}
	outFlag    = &cli.StringFlag{Name: "out", Usage: "`DIR` for the report site (default: site)"}
	seedFlag   = &cli.Int64Flag{Name: "seed", Usage: "seed of the built-in generator `N`", DefaultText: "1"}
	perDayFlag = &cli.IntFlag{Name: "per-day", Usage: "average blobs per day `N` of the built-in generator", DefaultText: "2000"}
	logFlags   = []cli.Flag{
		&cli.StringFlag{Name: "log-format", Usage: "log as `FORMAT`: text or json", Value: "text"},
		&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "log warnings and errors only"},
	}
)

func withLogFlags(flags ...cli.Flag) []cli.Flag { return append(flags, logFlags...) }

// resolveOptions reads the configuration file, applies the flags over it
// and checks the result once, for every command that works on the
// pipeline's data.
func resolveOptions(c *cli.Context) (pipeline.Options, error) {
	var o pipeline.Options
	log, err := newLogger(c)
	if err != nil {
		return o, err
	}
	o.Log = log
	o.Progress = newProgress(c.App.ErrWriter, !c.Bool("quiet") && c.String("log-format") != "json")
	cfg, err := config.Load(c.String("config"))
	if err != nil {
		return o, exitError{exitUsage, err}
	}
	for name, dst := range map[string]*string{"source": &cfg.Source, "db": &cfg.DB, "data": &cfg.Data, "out": &cfg.Out} {
		if c.IsSet(name) {
			*dst = c.String(name)
		}
	}
	if c.IsSet("seed") {
		cfg.Generate.Seed = c.Int64("seed")
	}
	if c.IsSet("per-day") {
		cfg.Generate.PerDay = c.Int("per-day")
	}
	if err := cfg.Validate(); err != nil {
		return o, exitError{exitUsage, err}
	}
	o.Config = cfg
	if o.From, err = parseDay("from", c.String("from")); err != nil {
		return o, err
	}
	if o.To, err = parseDay("to", c.String("to")); err != nil {
		return o, err
	}
	// Refuse a bad source or range before anything is opened or fetched.
	return o, o.Check()
}

func parseDay(flag, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, usageError("--%s must be a day as YYYY-MM-DD, got %q", flag, s)
	}
	return d, nil
}

// openCurrentReader opens the database read-only for commands that read
// the pipeline's tables: it must have this program's schema.
func openCurrentReader(ctx context.Context, path string) (*store.Reader, error) {
	db, err := store.OpenReadOnly(ctx, path)
	if err != nil {
		return nil, err
	}
	if err := db.CheckSchema(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}
