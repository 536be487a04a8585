package compute

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/persona-kpi/kpi/config"
	kpisql "github.com/persona-kpi/kpi/sql"
	"github.com/persona-kpi/kpi/store"
)

func ptr(f float64) *float64 { return &f }

// threeDayRows are blobs of 2024-03-01..03: 2, 1 and 3 of them.
var threeDayRows = []string{
	row("a1", "2024-03-01", "Linux", "screen.rp_info"),
	row("a2", "2024-03-01", "", "screen.rp_info"),
	row("b1", "2024-03-02", "Linux", "screen.rp_info"),
	row("c1", "2024-03-03", "Linux", "screen.rp_info"),
	row("c2", "2024-03-03", "Linux", "screen.rp_info"),
	row("c3", "2024-03-03", "iOS", "screen.rp_info"),
}

// threeDays loads threeDayRows into a fresh database.
func threeDays(t *testing.T) *store.DB {
	db := openDB(t)
	loadRows(t, db, threeDayRows...)
	return db
}

func opts() Options { return Options{Config: config.Default()} }

func count(day, segmentation, segment string, n float64) resultRow {
	return resultRow{KPI: "k", Version: 1, Day: day, Segmentation: segmentation, Segment: segment, Value: n, Numerator: ptr(n)}
}

func TestComputeWritesRowsAndRegisters(t *testing.T) {
	db := threeDays(t)
	defs := fstest.MapFS{"k/v1.sql": defFile("k", 1, countQuery)}
	res, err := Compute(context.Background(), db.DB, defs, opts())
	require.NoError(t, err)

	assert.Equal(t, []resultRow{
		count("2024-03-01", "OS", "Linux", 1),
		count("2024-03-01", "OS", "Other", 1),
		count("2024-03-01", "Total", "Total", 2),
		count("2024-03-02", "OS", "Linux", 1),
		count("2024-03-02", "Total", "Total", 1),
		count("2024-03-03", "OS", "Linux", 2),
		count("2024-03-03", "OS", "iOS", 1),
		count("2024-03-03", "Total", "Total", 3),
	}, results(t, db, ""))

	require.Len(t, res.Computed, 1)
	c := res.Computed[0]
	assert.Equal(t, "k", c.KPI)
	assert.Equal(t, 1, c.Version)
	assert.Equal(t, date(t, "2024-03-01"), c.From)
	assert.Equal(t, date(t, "2024-03-03"), c.To)
	assert.Equal(t, 3, c.Days)
	assert.Equal(t, int64(8), c.Rows)
	assert.True(t, c.Backfill, "first computation covers all history")

	var title, path, hash, from, to, better string
	var order int
	var segs []any
	require.NoError(t, db.QueryRow(`SELECT title, path, sha256, segmentations, computed_from::VARCHAR, computed_to::VARCHAR, page_order, better
		FROM kpis WHERE kpi = 'k' AND version = 1`).Scan(&title, &path, &hash, &segs, &from, &to, &order, &better))
	assert.Equal(t, "Test KPI", title)
	assert.Equal(t, 7, order)
	assert.Equal(t, "higher", better)
	assert.Equal(t, "sql/kpis/k/v1.sql", path)
	assert.Equal(t, "7a94b1c07f21c6d7f3d86e743e10d3fb1e26c8e71c840e41e0710149ab7be89c", hash)
	assert.Equal(t, []any{"Total", "OS"}, segs)
	assert.Equal(t, "2024-03-01", from)
	assert.Equal(t, "2024-03-03", to)
}

func TestComputeIsIdempotent(t *testing.T) {
	db := threeDays(t)
	ctx := context.Background()
	_, err := Compute(ctx, db.DB, kpisql.KPIs(), opts())
	require.NoError(t, err)
	first := results(t, db, "")
	require.NotEmpty(t, first)

	_, err = Compute(ctx, db.DB, kpisql.KPIs(), opts())
	require.NoError(t, err)
	assert.Equal(t, first, results(t, db, ""))
}

func TestComputingOneDayReplacesOnlyThatDay(t *testing.T) {
	db := threeDays(t)
	ctx := context.Background()
	defs := fstest.MapFS{"k/v1.sql": defFile("k", 1, countQuery)}
	_, err := Compute(ctx, db.DB, defs, opts())
	require.NoError(t, err)

	// Mark every row, then change the data of every day: only the day
	// computed again may lose its marks and show the new data.
	_, err = db.Exec(`UPDATE kpi_results SET denominator = -1`)
	require.NoError(t, err)
	loadRows(t, db, slices.Concat(threeDayRows, []string{
		row("a3", "2024-03-01", "Linux", "x"),
		row("b2", "2024-03-02", "Linux", "x"),
		row("c4", "2024-03-03", "Linux", "x"),
	})...)
	o := opts()
	o.From, o.To = date(t, "2024-03-02"), date(t, "2024-03-02")
	res, err := Compute(ctx, db.DB, defs, o)
	require.NoError(t, err)
	require.Len(t, res.Computed, 1)
	assert.False(t, res.Computed[0].Backfill)
	assert.Equal(t, 1, res.Computed[0].Days)
	assert.Equal(t, int64(2), res.Computed[0].Rows)

	marked := func(r resultRow) resultRow { r.Denominator = ptr(-1); return r }
	assert.Equal(t, []resultRow{
		marked(count("2024-03-01", "OS", "Linux", 1)),
		marked(count("2024-03-01", "OS", "Other", 1)),
		marked(count("2024-03-01", "Total", "Total", 2)),
		count("2024-03-02", "OS", "Linux", 2),
		count("2024-03-02", "Total", "Total", 2),
		marked(count("2024-03-03", "OS", "Linux", 2)),
		marked(count("2024-03-03", "OS", "iOS", 1)),
		marked(count("2024-03-03", "Total", "Total", 3)),
	}, results(t, db, ""))
}

func TestComputeEmptiesADayWithoutBlobs(t *testing.T) {
	db := threeDays(t)
	ctx := context.Background()
	defs := fstest.MapFS{"k/v1.sql": defFile("k", 1, countQuery)}
	_, err := Compute(ctx, db.DB, defs, opts())
	require.NoError(t, err)
	_, err = db.Exec(`DELETE FROM sessions WHERE day = '2024-03-02'`)
	require.NoError(t, err)
	o := opts()
	o.From, o.To = date(t, "2024-03-02"), date(t, "2024-03-02")
	_, err = Compute(ctx, db.DB, defs, o)
	require.NoError(t, err)
	for _, r := range results(t, db, "") {
		assert.NotEqual(t, "2024-03-02", r.Day)
	}
	assert.Len(t, results(t, db, ""), 6)
}

// A query may end in a line comment: the runner wraps it in a subquery
// of its own lines, so the comment does not swallow what follows.
func TestQueryEndingInACommentComputes(t *testing.T) {
	db := threeDays(t)
	defs := fstest.MapFS{"k/v1.sql": defFile("k", 1, countQuery+"\n-- the last line is a comment")}
	res, err := Compute(context.Background(), db.DB, defs, opts())
	require.NoError(t, err)
	assert.Equal(t, int64(8), res.Rows())
}

// A backfill replaces every day of the version (here one whose text
// changed, computed again with Force), so a day no longer loaded loses
// its rows; the other versions keep theirs. (writeChunk clears the
// versions of a backfill and the chunk's days of the rest in one
// statement each.)
func TestBackfillDropsTheDaysNoLongerLoaded(t *testing.T) {
	db, defs := twoKPIsComputed(t)
	ctx := context.Background()
	_, err := db.Exec(`DELETE FROM sessions WHERE day = '2024-03-03'; DELETE FROM loaded_days WHERE day = '2024-03-03'`)
	require.NoError(t, err)

	defs["k/v1.sql"] = defFile("k", 1, countQuery+"\n-- changed")
	o := opts()
	o.KPI, o.Force = "k", true
	res, err := Compute(ctx, db.DB, defs, o)
	require.NoError(t, err)
	require.Len(t, res.Computed, 1)
	assert.True(t, res.Computed[0].Backfill && res.Computed[0].Changed)

	days := func(kpi, table string) []string {
		rows, err := db.Query(`SELECT DISTINCT day::VARCHAR FROM `+table+` WHERE kpi = ? ORDER BY 1`, kpi)
		require.NoError(t, err)
		defer rows.Close()
		var out []string
		for rows.Next() {
			var d string
			require.NoError(t, rows.Scan(&d))
			out = append(out, d)
		}
		return out
	}
	for _, table := range []string{"kpi_results", "computed_days"} {
		assert.Equal(t, []string{"2024-03-01", "2024-03-02"}, days("k", table), table)
		assert.Equal(t, []string{"2024-03-01", "2024-03-02", "2024-03-03"}, days("j", table), "%s: j was not computed", table)
	}
}

func TestNewVersionIsBackfilledOverAllDays(t *testing.T) {
	db := threeDays(t)
	ctx := context.Background()
	defs := fstest.MapFS{"k/v1.sql": defFile("k", 1, countQuery)}
	_, err := Compute(ctx, db.DB, defs, opts())
	require.NoError(t, err)

	defs["k/v2.sql"] = defFile("k", 2, countQuery)
	o := opts()
	o.From, o.To = date(t, "2024-03-03"), date(t, "2024-03-03")
	res, err := Compute(ctx, db.DB, defs, o)
	require.NoError(t, err)
	require.Len(t, res.Computed, 2)
	assert.Equal(t, 1, res.Computed[0].Days, "v1 computes the asked day")
	assert.False(t, res.Computed[0].Backfill)
	assert.Equal(t, 3, res.Computed[1].Days, "v2 is new: all loaded days")
	assert.True(t, res.Computed[1].Backfill)

	var v2 int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM kpi_results WHERE version = 2`).Scan(&v2))
	assert.Equal(t, 8, v2)
}

func TestChunksGiveTheSameResults(t *testing.T) {
	db := threeDays(t)
	ctx := context.Background()
	_, err := Compute(ctx, db.DB, kpisql.KPIs(), opts())
	require.NoError(t, err)
	whole := results(t, db, "")

	_, err = db.Exec(`DELETE FROM kpi_results; DELETE FROM kpis`)
	require.NoError(t, err)
	o := opts()
	o.ChunkSessions = 2 // 2024-03-01, 2024-03-02, 2024-03-03 each alone
	_, err = Compute(ctx, db.DB, kpisql.KPIs(), o)
	require.NoError(t, err)
	assert.Equal(t, whole, results(t, db, ""))
}

func TestDaysBuiltInPartsGiveTheSameResults(t *testing.T) {
	db := threeDays(t)
	ctx := context.Background()
	_, err := Compute(ctx, db.DB, kpisql.KPIs(), opts())
	require.NoError(t, err)
	whole := results(t, db, "")

	_, err = db.Exec(`DELETE FROM kpi_results; DELETE FROM kpis`)
	require.NoError(t, err)
	o := opts()
	o.ChunkSessions = 1 // every day alone
	_, err = Compute(ctx, db.DB, kpisql.KPIs(), o)
	require.NoError(t, err)
	assert.Equal(t, whole, results(t, db, ""))
}

func TestChangedSQLIsRefusedUnlessForced(t *testing.T) {
	db := threeDays(t)
	ctx := context.Background()
	defs := fstest.MapFS{"k/v1.sql": defFile("k", 1, countQuery)}
	_, err := Compute(ctx, db.DB, defs, opts())
	require.NoError(t, err)
	before := results(t, db, "")

	// The same file with an edited query, under the same version.
	defs["k/v1.sql"] = defFile("k", 1, strings.Replace(countQuery, "count(*) AS value", "count(*) * 10 AS value", 1))
	_, err = Compute(ctx, db.DB, defs, opts())
	require.Error(t, err)
	assert.True(t, errors.Is(err, ErrChanged))
	var ce *ChangedError
	require.True(t, errors.As(err, &ce))
	assert.Regexp(t, `^sql/kpis/k/v1\.sql changed since it was computed on \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC; add v2\.sql instead, or use --force to recompute history$`, err.Error())
	assert.Equal(t, before, results(t, db, ""), "nothing written")

	// Only the header changed: fine.
	header := strings.NewReplacer("Test KPI", "Renamed KPI", "order: 7", "order: 3", "better: higher", "better: none")
	defs["k/v1.sql"] = &fstest.MapFile{Data: []byte(header.Replace(string(defFile("k", 1, countQuery).Data)))}
	_, err = Compute(ctx, db.DB, defs, opts())
	require.NoError(t, err)
	var title, better string
	var order int
	require.NoError(t, db.QueryRow(`SELECT title, page_order, better FROM kpis WHERE kpi = 'k'`).Scan(&title, &order, &better))
	assert.Equal(t, "Renamed KPI", title)
	assert.Equal(t, 3, order)
	assert.Equal(t, "none", better)

	// Force recomputes the whole history, even when asked for one day.
	defs["k/v1.sql"] = defFile("k", 1, strings.Replace(countQuery, "count(*) AS value", "count(*) * 10 AS value", 1))
	o := opts()
	o.Force = true
	o.From, o.To = date(t, "2024-03-02"), date(t, "2024-03-02")
	res, err := Compute(ctx, db.DB, defs, o)
	require.NoError(t, err)
	require.Len(t, res.Computed, 1)
	assert.True(t, res.Computed[0].Changed)
	assert.True(t, res.Computed[0].Backfill)
	for _, r := range results(t, db, "") {
		assert.Equal(t, *r.Numerator*10, r.Value, "%+v", r)
	}
	assert.Len(t, results(t, db, ""), 8)

	// The new SQL is now the recorded one.
	_, err = Compute(ctx, db.DB, defs, opts())
	require.NoError(t, err)
}

// twoKPIsComputed is the three days with KPIs k and j computed.
func twoKPIsComputed(t *testing.T) (*store.DB, fstest.MapFS) {
	db := threeDays(t)
	defs := fstest.MapFS{"k/v1.sql": defFile("k", 1, countQuery), "j/v1.sql": defFile("j", 1, countQuery)}
	_, err := Compute(context.Background(), db.DB, defs, opts())
	require.NoError(t, err)
	return db, defs
}

func TestChangedSQLOfAnotherKPIDoesNotBlock(t *testing.T) {
	db, defs := twoKPIsComputed(t)
	ctx := context.Background()
	defs["j/v1.sql"] = defFile("j", 1, countQuery+" HAVING count(*) > 0")
	o := opts()
	o.KPI = "k"
	_, err := Compute(ctx, db.DB, defs, o)
	require.NoError(t, err)
	o.KPI = "j"
	_, err = Compute(ctx, db.DB, defs, o)
	assert.ErrorIs(t, err, ErrChanged)
}

func TestComputeRefusesQueries(t *testing.T) {
	cases := []struct {
		name, query, msg string
	}{
		{"wrong columns", `SELECT day, count(*) AS value FROM kpi_blobs GROUP BY day`,
			"the query returns (day DATE, value BIGINT); it must return exactly (day DATE, segmentation VARCHAR, segment VARCHAR, step VARCHAR, value DOUBLE, numerator DOUBLE, denominator DOUBLE)"},
		{"columns in the wrong order", `SELECT day, segment, segmentation, '' AS step, 1 AS value, 1 AS numerator, 1 AS denominator FROM kpi_segments`,
			"the query returns (day DATE, segment VARCHAR, segmentation VARCHAR"},
		{"kpi and version columns", `SELECT 'k' AS kpi, 1 AS version, day, segmentation, segment, '' AS step, 1 AS value, 1 AS numerator, 1 AS denominator FROM kpi_segments`,
			"the query returns (kpi VARCHAR, version INTEGER, day DATE"},
		{"text value", `SELECT day, segmentation, segment, '' AS step, 'x' AS value, 1 AS numerator, 1 AS denominator FROM kpi_segments`,
			"value VARCHAR"},
		{"timestamp day", `SELECT ts AS day, segmentation, segment, '' AS step, 1 AS value, 1 AS numerator, 1 AS denominator FROM kpi_segments`,
			"day TIMESTAMP"},
		{"does not run", `SELECT day, segmentation, segment, '' AS step, 1 AS value, 1 AS numerator, 1 AS denominator FROM no_such_table`,
			"query does not run on empty input"},
		{"two statements", `SELECT 1; SELECT 2`, "found 2 statements"},
		{"not a select", `DELETE FROM kpi_results`, "the query must be one SELECT statement: Only SELECT statements can be serialized"},
		{"syntax error", `SELEC day`, "syntax error"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := threeDays(t)
			defs := fstest.MapFS{"k/v1.sql": defFile("k", 1, countQuery), "k/v2.sql": defFile("k", 2, c.query)}
			_, err := Compute(context.Background(), db.DB, defs, opts())
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrDefinition)
			assert.Contains(t, err.Error(), "sql/kpis/k/v2.sql: ")
			assert.Contains(t, err.Error(), c.msg)
			assert.Empty(t, results(t, db, ""), "no version is computed when one is refused")
		})
	}
}

func TestComputeRefusesRows(t *testing.T) {
	cases := []struct {
		name, query, msg string
	}{
		{"rows outside the range", countQuery + " UNION ALL SELECT DATE '2023-01-01', 'Total', 'Total', '', 1, 1, NULL",
			"1 rows have a day outside 2024-03-01..2024-03-03"},
		{"undeclared segmentation", strings.Replace(countQuery, "IN ('Total', 'OS')", "IN ('Total', 'OS', 'Browser')", 1),
			"rows have a segmentation the header does not list (Total, OS)"},
		{"duplicate rows", countQuery + " UNION ALL " + countQuery,
			"more than one row for 2024-03-01 OS/Linux step ''"},
		{"zero denominator", `SELECT day, segmentation, segment, '' AS step, 1 / 0 AS value, 1 AS numerator, 0 AS denominator FROM kpi_segments WHERE segmentation = 'Total'`,
			"rows have a NULL, NaN or infinite value"},
		{"null value", `SELECT day, segmentation, segment, '' AS step, NULL AS value, 1 AS numerator, 0 AS denominator FROM kpi_segments WHERE segmentation = 'Total'`,
			"rows have a NULL, NaN or infinite value"},
		{"null step", `SELECT day, segmentation, segment, NULL::VARCHAR AS step, 1 AS value, 1 AS numerator, 0 AS denominator FROM kpi_segments WHERE segmentation = 'Total'`,
			"rows have a NULL segmentation, segment or step"},
		{"timeseries with a step", `SELECT day, segmentation, segment, 'p50' AS step, 1 AS value, 1 AS numerator, 0 AS denominator FROM kpi_segments WHERE segmentation = 'Total'`,
			"rows have a step, but a timeseries has step ''"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := threeDays(t)
			ctx := context.Background()
			defs := fstest.MapFS{"k/v1.sql": defFile("k", 1, countQuery)}
			_, err := Compute(ctx, db.DB, defs, opts())
			require.NoError(t, err)
			before := results(t, db, "")

			defs["k/v2.sql"] = defFile("k", 2, c.query)
			_, err = Compute(ctx, db.DB, defs, opts())
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrDefinition)
			assert.Contains(t, err.Error(), "sql/kpis/k/v2.sql: ")
			assert.Contains(t, err.Error(), c.msg)
			assert.Equal(t, before, results(t, db, ""), "the failed run's transaction is rolled back")
		})
	}
}

func TestComputeSelectsKPIAndVersion(t *testing.T) {
	db := threeDays(t)
	ctx := context.Background()
	defs := fstest.MapFS{
		"k/v1.sql": defFile("k", 1, countQuery),
		"k/v2.sql": defFile("k", 2, countQuery),
		"j/v1.sql": defFile("j", 1, countQuery),
	}
	o := opts()
	o.KPI, o.Version = "k", 2
	res, err := Compute(ctx, db.DB, defs, o)
	require.NoError(t, err)
	require.Len(t, res.Computed, 1)
	assert.Equal(t, "k", res.Computed[0].KPI)
	assert.Equal(t, 2, res.Computed[0].Version)
	var n int
	require.NoError(t, db.QueryRow(`SELECT count(DISTINCT (kpi, version)) FROM kpi_results`).Scan(&n))
	assert.Equal(t, 1, n)
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM kpis`).Scan(&n))
	assert.Equal(t, 3, n, "every definition is registered")

	o.KPI, o.Version = "nope", 0
	_, err = Compute(ctx, db.DB, defs, o)
	assert.ErrorIs(t, err, ErrNoKPI)
	o.KPI, o.Version = "k", 3
	_, err = Compute(ctx, db.DB, defs, o)
	assert.ErrorIs(t, err, ErrNoKPI)
}

func TestComputeWithNoDataRegistersOnly(t *testing.T) {
	db := openDB(t)
	res, err := Compute(context.Background(), db.DB, kpisql.KPIs(), opts())
	require.NoError(t, err)
	assert.Zero(t, res.Rows())
	defs, err := LoadDefinitions(kpisql.KPIs())
	require.NoError(t, err)
	var n, computed int
	require.NoError(t, db.QueryRow(`SELECT count(*), count(computed_at) FROM kpis`).Scan(&n, &computed))
	assert.Equal(t, len(defs), n, "every embedded definition is registered")
	assert.Equal(t, 0, computed)
}

func TestComputeNeedsAConfig(t *testing.T) {
	db := openDB(t)
	_, err := Compute(context.Background(), db.DB, kpisql.KPIs(), Options{})
	assert.ErrorContains(t, err, "Options.Config is empty")
}

func TestRanges(t *testing.T) {
	d := func(s string) time.Time { return date(t, s) }
	loaded := span{d("2024-03-01"), d("2024-03-31")}
	cases := []struct {
		name           string
		from, to       time.Time
		loaded         span
		asked, history span
	}{
		{"all loaded days", time.Time{}, time.Time{}, loaded, loaded, loaded},
		{"one day", d("2024-03-05"), d("2024-03-05"), loaded, span{d("2024-03-05"), d("2024-03-05")}, loaded},
		{"from only", d("2024-03-20"), time.Time{}, loaded, span{d("2024-03-20"), d("2024-03-31")}, loaded},
		{"to only", time.Time{}, d("2024-03-02"), loaded, span{d("2024-03-01"), d("2024-03-02")}, loaded},
		{"beyond the loaded days", d("2024-02-25"), d("2024-04-02"), loaded,
			span{d("2024-02-25"), d("2024-04-02")}, span{d("2024-02-25"), d("2024-04-02")}},
		{"nothing loaded", time.Time{}, time.Time{}, span{}, span{}, span{}},
		{"nothing loaded, days asked", d("2024-03-05"), d("2024-03-06"), span{},
			span{d("2024-03-05"), d("2024-03-06")}, span{d("2024-03-05"), d("2024-03-06")}},
		{"a time of day is ignored", d("2024-03-05").Add(23 * time.Hour), d("2024-03-05").Add(time.Hour), loaded,
			span{d("2024-03-05"), d("2024-03-05")}, loaded},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			asked, history := ranges(c.from, c.to, c.loaded)
			assert.Equal(t, c.asked, asked)
			assert.Equal(t, c.history, history)
		})
	}
	assert.True(t, span{}.empty())
	assert.True(t, span{d("2024-03-02"), d("2024-03-01")}.empty())
	assert.False(t, span{d("2024-03-01"), d("2024-03-01")}.empty())
}

func TestComputeRefusesFromAfterTo(t *testing.T) {
	db := openDB(t)
	o := opts()
	o.From, o.To = date(t, "2024-03-02"), date(t, "2024-03-01")
	_, err := Compute(context.Background(), db.DB, kpisql.KPIs(), o)
	assert.ErrorContains(t, err, "from 2024-03-02 is after to 2024-03-01")
}
