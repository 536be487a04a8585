package compute

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	kpisql "github.com/persona-kpi/kpi/sql"
)

// TestPreparedQueriesGiveTheRunnersResults: every real KPI version run
// over PrepareQueries' relations (facts as views) gives the rows the
// runner wrote, for the versions that describe the sample.
func TestPreparedQueriesGiveTheRunnersResults(t *testing.T) {
	db := threeDays(t)
	_, err := Compute(context.Background(), db.DB, kpisql.KPIs(), opts())
	require.NoError(t, err)
	defs, err := LoadDefinitions(kpisql.KPIs())
	require.NoError(t, err)
	facts, err := LoadFacts(kpisql.Facts())
	require.NoError(t, err)

	ctx := context.Background()
	conn, err := db.Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, PrepareQueries(ctx, conn, opts().Config, date(t, "2024-03-01"), date(t, "2024-03-03"), facts))
	checked := 0
	for _, d := range defs {
		if d.Estimate.fromBlobs() {
			continue // the runner estimates from what the query returns
		}
		var missing, extra int
		q := `WITH q AS (` + d.SQL + `),
			r AS (SELECT day, segmentation, segment, step, value FROM kpi_results WHERE kpi = ? AND version = ?)
			SELECT (SELECT count(*) FROM (SELECT day, segmentation, segment, step, value::DOUBLE FROM q EXCEPT ALL SELECT * FROM r)),
			       (SELECT count(*) FROM (SELECT * FROM r EXCEPT ALL SELECT day, segmentation, segment, step, value::DOUBLE FROM q))`
		require.NoError(t, conn.QueryRowContext(ctx, q, d.ID, d.Version).Scan(&extra, &missing), d.Key())
		assert.Zero(t, extra, "%s: rows the runner did not write", d.Key())
		assert.Zero(t, missing, "%s: rows the runner wrote that the query did not give", d.Key())
		checked++
	}
	assert.Positive(t, checked)
}
