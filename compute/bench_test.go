package compute

import (
	"context"
	"database/sql"
	"flag"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/persona-kpi/kpi/config"
	kpisql "github.com/persona-kpi/kpi/sql"
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
		res, err := Compute(ctx, db, kpisql.KPIs(), Options{Config: config.Default()})
		require.NoError(b, err)
		b.ReportMetric(float64(res.Rows()), "rows")
	}
}

// genBench fills sessions and events with -sessions synthetic blobs.
func genBench(b *testing.B, db *sql.DB) {
	ctx := context.Background()
	// The event names a stream draws from, so every flow has blobs.
	_, err := db.ExecContext(ctx, `
		INSERT INTO sessions SELECT
			'id' || i, DATE '2024-01-01' + (i % 30)::INTEGER, TIMESTAMP '2024-01-01' + INTERVAL (i % 30) DAY,
			[1.0, 0.5, 0.1, NULL][1 + i % 4], ['en', 'en-US', 'de', 'pt-BR', NULL][1 + i % 5], 320 + (i % 7) * 200, 600,
			'os', 'browser', '1', (i % 5)::INTEGER, (i % 9)::INTEGER, 0, i % 3 = 0, 'primary', 'get', i % 11 = 0,
			4 + (i % 8)::INTEGER, 1000,
			['Windows 7', 'Linux', 'iOS', 'Other'][1 + i % 4], ['Firefox', 'Chrome', 'Other'][1 + i % 3],
			['Desktop (>= 1024)', 'Mobile (<= 640)', 'Tablet Profile'][1 + i % 3], ['0', '1', '2', '3+', 'Unknown'][1 + i % 5],
			['English', 'German', 'Other'][1 + i % 3], ['get', 'watch', 'Other'][1 + i % 3], ['IdP', 'Fallback', 'Other'][1 + i % 3],
			'bench', []::VARCHAR[]
		FROM range(?) t(i)`, *benchSessions)
	require.NoError(b, err)
	_, err = db.ExecContext(ctx, `
		INSERT INTO events SELECT
			s.day, s.id, j::INTEGER,
			['screen.rp_info', 'screen.set_password', 'user.user_staged', 'user.user_confirmed', 'generate_assertion',
			 'assertion_generated', 'screen.pick_email', 'authenticate.enter_password', 'staging_continuation',
			 'user.reset_password_staged', 'user.email_staged', 'screen.error', 'screen.provision_primary_user',
			 'window.unload'][1 + (hash(s.id, j) % 14)::INTEGER],
			j * 100, 100
		FROM sessions s, range(s.event_count) r(j)`)
	require.NoError(b, err)
	_, err = db.ExecContext(ctx, `
		UPDATE sessions SET events = e.names
		FROM (SELECT session_id, list_distinct(list(name ORDER BY seq)) AS names FROM events GROUP BY session_id) e
		WHERE e.session_id = sessions.id`)
	require.NoError(b, err)
}
