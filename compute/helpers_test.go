package compute

import (
	"context"
	"database/sql"
	"encoding/json"
	"io/fs"
	"path/filepath"
	"slices"
	"sort"
	"testing"
	"time"

	_ "github.com/marcboeker/go-duckdb"
	"github.com/stretchr/testify/require"

	kpisql "github.com/persona-kpi/kpi/sql"
)

// openDB opens a fresh DuckDB file with every migration applied, as the
// lead's load package does in production.
func openDB(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", filepath.Join(t.TempDir(), "kpi.duckdb"))
	require.NoError(t, err)
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })

	migrations := kpisql.Migrations()
	names, err := fs.Glob(migrations, "*.sql")
	require.NoError(t, err)
	sort.Strings(names)
	require.NotEmpty(t, names)
	for _, name := range names {
		b, err := fs.ReadFile(migrations, name)
		require.NoError(t, err)
		_, err = db.Exec(string(b))
		require.NoError(t, err, "migration %s", name)
	}
	return db
}

// date parses YYYY-MM-DD.
func date(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse(time.DateOnly, s)
	require.NoError(t, err)
	return d
}

// session is a hand-made sessions row for tests that need no blobs: only
// the fields the test cares about, the rest defaulted.
type session struct {
	id, day string
	events  []string
	sites   int
	os      string // seg_os; "" is Other
}

// insertSessions writes sessions and their events rows directly.
func insertSessions(t *testing.T, db *sql.DB, ss ...session) {
	t.Helper()
	ctx := context.Background()
	for _, s := range ss {
		os := s.os
		if os == "" {
			os = "Other"
		}
		_, err := db.ExecContext(ctx, `INSERT INTO sessions VALUES (
			?, ?::DATE, ?::DATE::TIMESTAMP, 1.0, 'en', 1280, 800, NULL, NULL, NULL, 1, ?, 0, false, 'secondary', 'get', false,
			?, 0, ?, 'Other', 'Desktop (>= 1024)', '1', 'English', 'get', 'Fallback', 'test', CAST(?::JSON AS VARCHAR[]))`,
			s.id, s.day, s.day, s.sites, len(s.events), os, distinctJSON(s.events))
		require.NoError(t, err)
		for i, e := range s.events {
			_, err := db.ExecContext(ctx, `INSERT INTO events VALUES (?::DATE, ?, ?, ?, ?, ?)`, s.day, s.id, i, e, i*100, 100)
			require.NoError(t, err)
		}
	}
}

// distinctJSON is names without repeats, in order, as a JSON array (as
// transform writes sessions.events).
func distinctJSON(names []string) string {
	out := []string{}
	for _, n := range names {
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	b, _ := json.Marshal(out)
	return string(b)
}

// resultRow is one kpi_results row, NULLs as nil.
type resultRow struct {
	KPI          string
	Version      int
	Day          string
	Segmentation string
	Segment      string
	Step         string
	Value        float64
	Numerator    *float64
	Denominator  *float64
}

// results reads kpi_results in a stable order, optionally for one KPI.
func results(t *testing.T, db *sql.DB, kpi string) []resultRow {
	t.Helper()
	rows, err := db.Query(`SELECT kpi, version, day::VARCHAR, segmentation, segment, step, value, numerator, denominator
		FROM kpi_results WHERE ? = '' OR kpi = ?
		ORDER BY kpi, version, day, segmentation, segment, step`, kpi, kpi)
	require.NoError(t, err)
	defer rows.Close()
	var out []resultRow
	for rows.Next() {
		var r resultRow
		var num, den sql.NullFloat64
		require.NoError(t, rows.Scan(&r.KPI, &r.Version, &r.Day, &r.Segmentation, &r.Segment, &r.Step, &r.Value, &num, &den))
		if num.Valid {
			r.Numerator = &num.Float64
		}
		if den.Valid {
			r.Denominator = &den.Float64
		}
		out = append(out, r)
	}
	require.NoError(t, rows.Err())
	return out
}
