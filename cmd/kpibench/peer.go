package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/persona-kpi/kpi/compute"
	kpiconfig "github.com/persona-kpi/kpi/config"
	kpisql "github.com/persona-kpi/kpi/sql"
	"github.com/persona-kpi/kpi/store"
)

// peerEnv marks the re-executed peer process.
const peerEnv = "KPIBENCH_PEER"

// peerResult is what the peer child reports.
type peerResult struct {
	Sessions    int64   `json:"sessions"`
	Events      int64   `json:"events"`
	Census      int64   `json:"census"`
	Versions    int     `json:"versions"`
	LoadSeconds float64 `json:"load_seconds"`
	KPISeconds  float64 `json:"kpi_seconds"`
	Seconds     float64 `json:"seconds"`
}

// peerBlob is the element shape given to read_ndjson: a dialog blob's
// fields and a census entry's (type, idp, rp), typed, so that DuckDB need
// not sample the file to guess them. Event stream elements are read as
// text ([name, offset, duration, repeat]).
const peerBlob = `STRUCT(` + blobFields + `,
	"type" VARCHAR, idp VARCHAR, rp VARCHAR)`

// peerIngest is what a user without kpi would write to get kpi's tables
// from the NDJSON with DuckDB alone: read it once, split the census
// entries from the dialog blobs, derive the columns the KPI SQL reads
// (the day, the seven segments by the configuration's aliases and lists,
// the blob's event names, the events with their durations and repeat
// counts, names cleaned as kpi cleans them), and insert. No validation,
// no rejects, no dedupe: a blob DuckDB cannot read is skipped.
var peerIngest = []string{
	`CREATE TEMP TABLE raw AS
	SELECT id, value AS b FROM read_ndjson(%s, columns = {id: 'VARCHAR', value: '` + peerBlob + `'}, ignore_errors = true)`,
	// A raw value maps to its segment when it, or its alias, is in the
	// segmentation's list; to Other otherwise.
	`CREATE TEMP TABLE seg_map AS
	SELECT segmentation, segment AS raw, segment FROM cfg_segment_lists
	UNION
	SELECT l.segmentation, a.raw, l.segment FROM cfg_aliases a JOIN cfg_segment_lists l ON l.segment = a.alias`,
	`CREATE TEMP TABLE dialog AS
	SELECT id, make_timestamp(b."timestamp" * 1000) AS ts, b.*,
		list_transform(b.event_stream, e -> regexp_replace(regexp_replace(replace(regexp_replace(e[1], '[?#].*$', ''),
			'user.email_confrimed', 'user.email_confirmed'), '[^\s@/:]+@[^\s@/:]+', 'EMAIL', 'g'), '\s', ' ', 'g')) AS names
	FROM raw WHERE b.event_stream IS NOT NULL AND len(b.event_stream) > 0 AND b."timestamp" IS NOT NULL`,
	// kpi's keys: a blob's number within its day, and its day's list of
	// distinct event names.
	`CREATE TEMP TABLE numbered AS
	SELECT *, row_number() OVER (PARTITION BY ts::DATE ORDER BY id) - 1 AS session, list_distinct(names) AS distinct_names
	FROM dialog`,
	`CREATE TEMP TABLE lists AS
	SELECT day, distinct_names, row_number() OVER (PARTITION BY day) - 1 AS event_list
	FROM (SELECT DISTINCT ts::DATE AS day, distinct_names FROM numbered)`,
	`INSERT INTO event_lists BY NAME SELECT day, event_list, distinct_names AS events FROM lists`,
	`INSERT INTO sessions BY NAME
	SELECT d.id, d.ts::DATE AS day, d.ts, d.sample_rate, d.lang,
		d.screen_size.width AS screen_width, d.screen_size.height AS screen_height,
		d.user_agent.os AS os, d.user_agent.browser AS browser, d.user_agent.version AS browser_version,
		d.number_emails,
		coalesce(nullif(d.number_sites_logged_in, 0), nullif(d.sites_signed_in, 0), d.number_sites_signed_in, 0) AS number_sites_signed_in,
		d.number_sites_remembered, d.new_account, d.email_type, d.rp_api, d.orphaned,
		len(d.event_stream) AS event_count,
		coalesce(TRY_CAST(d.event_stream[-1][2] AS DOUBLE)::BIGINT, 0) AS duration_ms,
		coalesce(os.segment, 'Other') AS seg_os,
		coalesce(br.segment, 'Other') AS seg_browser,
		coalesce(sc.segment, 'Other') AS seg_screen,
		coalesce(em.segment, 'Other') AS seg_emails,
		coalesce(lo.segment, 'Other') AS seg_locale,
		coalesce(api.segment, 'Other') AS seg_api,
		coalesce(et.segment, 'Other') AS seg_email_type,
		'peer' AS source,
		d.session,
		ls.event_list,
		hash(d.id) AS id_hash -- DuckDB's hash, not persona.IDHash: the peer deduplicates nothing
	FROM (SELECT *,
			CASE WHEN screen_size.width IS NULL THEN 'Unknown' WHEN screen_size.width >= 1024 THEN 'Desktop (>= 1024)'
				WHEN screen_size.width <= 640 THEN 'Mobile (<= 640)' ELSE 'Tablet Profile' END AS screen,
			CASE WHEN number_emails IS NULL THEN 'Unknown' WHEN number_emails < 3 THEN number_emails::VARCHAR ELSE '3+' END AS emails,
			CASE WHEN (CASE WHEN list_contains(names, 'staging_continuation') THEN list_contains(names, 'assertion_generated')
					ELSE list_contains(names, 'screen.set_password') AND NOT list_contains(names, 'authenticate.enter_password') END)
				OR list_contains(names, 'user.reset_password_staged') THEN 'Fallback' ELSE email_type END AS email_kind
		FROM numbered) d
	JOIN lists ls ON ls.day = d.ts::DATE AND ls.distinct_names = d.distinct_names
	LEFT JOIN seg_map os ON os.segmentation = 'OS' AND os.raw = d.user_agent.os
	LEFT JOIN seg_map br ON br.segmentation = 'Browser' AND br.raw = d.user_agent.browser
	LEFT JOIN seg_map sc ON sc.segmentation = 'Screen' AND sc.raw = d.screen
	LEFT JOIN seg_map em ON em.segmentation = 'Emails' AND em.raw = d.emails
	LEFT JOIN seg_map lo ON lo.segmentation = 'Locale' AND lo.raw = d.lang
	LEFT JOIN seg_map api ON api.segmentation = 'API' AND api.raw = coalesce(d.rp_api, 'Unknown')
	LEFT JOIN seg_map et ON et.segmentation = 'EmailType' AND et.raw = d.email_kind`,
	`INSERT INTO events BY NAME
	SELECT day, session, seq, name, offset_ms,
		offset_ms - coalesce(lag(offset_ms) OVER (PARTITION BY day, session ORDER BY seq), 0) AS delta_ms,
		duration_ms, repeat_count
	FROM (SELECT day, session, seq, name, coalesce(TRY_CAST(e[2] AS DOUBLE)::BIGINT, 0) AS offset_ms,
			TRY_CAST(e[3] AS DOUBLE)::BIGINT AS duration_ms, TRY_CAST(e[4] AS INTEGER) AS repeat_count
		FROM (SELECT ts::DATE AS day, session, generate_subscripts(event_stream, 1) - 1 AS seq,
				unnest(names) AS name, unnest(event_stream) AS e FROM numbered))
	WHERE name IS NOT NULL`,
	`INSERT INTO server_events BY NAME
	SELECT id, make_timestamp(b."timestamp" * 1000)::DATE AS day, make_timestamp(b."timestamp" * 1000) AS ts, b."type" AS type,
		b.user_agent.os AS os, b.user_agent.browser AS browser, b.user_agent.version AS browser_version,
		b.idp, b.rp, 'peer' AS source
	FROM raw WHERE b.event_stream IS NULL AND b."type" IS NOT NULL AND b."timestamp" IS NOT NULL`,
	`DROP TABLE lists`,
	`DROP TABLE numbered`,
	`DROP TABLE dialog`,
	`DROP TABLE raw`,
	`CHECKPOINT`,
}

// runPeer is what a user without kpi would build instead, a
// dbt-duckdb-style pipeline: DuckDB loads the NDJSON into kpi's tables
// (peerIngest), then runs every KPI version of sql/kpis as is, over views
// (compute.PrepareQueries: the input relations and the facts as views,
// over every day at once), each into a table. It does not estimate
// intervals: a population estimate's rows stay its kpi_sums.
func runPeer(ctx context.Context, file, dbPath string) (peerResult, error) {
	var res peerResult
	start := time.Now()
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		return res, err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return res, err
	}
	defer conn.Close()
	// kpi's tables, but DuckDB's own settings, as a user's plain DuckDB
	// would have them (store.Open bounds kpi's writer's memory).
	limit, err := defaultMemoryLimit(ctx)
	if err != nil {
		return res, err
	}
	for _, s := range []string{"SET GLOBAL memory_limit = '" + limit + "'", "RESET GLOBAL checkpoint_threshold"} {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			return res, err
		}
	}
	defs, err := compute.LoadDefinitions(kpisql.KPIs())
	if err != nil {
		return res, err
	}
	facts, err := compute.LoadFacts(kpisql.Facts())
	if err != nil {
		return res, err
	}
	// The configuration tables first: the segments are made from them.
	far := time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
	if err := compute.PrepareQueries(ctx, conn, kpiconfig.Default(), time.Unix(0, 0).UTC(), far, nil); err != nil {
		return res, err
	}
	lit := "'" + strings.ReplaceAll(file, "'", "''") + "'"
	for i, s := range peerIngest {
		if i == 0 {
			s = fmt.Sprintf(s, lit)
		}
		if _, err := conn.ExecContext(ctx, s); err != nil {
			return res, fmt.Errorf("peer ingest: %w", err)
		}
	}
	if err := conn.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM sessions), (SELECT count(*) FROM events), (SELECT count(*) FROM server_events)`).
		Scan(&res.Sessions, &res.Events, &res.Census); err != nil {
		return res, err
	}
	res.LoadSeconds = time.Since(start).Seconds()

	kpis := time.Now()
	var first, last time.Time
	if err := conn.QueryRowContext(ctx, `SELECT min(day), max(day) FROM sessions`).Scan(&first, &last); err != nil {
		return res, err
	}
	if err := compute.PrepareQueries(ctx, conn, kpiconfig.Default(), first, last, facts); err != nil {
		return res, err
	}
	for _, d := range defs {
		if _, err := conn.ExecContext(ctx, fmt.Sprintf("CREATE TABLE peer_%s_v%d AS\n%s", d.ID, d.Version, d.SQL)); err != nil {
			return res, fmt.Errorf("peer %s: %w", d.Path, err)
		}
		res.Versions++
	}
	if _, err := conn.ExecContext(ctx, `CHECKPOINT`); err != nil {
		return res, err
	}
	res.KPISeconds = time.Since(kpis).Seconds()
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}

// defaultMemoryLimit is DuckDB's own memory limit on this machine (80% of
// RAM), read from a fresh in-memory database.
func defaultMemoryLimit(ctx context.Context) (string, error) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return "", err
	}
	defer db.Close()
	var limit string
	err = db.QueryRowContext(ctx, `SELECT current_setting('memory_limit')`).Scan(&limit)
	return limit, err
}

// peerChild is the peer's own process, as baselineChild is the
// baseline's.
func peerChild(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return child(ctx, "peer", runPeer, args, stdout, stderr)
}
