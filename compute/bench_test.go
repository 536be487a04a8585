package compute

import (
	"context"
	"flag"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/persona-kpi/kpi/config"
	kpisql "github.com/persona-kpi/kpi/sql"
	"github.com/persona-kpi/kpi/store"
)

var benchSessions = flag.Int("sessions", 200_000, "sessions BenchmarkCompute generates")

// BenchmarkCompute computes every embedded KPI version over synthetic
// sessions spread over 30 days with 4 to 11 events each, e.g.
//
//	go test ./compute/ -run '^$' -bench Compute -benchtime 1x -sessions 2000000
func BenchmarkCompute(b *testing.B) {
	db := openDB(b)
	ctx := context.Background()
	genBench(b, db)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_, err := db.ExecContext(ctx, `DELETE FROM kpi_results; DELETE FROM kpis`)
		require.NoError(b, err)
		res, err := Compute(ctx, db.DB, kpisql.KPIs(), Options{Config: config.Default()})
		require.NoError(b, err)
		b.ReportMetric(float64(res.Rows()), "rows")
	}
}

// genBench fills sessions and events with -sessions synthetic blobs.
func genBench(b *testing.B, db *store.DB) {
	ctx := context.Background()
	_, err := db.ExecContext(ctx, `
		INSERT INTO sessions BY NAME SELECT
			'id' || i AS id, DATE '2024-01-01' + (i % 30)::INTEGER AS day, TIMESTAMP '2024-01-01' + INTERVAL (i % 30) DAY AS ts,
			[1.0, 0.5, 0.1, NULL][1 + i % 4] AS sample_rate, ['en', 'en-US', 'de', 'pt-BR', NULL][1 + i % 5] AS lang,
			320 + (i % 7) * 200 AS screen_width, 600 AS screen_height,
			'os' AS os, 'browser' AS browser, '1' AS browser_version, (i % 5)::INTEGER AS number_emails,
			(i % 9)::INTEGER AS number_sites_signed_in, 0 AS number_sites_remembered, i % 3 = 0 AS new_account,
			'primary' AS email_type, 'get' AS rp_api, i % 11 = 0 AS orphaned,
			4 + (i % 8)::INTEGER AS event_count, 1000 AS duration_ms,
			['Windows 7', 'Linux', 'iOS', 'Other'][1 + i % 4] AS seg_os, ['Firefox', 'Chrome', 'Other'][1 + i % 3] AS seg_browser,
			['Desktop (>= 1024)', 'Mobile (<= 640)', 'Tablet Profile'][1 + i % 3] AS seg_screen,
			['0', '1', '2', '3+', 'Unknown'][1 + i % 5] AS seg_emails,
			['English', 'German', 'Other'][1 + i % 3] AS seg_locale, ['get', 'watch', 'Other'][1 + i % 3] AS seg_api,
			['IdP', 'Fallback', 'Other'][1 + i % 3] AS seg_email_type,
			'bench' AS source, (i // 30)::INTEGER AS session, 0 AS event_list, hash('id' || i) AS id_hash
		FROM range(?) t(i)`, *benchSessions)
	require.NoError(b, err)
	// The event names a stream draws from, so every flow has blobs.
	_, err = db.ExecContext(ctx, `
		INSERT INTO events BY NAME SELECT
			s.day, s.session, j::INTEGER AS seq,
			['screen.rp_info', 'screen.set_password', 'user.user_staged', 'user.user_confirmed', 'generate_assertion',
			 'assertion_generated', 'screen.pick_email', 'authenticate.enter_password', 'staging_continuation',
			 'user.reset_password_staged', 'user.email_staged', 'screen.error', 'screen.provision_primary_user',
			 'window.unload'][1 + (hash(s.id, j) % 14)::INTEGER] AS name,
			j * 100 AS offset_ms, 100 AS delta_ms
		FROM sessions s, range(s.event_count) r(j)`)
	require.NoError(b, err)
	// Each day's distinct lists, numbered, and each session's number.
	for _, q := range []string{
		`CREATE TEMP TABLE bench_lists AS SELECT day, session, list_distinct(list(name ORDER BY seq)) AS names
			FROM events GROUP BY day, session`,
		`INSERT INTO event_lists SELECT day, row_number() OVER (PARTITION BY day ORDER BY names::VARCHAR) - 1, names
			FROM (SELECT DISTINCT day, names FROM bench_lists)`,
		`UPDATE sessions SET event_list = l.event_list FROM bench_lists b JOIN event_lists l ON l.day = b.day AND l.events = b.names
			WHERE sessions.day = b.day AND sessions.session = b.session`,
		`DROP TABLE bench_lists`,
	} {
		_, err = db.ExecContext(ctx, q)
		require.NoError(b, err)
	}
}
