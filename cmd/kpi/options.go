package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/persona-kpi/kpi/config"
	"github.com/persona-kpi/kpi/extract"
	"github.com/persona-kpi/kpi/load"
	"github.com/persona-kpi/kpi/persona"
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
	seedFlag   = &cli.Int64Flag{Name: "seed", Usage: "seed of the built-in generator `N` (default: 1)"}
	perDayFlag = &cli.IntFlag{Name: "per-day", Usage: "average blobs per day `N` of the built-in generator (default: 2000)"}
	logFlags   = []cli.Flag{
		&cli.StringFlag{Name: "log-format", Usage: "log as `FORMAT`: text or json", Value: "text"},
		&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "log warnings and errors only"},
	}
)

func withLogFlags(flags ...cli.Flag) []cli.Flag { return append(flags, logFlags...) }

// options is what every pipeline command needs, resolved once from the
// configuration file and the flags.
type options struct {
	cfg      config.Config
	from, to time.Time // zero when not given
	log      *slog.Logger
	now      func() time.Time
	progress *progress
}

func resolveOptions(c *cli.Context) (options, error) {
	var o options
	log, err := newLogger(c)
	if err != nil {
		return o, err
	}
	o.log = log
	o.now = time.Now
	o.progress = newProgress(c.App.ErrWriter, !c.Bool("quiet") && c.String("log-format") != "json")
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
	o.cfg = cfg
	if sourceKind(cfg.Source) != "files" {
		// Refuse a bad source before anything is opened or fetched.
		if _, err := o.windowSource(); err != nil {
			return o, err
		}
	}
	if o.from, err = parseDay("from", c.String("from")); err != nil {
		return o, err
	}
	if o.to, err = parseDay("to", c.String("to")); err != nil {
		return o, err
	}
	if !o.from.IsZero() && !o.to.IsZero() && o.to.Before(o.from) {
		return o, usageError("--to %s is before --from %s", c.String("to"), c.String("from"))
	}
	return o, nil
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

// inRange reports whether d lies within --from/--to (open where unset).
func (o options) inRange(d time.Time) bool {
	return (o.from.IsZero() || !d.Before(o.from)) && (o.to.IsZero() || !d.After(o.to))
}

// defaultDays is how many days a run without --from covers, as the
// original dashboard's update script did.
const defaultDays = 30

// windowDays resolves the days to fetch from a windowed source: the flags,
// else the last 30 days through yesterday (UTC).
func (o options) windowDays() []time.Time {
	today := o.now().UTC().Truncate(24 * time.Hour)
	from, to := o.from, o.to
	if to.IsZero() {
		to = today.AddDate(0, 0, -1)
		if !from.IsZero() && from.After(to) {
			to = from
		}
	}
	if from.IsZero() {
		from = to.AddDate(0, 0, -(defaultDays - 1))
	}
	return persona.Days(from, to)
}

// sourceKind tells the three kinds of --source apart.
func sourceKind(src string) string {
	switch {
	case src == "generate":
		return "generate"
	case strings.HasPrefix(src, "http://"), strings.HasPrefix(src, "https://"):
		return "http"
	case strings.Contains(src, "://"):
		return "unknown"
	}
	return "files"
}

// windowSource builds the windowed source named by the configuration.
func (o options) windowSource() (extract.WindowSource, error) {
	switch sourceKind(o.cfg.Source) {
	case "generate":
		return extract.Generator{Seed: o.cfg.Generate.Seed, PerDay: o.cfg.Generate.PerDay}, nil
	case "http":
		src, err := extract.NewHTTP(o.cfg.Source, extract.HTTPOptions{
			Username:    o.cfg.Username,
			Password:    o.cfg.Password,
			Timeout:     time.Duration(o.cfg.HTTP.Timeout),
			Retries:     o.cfg.HTTP.Retries,
			BackoffBase: time.Duration(o.cfg.HTTP.BackoffBase),
			BackoffMax:  time.Duration(o.cfg.HTTP.BackoffMax),
			Logger:      o.log,
		})
		if err != nil {
			return nil, usageError("%v", err)
		}
		return src, nil
	}
	return nil, usageError("source %q: use generate, an http(s):// KPIggybank URL, or a file or directory path", o.cfg.Source)
}

func dayRange(days []time.Time) string {
	if len(days) == 0 {
		return "no days"
	}
	return fmt.Sprintf("%s..%s", days[0].Format(time.DateOnly), days[len(days)-1].Format(time.DateOnly))
}

// within keeps the days of all that lie within --from/--to.
func (o options) within(all []time.Time) []time.Time {
	var days []time.Time
	for _, d := range all {
		if o.inRange(d) {
			days = append(days, d)
		}
	}
	return days
}

// openReader opens the database read-only, saying so clearly when it does
// not exist yet.
func openReader(ctx context.Context, path string) (*load.Reader, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, usageError("database %s does not exist: run `kpi run` first", path)
	}
	return load.OpenReadOnly(ctx, path)
}

// openCurrentReader is openReader for commands that read the pipeline's
// tables: the database must have this program's schema.
func openCurrentReader(ctx context.Context, path string) (*load.Reader, error) {
	db, err := openReader(ctx, path)
	if err != nil {
		return nil, err
	}
	if err := db.CheckSchema(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// withWriter opens the database for writing, runs fn, then checkpoints and
// closes it, keeping fn's error first.
func withWriter(ctx context.Context, path string, fn func(*load.DB) error) (err error) {
	db, err := load.Open(ctx, path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := db.Close(); err == nil {
			err = cerr
		}
	}()
	return fn(db)
}
