package compute

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/persona-kpi/kpi/config"
	"github.com/persona-kpi/kpi/persona"
)

// tempRelations are the temporary relations the runner creates on its
// connection, dropped when it is done (views before the tables they read).
var tempRelations = []struct{ kind, name string }{
	{"VIEW", "kpi_segments"},
	{"VIEW", "kpi_blobs"},
	{"VIEW", "kpi_event_lists"},
	{"VIEW", "kpi_events"},
	{"VIEW", "kpi_server_events"},
	{"VIEW", "kpi_sessions"},
	{"TABLE", "kpi_range"},
	{"TABLE", "kpi_out"},
	{"TABLE", "cfg_segment_lists"},
	{"TABLE", "cfg_aliases"},
	{"TABLE", "cfg_flow_steps"},
	{"MACRO", "kpi_sums"},
	{"MACRO", "kpi_sums_add"},
}

// dropTemp drops the runner's temporary relations on conn. (The facts'
// tables are in scratch, which closing the workers detaches.)
func dropTemp(ctx context.Context, conn *sql.Conn) {
	for _, r := range tempRelations {
		// Best effort: the connection goes back to the pool, and a leftover
		// temp relation would only be replaced by the next run.
		_, _ = conn.ExecContext(ctx, fmt.Sprintf("DROP %s IF EXISTS temp.%s", r.kind, r.name))
	}
}

// materializeConfig writes the configuration's segment lists, aliases and
// flows into temp tables the KPI SQL reads, and defines kpi_sums and
// kpi_sums_add.
func materializeConfig(ctx context.Context, conn *sql.Conn, cfg config.Config) error {
	stmts := []string{
		`CREATE OR REPLACE TEMP TABLE cfg_segment_lists (segmentation VARCHAR NOT NULL, position INTEGER NOT NULL, segment VARCHAR NOT NULL)`,
		`CREATE OR REPLACE TEMP TABLE cfg_aliases (raw VARCHAR NOT NULL, alias VARCHAR NOT NULL)`,
		`CREATE OR REPLACE TEMP TABLE cfg_flow_steps (flow VARCHAR NOT NULL, position INTEGER NOT NULL, step VARCHAR NOT NULL, events VARCHAR[] NOT NULL)`,
	}
	for _, s := range append(stmts, sumsMacro, sumsAddMacro) {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("config tables: %w", err)
		}
	}
	for _, name := range sortedKeys(cfg.Segmentations) {
		for i, seg := range cfg.Segmentations[name] {
			if _, err := conn.ExecContext(ctx, `INSERT INTO cfg_segment_lists VALUES (?, ?, ?)`, name, i+1, seg); err != nil {
				return fmt.Errorf("config tables: segmentation %s: %w", name, err)
			}
		}
	}
	for _, raw := range sortedKeys(cfg.Aliases) {
		if _, err := conn.ExecContext(ctx, `INSERT INTO cfg_aliases VALUES (?, ?)`, raw, cfg.Aliases[raw]); err != nil {
			return fmt.Errorf("config tables: alias %q: %w", raw, err)
		}
	}
	for _, flow := range sortedKeys(cfg.Flows) {
		for i, step := range cfg.Flows[flow] {
			events := []string{}
			for _, e := range step.Events {
				if e == "" { // the original config wrote an always-reached step as ""
					continue
				}
				// A flow written with the typo, as the original dashboard's
				// config was, must match the name transform stored.
				events = append(events, persona.EventName(e))
			}
			js, err := json.Marshal(events)
			if err != nil {
				return err
			}
			if _, err := conn.ExecContext(ctx, `INSERT INTO cfg_flow_steps VALUES (?, ?, ?, CAST(?::JSON AS VARCHAR[]))`,
				flow, i+1, step.Name, string(js)); err != nil {
				return fmt.Errorf("config tables: flow %s step %q: %w", flow, step.Name, err)
			}
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// dateLit is a DuckDB DATE literal for day. Dates are written into the
// view definitions, not bound, so the day filter reaches the table scan.
func dateLit(day time.Time) string { return "DATE '" + day.Format(time.DateOnly) + "'" }

// weightSQL is stats.Weight in SQL: the sessions a blob stands for.
const weightSQL = `CASE WHEN sample_rate > 0 AND sample_rate <= 1 THEN 1 / sample_rate ELSE 1 END`

// setRange points the input relations at days: kpi_range, kpi_sessions,
// kpi_events, kpi_blobs and kpi_segments. A span with from after to
// selects nothing.
func setRange(ctx context.Context, conn *sql.Conn, days span) error {
	f, t := dateLit(days.from), dateLit(days.to)
	// One SELECT per segmentation, UNION ALL: DuckDB streams it and reads
	// only the columns a query uses; unnesting a list of structs per blob
	// was thirty times slower.
	segs := []string{`SELECT *, 'Total' AS segmentation, 'Total' AS segment FROM kpi_blobs`}
	for _, s := range persona.Segmentations {
		segs = append(segs, fmt.Sprintf(`SELECT *, '%s', %s FROM kpi_blobs`, s.Name, s.Column))
	}
	stmts := []string{
		`CREATE OR REPLACE TEMP TABLE kpi_range AS SELECT ` + f + ` AS from_day, ` + t + ` AS to_day`,
		`CREATE OR REPLACE TEMP VIEW kpi_sessions AS
			SELECT * FROM main.sessions WHERE day BETWEEN ` + f + ` AND ` + t + ` AND event_count > 0`,
		`CREATE OR REPLACE TEMP VIEW kpi_server_events AS
			SELECT * FROM main.server_events WHERE day BETWEEN ` + f + ` AND ` + t,
		// A blob's events carry its number within the day (session), not
		// its id. The texts written before (immutable) join a blob to its
		// events on id = session_id and day, so both views name that
		// number so: kpi_events.session_id and kpi_blobs.id (see doc.go).
		`CREATE OR REPLACE TEMP VIEW kpi_events AS
			SELECT *, session AS session_id FROM main.events WHERE day BETWEEN ` + f + ` AND ` + t,
		// blob is an integer key unique across days: the table's rowid,
		// for free. events, the blob's distinct event names, is its list
		// of the day in event_lists.
		`CREATE OR REPLACE TEMP VIEW kpi_blobs AS
			SELECT s.rowid AS blob, s.* REPLACE (s.session AS id), l.events, ` + weightSQL + ` AS weight
			FROM main.sessions s JOIN main.event_lists l ON l.day = s.day AND l.event_list = s.event_list
			WHERE s.day BETWEEN ` + f + ` AND ` + t + ` AND s.event_count > 0 AND l.day BETWEEN ` + f + ` AND ` + t,
		// The days' distinct lists of event names, each once: a fact that
		// tests what a list holds tests these few hundred rows a day, not
		// every blob's copy.
		`CREATE OR REPLACE TEMP VIEW kpi_event_lists AS
			SELECT day, event_list, events FROM main.event_lists WHERE day BETWEEN ` + f + ` AND ` + t,
		`CREATE OR REPLACE TEMP VIEW kpi_segments AS ` + strings.Join(segs, "\nUNION ALL "),
	}
	for _, s := range stmts {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("input relations for %s..%s: %w", days.from.Format(time.DateOnly), days.to.Format(time.DateOnly), err)
		}
	}
	return nil
}
