package main

import (
	"context"
	"strings"
	"time"

	"github.com/persona-kpi/kpi/pipeline"
	"github.com/robfig/cron/v3"
	"github.com/urfave/cli/v2"
)

func scheduleCommand() *cli.Command {
	return &cli.Command{
		Name:      "schedule",
		Usage:     "run `kpi run` on a cron schedule, in the foreground",
		UsageText: `kpi schedule --cron "0 3 * * *" [--tz Europe/Paris] [run flags]`,
		Description: `Runs what is due (as kpi run without --from/--to) at every time the five-field cron
expression names (minute hour day-of-month month day-of-week; UTC unless --tz), one run
at a time: a run that outlasts the next start time delays it instead of overlapping.
Each run's outcome is logged. SIGINT or SIGTERM stops it: a run in progress is
abandoned cleanly (days it loaded stay loaded; the day in progress stays as it was).

Example:
   kpi schedule --cron "0 3 * * *" --config /etc/kpi.json --log-format json`,
		Flags: append(runFlags(),
			&cli.StringFlag{Name: "cron", Required: true, Usage: "five-field cron `EXPR`, e.g. \"0 3 * * *\" (03:00 every day)"},
			&cli.StringFlag{Name: "tz", Value: "UTC", Usage: "time `ZONE` of the cron expression, e.g. Europe/Paris"},
		),
		Action: func(c *cli.Context) error {
			o, err := resolveOptions(c)
			if err != nil {
				return err
			}
			if !o.From.IsZero() || !o.To.IsZero() {
				return usageError("schedule runs what is due each time: drop --from/--to")
			}
			sched, err := parseCron(c.String("cron"))
			if err != nil {
				return err
			}
			loc, err := time.LoadLocation(c.String("tz"))
			if err != nil {
				return usageError("--tz %q: %v", c.String("tz"), err)
			}
			job := func(ctx context.Context) error { return runAndPrint(ctx, o, pipeline.CommandRun, c.App.Writer) }
			return pipeline.Schedule(c.Context, sched, loc, o.Log, job)
		},
	}
}

// parseCron reads a five-field cron expression or a descriptor such as
// @daily or "@every 6h". An interval under a second is refused: cron
// would silently round "@every 0s" (or a negative one) up to a run every
// second.
func parseCron(expr string) (cron.Schedule, error) {
	if d, ok := strings.CutPrefix(strings.TrimSpace(expr), "@every "); ok {
		every, err := time.ParseDuration(strings.TrimSpace(d))
		if err == nil && every < time.Second {
			return nil, usageError("--cron %q: the interval must be at least 1s", expr)
		}
	}
	sched, err := cron.ParseStandard(expr)
	if err != nil {
		return nil, usageError("--cron %q: %v", expr, err)
	}
	return sched, nil
}
