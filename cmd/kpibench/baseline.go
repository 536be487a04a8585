package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	_ "github.com/marcboeker/go-duckdb"
)

// baselineBlob is the blob shape given to read_ndjson: the columns kpi
// keeps, typed, so DuckDB need not sample the file to guess them.
const baselineBlob = `STRUCT(` + blobFields + `)`

// blobFields are a dialog blob's fields as read_ndjson types them.
const blobFields = `
	"timestamp" BIGINT, sample_rate DOUBLE, lang VARCHAR,
	screen_size STRUCT(width INTEGER, height INTEGER),
	user_agent STRUCT(os VARCHAR, browser VARCHAR, version VARCHAR),
	number_emails INTEGER, number_sites_logged_in INTEGER, sites_signed_in INTEGER,
	number_sites_signed_in INTEGER, number_sites_remembered INTEGER, new_account BOOLEAN,
	email_type VARCHAR, rp_api VARCHAR, orphaned BOOLEAN, event_stream VARCHAR[][]`

// baselineResult is what the baseline child reports.
type baselineResult struct {
	Sessions int64   `json:"sessions"`
	Events   int64   `json:"events"`
	Seconds  float64 `json:"seconds"`
}

// runBaseline is what a user could do instead of kpi: DuckDB alone reads
// the NDJSON with explicit columns into a sessions table and unnests the
// event streams into an events table, in a fresh database file. No
// validation, no Parquet, no KPIs, no pages.
func runBaseline(ctx context.Context, file, dbPath string) (baselineResult, error) {
	var res baselineResult
	start := time.Now()
	db, err := sql.Open("duckdb", dbPath)
	if err != nil {
		return res, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	lit := "'" + strings.ReplaceAll(file, "'", "''") + "'"
	stmts := []string{
		`CREATE TABLE sessions AS
		SELECT id, value."timestamp" AS ts, value.sample_rate AS sample_rate, value.lang AS lang,
			value.screen_size.width AS screen_width, value.screen_size.height AS screen_height,
			value.user_agent.os AS os, value.user_agent.browser AS browser, value.user_agent.version AS browser_version,
			value.number_emails AS number_emails,
			coalesce(nullif(value.number_sites_logged_in, 0), nullif(value.sites_signed_in, 0), value.number_sites_signed_in, 0) AS number_sites_signed_in,
			value.number_sites_remembered AS number_sites_remembered, value.new_account AS new_account,
			value.email_type AS email_type, value.rp_api AS rp_api, value.orphaned AS orphaned,
			value.event_stream AS event_stream
		FROM read_ndjson(` + lit + `, columns = {id: 'VARCHAR', value: '` + baselineBlob + `'}, ignore_errors = true)`,
		`CREATE TABLE events AS
		SELECT session_id, seq, e[1] AS name, TRY_CAST(e[2] AS DOUBLE)::BIGINT AS offset_ms
		FROM (SELECT id AS session_id, generate_subscripts(event_stream, 1) - 1 AS seq, unnest(event_stream) AS e
			FROM sessions)`,
		`CHECKPOINT`,
	}
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return res, fmt.Errorf("baseline: %w", err)
		}
	}
	if err := db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM sessions), (SELECT count(*) FROM events)`).Scan(&res.Sessions, &res.Events); err != nil {
		return res, err
	}
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}

// baselineChild is the baseline's own process: kpibench re-executes
// itself with childEnv set, so that the peak RSS measured is DuckDB's
// alone.
func baselineChild(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return child(ctx, "baseline", runBaseline, args, stdout, stderr)
}

// child runs one measured job (the baseline or the peer) in its own
// process on a fresh DuckDB file, and prints its result as JSON.
func child[R any](ctx context.Context, name string, run func(ctx context.Context, file, dbPath string) (R, error), args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("kpibench "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	file := fs.String("file", "", "NDJSON `file` of KPIggybank rows")
	dbPath := fs.String("db", "", "DuckDB `file` to create")
	if err := fs.Parse(args); err != nil || *file == "" || *dbPath == "" {
		fmt.Fprintf(stderr, "kpibench %s: --file and --db are required\n", name)
		return 2
	}
	if _, err := os.Stat(*dbPath); err == nil {
		fmt.Fprintf(stderr, "kpibench %s: %s exists; the %s starts from a fresh file\n", name, *dbPath, name)
		return 2
	}
	res, err := run(ctx, *file, *dbPath)
	if err != nil {
		fmt.Fprintf(stderr, "kpibench %s: %v\n", name, err)
		return 1
	}
	b, _ := json.Marshal(res)
	fmt.Fprintln(stdout, string(b))
	return 0
}
