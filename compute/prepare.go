package compute

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/persona-kpi/kpi/config"
	"github.com/persona-kpi/kpi/persona"
)

// PrepareQueries creates on conn, for the days from..to, every relation
// the KPI and fact queries read — kpi_range, kpi_sessions, kpi_blobs,
// kpi_event_lists, kpi_segments, kpi_events, kpi_server_events, the cfg_*
// tables, the kpi_sums and kpi_sums_add aggregates — and each of facts as
// a view named by its table (fact_<id>_v<N>), over the database's
// sessions, events and census. It is for running the SQL of sql/kpis
// outside the runner: in a notebook over the DuckDB file, or the
// benchmark's DuckDB-only peer, which runs every version as a user
// without kpi would. The runner itself builds facts as tables, once per
// run of days. Everything it creates is temporary, gone with the
// connection.
func PrepareQueries(ctx context.Context, conn *sql.Conn, cfg config.Config, from, to time.Time, facts []Fact) error {
	if err := materializeConfig(ctx, conn, cfg); err != nil {
		return fmt.Errorf("prepare queries: %w", err)
	}
	if err := setRange(ctx, conn, span{persona.Day(from), persona.Day(to)}); err != nil {
		return fmt.Errorf("prepare queries: %w", err)
	}
	ordered, err := factOrder(facts, facts)
	if err != nil {
		return err
	}
	for _, f := range ordered {
		if _, err := conn.ExecContext(ctx, "CREATE OR REPLACE TEMP VIEW "+f.Ref().Table()+" AS\n"+f.SQL); err != nil {
			return fmt.Errorf("prepare queries: %s: %w", f.Path, err)
		}
	}
	return nil
}
