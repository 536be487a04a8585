package compute

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/persona-kpi/kpi/config"
	kpisql "github.com/persona-kpi/kpi/sql"
)

// TestConnectionsGiveTheSameResults computes every KPI version of
// sql/kpis over generated days on one connection, then on two, twice:
// each query runs on one thread either way, so which connection computes
// it, and what runs beside it, changes no number.
func TestConnectionsGiveTheSameResults(t *testing.T) {
	db := openDB(t)
	loadBlobs(t, db, generated(t, 3000, rewrittenDays...), config.Default())
	ctx := context.Background()
	run := func(conns int) []resultRow {
		_, err := db.Exec(`DELETE FROM kpi_results; DELETE FROM computed_days; DELETE FROM kpis; DELETE FROM facts`)
		require.NoError(t, err)
		// About a day a run, so that facts are built again for each.
		res, err := Compute(ctx, db.DB, kpisql.KPIs(), Options{Config: config.Default(), ChunkSessions: 5000, Connections: conns})
		require.NoError(t, err)
		require.NotEmpty(t, res.Facts)
		return results(t, db, "")
	}
	one := run(1)
	require.NotEmpty(t, one)
	assertSameRows(t, one, run(2))
	assertSameRows(t, one, run(2))
	assert.Equal(t, 1, db.Stats().MaxOpenConnections, "the pool's limit is put back")
	var scratches int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM duckdb_databases() WHERE database_name = 'kpi_scratch'`).Scan(&scratches))
	assert.Zero(t, scratches, "the scratch database is detached")
}

// TestAFailureOnEitherConnectionFailsTheRun fails one of four versions
// (or a fact) while the data is computed, wherever it stands in the queue,
// so that it fails on either connection, before or beside the others: the
// run fails with one line naming its file, and writes nothing.
func TestAFailureOnEitherConnectionFailsTheRun(t *testing.T) {
	// error() only runs on rows: the checks on empty input pass.
	failing := `SELECT day, 'Total' AS segmentation, 'Total' AS segment, '' AS step,
		CASE WHEN count(*) > 0 THEN error('boom on ' || day::VARCHAR) END::DOUBLE AS value, count(*) AS numerator, NULL AS denominator
		FROM kpi_blobs GROUP BY day`
	duplicate := countQuery + " UNION ALL " + countQuery
	failingFact := `SELECT blob, day, CASE WHEN event_count > 0 THEN error('fact boom') END::BOOLEAN AS shown FROM kpi_blobs`
	type failure struct{ name, query, file, msg string }
	var cases []failure
	for v := 1; v <= 4; v++ {
		cases = append(cases,
			failure{fmt.Sprintf("query error in v%d", v), failing, fmt.Sprintf("sql/kpis/k/v%d.sql", v), "boom on 2024-03-0"},
			failure{fmt.Sprintf("refused rows in v%d", v), duplicate, fmt.Sprintf("sql/kpis/k/v%d.sql", v), "more than one row for"})
	}
	cases = append(cases, failure{"fact", "", "sql/facts/shown/v1.sql", "fact boom"})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := threeDays(t)
			ctx := context.Background()
			defs := fstest.MapFS{}
			for v := 1; v <= 4; v++ {
				q := countQuery
				if c.file == fmt.Sprintf("sql/kpis/k/v%d.sql", v) {
					q = c.query
				}
				defs[fmt.Sprintf("k/v%d.sql", v)] = defFile("k", v, q)
			}
			shown := shownQuery
			if c.query == "" {
				shown = failingFact
			}
			facts := fstest.MapFS{"shown/v1.sql": factFile("shown", 1, "", shown)}
			defs["j/v1.sql"] = withHeader(defFile("j", 1, shownCountQuery), "facts: shown v1")
			o := factOpts(facts)
			o.ChunkSessions = 2 // each day alone: the failure is in the first run of days
			_, err := Compute(ctx, db.DB, defs, o)
			require.Error(t, err)
			msg := err.Error()
			assert.NotContains(t, msg, "\n", "one line")
			assert.Contains(t, msg, c.file+": ")
			assert.Contains(t, msg, c.msg)
			assert.Equal(t, 1, strings.Count(msg, "sql/"), "only the failing file is named: %s", msg)
			assert.Empty(t, results(t, db, ""), "nothing is written")
			assert.Equal(t, 1, db.Stats().MaxOpenConnections, "the pool's limit is put back")

			// The database is fine for the next run.
			defs = fstest.MapFS{"k/v1.sql": defFile("k", 1, countQuery)}
			_, err = Compute(ctx, db.DB, defs, opts())
			require.NoError(t, err)
			assert.NotEmpty(t, results(t, db, ""))
		})
	}
}
