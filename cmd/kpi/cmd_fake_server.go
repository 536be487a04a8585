package main

import (
	"time"

	"github.com/urfave/cli/v2"

	"github.com/persona-kpi/kpi/extract/generate"
	"github.com/persona-kpi/kpi/extract/kpiggybank"
	"github.com/persona-kpi/kpi/persona"
)

func fakeServerCommand() *cli.Command {
	return &cli.Command{
		Name:      "fake-server",
		Usage:     "serve generated blobs through KPIggybank's read API",
		UsageText: "kpi fake-server [--addr 127.0.0.1:3435] [--days N] [--seed N] [--per-day N]",
		Description: `Serves the built-in generator's data for the last --days days (through yesterday,
UTC) on GET /wsapi/interaction_data?start=MS&end=MS, /wsapi/interaction_data/count and
/wsapi/ping, like a KPIggybank server. Stops on Ctrl-C.

Example:
   kpi fake-server --days 30 &
   kpi run --source http://127.0.0.1:3435/wsapi/interaction_data`,
		Flags: withLogFlags(
			&cli.StringFlag{Name: "addr", Value: "127.0.0.1:3435", Usage: "listen on `HOST:PORT`"},
			&cli.IntFlag{Name: "days", Value: 30, Usage: "serve the last `N` days"},
			&cli.Int64Flag{Name: "seed", Value: 1, Usage: "generator seed `N`"},
			&cli.IntFlag{Name: "per-day", Value: 2000, Usage: "average blobs per day `N`"},
		),
		Action: func(c *cli.Context) error {
			log, err := newLogger(c)
			if err != nil {
				return err
			}
			if c.Int("days") < 1 {
				return usageError("--days must be at least 1")
			}
			if c.Int("per-day") < 1 {
				return usageError("--per-day must be at least 1")
			}
			gen := generate.Generator{Seed: c.Int64("seed"), PerDay: c.Int("per-day")}
			to := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -1)
			from := to.AddDate(0, 0, -(c.Int("days") - 1))
			srv := &kpiggybank.FakeServer{Rows: gen, From: from, To: to, Logger: log}
			srv.Count = func() int64 {
				var n int64
				for _, d := range persona.Days(from, to) {
					n += int64(gen.DayCount(d))
				}
				return n
			}
			return srv.ListenAndServe(c.Context, c.String("addr"))
		},
	}
}
