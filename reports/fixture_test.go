package reports

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	_ "github.com/marcboeker/go-duckdb"

	"github.com/persona-kpi/kpi/compute"
	"github.com/persona-kpi/kpi/config"
	"github.com/persona-kpi/kpi/persona"
	kpisql "github.com/persona-kpi/kpi/sql"
	"github.com/persona-kpi/kpi/store"
)

// Hostile values, as end users' browsers may send them. They go through
// the OS, Browser and Locale segments, the raw session fields, event names
// and a funnel step, and must come out as text.
const (
	evilScript  = `<script>window.__pwned=1</script>`
	evilImg     = `"><img src=x onerror=window.__pwned=1>`
	evilClose   = `</script><script>window.__pwned=1</script>`
	evilURL     = `javascript:window.__pwned=1`
	evilLineSep = "en\u2028US\u2029x"
	evilFormula = `=HYPERLINK("http://evil.example/","x")`
)

// Values too long to show whole: a raw OS value of 1 MB, an event name of
// 100 kB, a browser segment of 14,000 characters.
var (
	evilHugeOS    = "<b>" + strings.Repeat("Windows NT 6.1 \u2028; ", 1<<20/22)
	evilLongEvent = "screen." + strings.Repeat("x<i>", 25000)
	evilLongSeg   = strings.Repeat("Firefox/", 1750)
)

var fixtureThrough = time.Date(2024, 5, 30, 0, 0, 0, 0, time.UTC)

// fixtureGap is a day that was never loaded: no results, no loaded_days.
var fixtureGap = fixtureThrough.AddDate(0, 0, -12)

// fixtureCensusGap is a loaded day without census entries.
var fixtureCensusGap = fixtureThrough.AddDate(0, 0, -3)

type fixture struct {
	days    int
	hostile bool
	// stationary keeps the simulated population the same every day but
	// for the weekday rhythm: no growth and no planted change, so no
	// estimate has really changed.
	stationary bool
}

// evilMilestone is a milestone label whose entities decode to markup.
const evilMilestone = `&lt;img src=x onerror=window.__pwned=1&gt; &amp; &beta;`

// testOptions are the Options the tests build with: the default
// configuration plus milestones like the original dashboard's (release
// trains, entities, an outage as two days and as a range, close enough to
// collide), one for two KPIs only, and labels with markup.
func testOptions() Options {
	cfg := config.Default()
	cfg.Milestones = []config.Milestone{
		{Milestone: "&alpha; release", Date: "2024-03-14"},
		{Milestone: "Train 2024.03.20", Date: "2024-03-20"},
		{Milestone: "Train 2024.04.03", Date: "2024-04-03"},
		{Milestone: "Gmail Bridge Live", Date: "2024-04-10"},
		{Milestone: "New dialog design", Date: "2024-04-15"},
		{Milestone: "Train 2024.04.17", Date: "2024-04-17"},
		{Milestone: "kpiggybank down", Date: "2024-04-24"},
		{Milestone: "kpiggybank up", Date: "2024-04-26"},
		{Milestone: `Fix <b>"quoted"</b> & more`, Date: "2024-05-10"},
		{Milestone: "kpiggybank outage", From: "2024-05-13", To: "2024-05-15"},
		{Milestone: "Train 2024.05.22", Date: "2024-05-22", KPIs: []string{"new_user_flow", "new_user_success"}},
		{Milestone: evilMilestone, Date: "2024-05-27"},
		{Milestone: "Outside the data", Date: "2001-01-01"},
	}
	return Options{Config: cfg, GeneratedAt: time.Date(2024, 5, 31, 6, 0, 0, 0, time.UTC)}
}

// newFixtureDB builds a DuckDB file in a temporary directory: the real
// migrations, then a kpis table and kpi_results rows made here.
func newFixtureDB(tb testing.TB, f fixture) *sql.DB {
	tb.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(tb.TempDir(), "kpi.duckdb"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	db := st.DB
	exec := func(q string, args ...any) {
		tb.Helper()
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			tb.Fatalf("%v\n%s", err, q)
		}
	}
	// The fixture's KPI versions, registered from their real headers as
	// compute registers them, with a stand-in SQL text.
	headers, err := compute.LoadDefinitions(kpisql.KPIs())
	if err != nil {
		tb.Fatal(err)
	}
	registered := []string{
		"new_user_flow v1", "new_user_success v1", "new_users v1", "password_reset_flow v1",
		"sites_signed_in v1", "sites_signed_in v2", "sign_in_attempts v1", "sign_in_attempts v2",
		"new_user_bounce v1", "bounce_rate v1", "general_progress v1", "email_addition_flow v1",
		"orphaned_rate v1", "assertion_time v1", "email_confirmation_time v1",
		"server_accounts_created v1", "server_census v1",
	}
	// A stand-in for each version's SQL that reads what the real one
	// reads: the census KPIs the server's entries, the others the blobs.
	standIn := func(d compute.Definition) string {
		if strings.Contains(d.SQL, "kpi_server_events") {
			return fmt.Sprintf("-- %s v%d\nSELECT day, count(*) AS value\nFROM kpi_server_events\nGROUP BY day", d.ID, d.Version)
		}
		return fmt.Sprintf("-- %s v%d\nSELECT day, count(*) AS value\nFROM kpi_blobs\nWHERE number_emails < 3\nGROUP BY day", d.ID, d.Version)
	}
	estimates := estimateDefinitions(tb, headers, registered)
	var defs []compute.Definition
	for _, d := range headers {
		if slices.Contains(registered, d.Key()) {
			d.SQL = standIn(d)
			defs = append(defs, d)
		}
	}
	for _, d := range append(defs, estimates...) {
		sqlText := d.SQL // a stand-in
		exec(`INSERT INTO kpis (kpi, version, title, question, unit, kind, page_order, better, segmentations, description, path,
				sha256, sql, computed_at, computed_from, computed_to, estimate)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, string_split(?, ','), ?, ?, 'abc', ?, TIMESTAMP '2024-05-31 06:01:20', ?, ?, ?)`,
			d.ID, d.Version, d.Title, d.Question, d.Unit, d.Kind, d.Order, d.Better, strings.Join(d.Segmentations, ","), d.Description, d.Path,
			sqlText, fixtureThrough.AddDate(0, 0, -(f.days-1)), fixtureThrough, estSpecEstimate(d, estimates))
	}

	segs := fixtureSegments(f.hostile)
	cfg := config.Default()
	var vals []string
	for i, s := range segs {
		vals = append(vals, fmt.Sprintf("(%d, %s, %s, %g)", i, sqlQuote(s.segmentation), sqlQuote(s.segment), s.share))
	}
	start := fixtureThrough.AddDate(0, 0, -(f.days - 1))
	exec(fmt.Sprintf(`CREATE TEMP TABLE fx_segs AS SELECT * FROM (VALUES %s) v(id, segmentation, segment, share)`, strings.Join(vals, ",")))
	// Daily volume: about 2000 blobs, a weekly rhythm, slow growth, and
	// noise from a hash so the fixture is the same on every run. Each
	// segmentation's segments split the day's Total, as real ones do.
	exec(fmt.Sprintf(`CREATE TEMP TABLE fx_base AS
		WITH raw AS (
			SELECT (DATE '%s' + CAST(i AS INTEGER)) AS day, i, s.segmentation, s.segment, s.id AS sid,
			       (hash(i, s.id) %% 1000) / 1000.0 AS r1,
			       (hash(i, s.id, 7) %% 1000) / 1000.0 AS r2,
			       2000 * (1 + 0.18 * sin(i * 2 * pi() / 7)) * (1 + i / 400.0) * (0.95 + 0.1 * ((hash(i, 3) %% 1000) / 1000.0)) AS day_total,
			       s.share * (0.85 + 0.3 * ((hash(i, s.id, 3) %% 1000) / 1000.0)) AS weight
			FROM range(%d) t(i), fx_segs s
			WHERE (DATE '%s' + CAST(i AS INTEGER)) <> DATE '%s'
		)
		SELECT day, i, segmentation, segment, sid, r1, r2,
		       day_total * weight / sum(weight) OVER (PARTITION BY i, segmentation) AS blobs
		FROM raw`,
		start.Format(time.DateOnly), f.days, start.Format(time.DateOnly), fixtureGap.Format(time.DateOnly)))
	segmented := `TRUE`
	total := `segmentation = 'Total'`
	exec(`INSERT INTO kpi_results (kpi, version, day, segmentation, segment, step, value, numerator, denominator)
		SELECT 'sign_in_attempts', 1, day, segmentation, segment, '', round(blobs), NULL, NULL FROM fx_base WHERE ` + segmented + `
		UNION ALL SELECT 'new_users', 1, day, segmentation, segment, '', round(blobs * (0.028 + 0.006 * r1)), NULL, NULL FROM fx_base
		UNION ALL SELECT 'new_user_success', 1, day, segmentation, segment, '', n / d, n, d FROM (
			SELECT *, round(blobs * 0.05) AS d, round(round(blobs * 0.05) * (0.55 + 0.12 * r1 + 0.0006 * i)) AS n FROM fx_base) WHERE d > 0
		UNION ALL SELECT 'new_user_bounce', 1, day, segmentation, segment, '', n / d, n, d FROM (
			SELECT *, round(blobs * 0.05) AS d, round(round(blobs * 0.05) * (0.22 + 0.08 * r2)) AS n FROM fx_base) WHERE d > 0
		UNION ALL SELECT 'sites_signed_in', 1, day, segmentation, segment, '', n / d, n, d FROM (
			SELECT *, round(blobs) AS d, round(blobs * (2.1 + 0.5 * r1 + 0.002 * i)) AS n FROM fx_base) WHERE d > 0
		UNION ALL SELECT 'sites_signed_in', 2, day, segmentation, segment, 'p25', 1, NULL, round(blobs) FROM fx_base WHERE round(blobs) > 0
		UNION ALL SELECT 'sites_signed_in', 2, day, segmentation, segment, 'p50', CASE WHEN r1 > 0.4 THEN 2 ELSE 1.5 END, NULL, round(blobs) FROM fx_base WHERE round(blobs) > 0
		UNION ALL SELECT 'sites_signed_in', 2, day, segmentation, segment, 'p75', CASE WHEN r2 > 0.3 THEN 3 ELSE 4 END, NULL, round(blobs) FROM fx_base WHERE round(blobs) > 0
		UNION ALL SELECT 'sign_in_attempts', 2, day, segmentation, segment, '', blobs / 0.95, NULL, NULL FROM fx_base WHERE round(blobs) > 0
		UNION ALL SELECT 'orphaned_rate', 1, day, segmentation, segment, '', n / d, n, d FROM (
			SELECT *, round(blobs) AS d, round(round(blobs) * (0.04 + 0.02 * r2)) AS n FROM fx_base) WHERE d > 0
		UNION ALL SELECT 'assertion_time', 1, day, segmentation, segment, 'p50', round(800 + 400 * r1 - 2 * i), NULL, round(blobs * 0.7) FROM fx_base
			WHERE segmentation IN ('Total', 'Browser', 'OS') AND round(blobs * 0.7) > 0
		UNION ALL SELECT 'assertion_time', 1, day, segmentation, segment, 'p95', round(2600 + 1500 * r2 - 5 * i), NULL, round(blobs * 0.7) FROM fx_base
			WHERE segmentation IN ('Total', 'Browser', 'OS') AND round(blobs * 0.7) > 0
		UNION ALL SELECT 'email_confirmation_time', 1, day, segmentation, segment, 'p50', round(95000 + 40000 * r1), NULL, round(blobs * 0.04) FROM fx_base
			WHERE segmentation IN ('Total', 'Browser', 'OS') AND round(blobs * 0.04) > 0
		UNION ALL SELECT 'email_confirmation_time', 1, day, segmentation, segment, 'p95', round(600000 + 300000 * r2), NULL, round(blobs * 0.04) FROM fx_base
			WHERE segmentation IN ('Total', 'Browser', 'OS') AND round(blobs * 0.04) > 0
		UNION ALL SELECT 'bounce_rate', 1, day, segmentation, segment, '', 1 - e / s, s - e, s FROM (
			SELECT *, round(blobs * 0.9) AS s, round(round(blobs * 0.9) * (0.58 + 0.1 * r2)) AS e FROM fx_base WHERE ` + total + `) WHERE s > 0`)
	// A factor of 1 makes a step equal to the one before on most days, as
	// new users' steps 3 and 4 often are.
	step := func(kpi string, steps []string, factors []float64, where string) {
		var parts []string
		acc := "blobs"
		for i, name := range steps {
			if factors[i] == 1 && i > 0 {
				acc = fmt.Sprintf("(CASE WHEN r1 > 0.3 THEN %s ELSE %s * 0.9 END)", acc, acc)
			} else {
				acc = fmt.Sprintf("(%s * %g * (0.95 + 0.1 * r%d))", acc, factors[i], i%2+1)
			}
			parts = append(parts, fmt.Sprintf(`SELECT %s, 1, day, segmentation, segment, %s, round(%s), NULL, round(%s) FROM fx_base WHERE %s`,
				sqlQuote(kpi), sqlQuote(name), acc, fmt.Sprintf("(blobs * %g * (0.95 + 0.1 * r1))", factors[0]), where))
		}
		exec("INSERT INTO kpi_results (kpi, version, day, segmentation, segment, step, value, numerator, denominator) " + strings.Join(parts, " UNION ALL "))
	}
	flowSteps := func(name string) []string {
		var out []string
		for _, s := range cfg.Flows[name] {
			out = append(out, s.Name)
		}
		return out
	}
	step("new_user_flow", flowSteps("new_user"), []float64{0.09, 0.72, 0.8, 1}, segmented)
	step("password_reset_flow", flowSteps("password_reset"), []float64{0.012, 0.62, 0.85}, total)
	step("general_progress", flowSteps("general_progress"), []float64{1, 0.93, 0.6, 0.08, 0.9}, total)
	ea := flowSteps("email_addition")
	if f.hostile {
		ea = append(ea, "4 - "+evilImg)
	}
	step("email_addition_flow", ea, []float64{0.006, 0.7, 0.9, 0.5}, total)
	// "A day or segment with no qualifying blobs has no row."
	exec(`DELETE FROM kpi_results WHERE value = 0 AND kpi IN ('sign_in_attempts', 'new_users', 'new_user_flow', 'password_reset_flow', 'general_progress', 'email_addition_flow')`)
	// The population estimates, from simulated weighted blobs.
	insertEstimates(tb, db, f, estimates)

	// Load bookkeeping: runs, loaded_days, rejects.
	exec(`INSERT INTO runs (id, command, started_at, ended_at, status, source, from_day, to_day, fetched, loaded, server_events, duplicates, conflicts, rejected, error) VALUES
		(1, 'run', TIMESTAMP '2024-05-29 06:00:00', TIMESTAMP '2024-05-29 06:01:10', 'success', 'generate', DATE '2024-04-30', DATE '2024-05-28', 58000, 41500, 16000, 300, 0, 200, NULL),
		(2, 'run', TIMESTAMP '2024-05-30 06:00:00', TIMESTAMP '2024-05-30 06:00:04', 'failed', 'https://kpiggybank.example.org/wsapi/interaction_data', NULL, NULL, 0, 0, 0, 0, 0, 0, ?),
		(3, 'run', TIMESTAMP '2024-05-31 06:00:00', TIMESTAMP '2024-05-31 06:01:30', 'success', 'generate', DATE '2024-05-01', DATE '2024-05-30', 60000, 41400, 18000, 350, 3, 250, NULL)`,
		"fetch window 2024-05-29: "+evilScript)
	// Census entries are about a third of the blobs; a few days have
	// conflicting re-deliveries among their duplicates.
	exec((`INSERT INTO loaded_days (day, run_id, loaded_at, fetched, loaded, server_events, duplicates, conflicts, rejected)
		SELECT day, 3, TIMESTAMP '2024-05-31 06:01:00', l + s + d + r, l, s, d, CASE WHEN r2 > 0.9 THEN least(d, 2) ELSE 0 END, r FROM (
			SELECT day, r2, CAST(round(blobs) AS BIGINT) AS l, CAST(round(blobs * 0.3) AS BIGINT) AS s,
			       CAST(round(blobs * 0.006) AS BIGINT) AS d, CAST(round(blobs * 0.004 * r1) AS BIGINT) AS r
			FROM fx_base WHERE segmentation = 'Total')`))
	// The census per type: each day's entries split by fixed shares, a
	// day without any (entries lost), and in the hostile fixture types
	// that are not the server's. Each day's census entries in
	// loaded_days are then the profile's, so that the days add up.
	var shares []string
	for i, ty := range persona.ServerEventTypes {
		shares = append(shares, fmt.Sprintf("(%s, %g, %g)", sqlQuote(ty), float64(i)/float64(len(persona.ServerEventTypes)), float64(i+1)/float64(len(persona.ServerEventTypes))))
	}
	exec(fmt.Sprintf(`INSERT INTO day_server_types
		SELECT day, type, CAST(floor(server_events * hi) - floor(server_events * lo) AS BIGINT) AS n
		FROM loaded_days, (VALUES %s) t(type, lo, hi)
		WHERE day <> ? AND floor(server_events * hi) > floor(server_events * lo)`, strings.Join(shares, ", ")), fixtureCensusGap)
	if f.hostile {
		for i, ty := range []string{evilScript, evilImg, evilLineSep, "Signin", strings.Repeat("stage_user.success", 1000)} {
			exec(`INSERT INTO day_server_types VALUES (?, ?, ?)`, fixtureThrough, ty, i+1)
		}
	}
	// The census KPIs, from the census as their SQL counts it: a type of
	// another shape than the server's names is Other.
	exec(`INSERT INTO kpi_results (kpi, version, day, segmentation, segment, step, value, numerator, denominator)
		SELECT 'server_census', 1, day, 'Total', 'Total', '', sum(events), sum(events), NULL FROM day_server_types GROUP BY day
		UNION ALL SELECT 'server_census', 1, day, 'Type', segment, '', sum(events), sum(events), NULL FROM (
			SELECT day, events, CASE WHEN regexp_full_match(type, '[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*') THEN type ELSE 'Other' END AS segment
			FROM day_server_types) GROUP BY day, segment
		UNION ALL SELECT 'server_accounts_created', 1, day, 'Total', 'Total', '', n, n, NULL FROM (
			SELECT day, sum(events) FILTER (WHERE type = 'complete_user_creation.success') AS n FROM day_server_types GROUP BY day)`)
	exec(`UPDATE loaded_days SET server_events = coalesce((SELECT sum(events) FROM day_server_types t WHERE t.day = loaded_days.day), 0)`)
	exec(`UPDATE loaded_days SET fetched = loaded + server_events + duplicates + rejected`)
	// The sample-rate mix: desktops at 0.1, phones at 0.5 (Android at
	// 0.25 in the last 10 days), Firefox OS at 0.7, some blobs without a
	// rate; in the hostile fixture, OS segments that are markup or 1 MB
	// long and rates nobody sets.
	exec(fmt.Sprintf(`INSERT INTO day_sample_rates
		SELECT day, os, CASE WHEN os = 'Android' AND day > DATE '%s' - 10 THEN 0.25 ELSE rate END,
		       CAST(round(loaded * share) AS BIGINT)
		FROM loaded_days, (VALUES ('Windows 7', 0.1, 0.4), ('Windows 8', 0.1, 0.15), ('Macintosh', 0.1, 0.15), ('Linux', 0.1, 0.05),
			('Android', 0.5, 0.1), ('iOS', 0.5, 0.08), ('FirefoxOS', 0.7, 0.02), ('Other', 0.1, 0.04), ('Other', NULL, 0.01)) t(os, rate, share)`,
		fixtureThrough.Format(time.DateOnly)))
	if f.hostile {
		for i, v := range []struct {
			os   string
			rate any
		}{{evilScript, 0.1}, {evilHugeOS, 0.123456789}, {evilLineSep, 1e-9}, {"FirefoxOS", 0.33}, {"FirefoxOS", 0.34}, {"FirefoxOS", 0.35}, {"iOS", nil}} {
			exec(`INSERT INTO day_sample_rates VALUES (?, ?, ?, ?)`, fixtureThrough, v.os, v.rate, i+1)
		}
	}
	exec(`INSERT INTO rejects (day, blob_day, id, source, reason, detail, raw)
		SELECT day, day, 'id' || fx_base.i || '-' || k, 'generate', CASE WHEN k % 3 = 0 THEN 'bad_json' WHEN k % 3 = 1 THEN 'no_events' ELSE 'bad_timestamp' END,
		       'detail', '{"raw": "' || k || '"}'
		FROM fx_base, range(3) t(k) WHERE segmentation = 'Total' AND r1 > 0.3 + k * 0.2`)

	// Sessions with raw values behind Other, hostile ones among them, and
	// events with hostile names.
	exec(fmt.Sprintf(`INSERT INTO sessions (id, day, ts, lang, screen_width, os, browser, number_emails, number_sites_signed_in,
			email_type, rp_api, event_count, duration_ms, seg_os, seg_browser, seg_screen, seg_emails, seg_locale, seg_api, seg_email_type, source, session, event_list, id_hash)
		SELECT 's' || i, DATE '%s' - CAST(i %% 20 AS INTEGER), TIMESTAMP '%s 10:00:00' - INTERVAL (i %% 20) DAY,
			CASE WHEN i %% 4 = 0 THEN 'en-US' WHEN i %% 4 = 1 THEN 'en' ELSE 'de' END,
			1280, CASE WHEN i %% 5 = 0 THEN 'Windows NT 10.0' WHEN i %% 5 = 1 THEN 'Ubuntu' ELSE 'Windows NT 6.1' END,
			CASE WHEN i %% 6 = 0 THEN 'Opera' ELSE 'Firefox' END, 1, 2, 'primary', 'get', 5, 1000,
			CASE WHEN i %% 5 < 2 THEN 'Other' ELSE 'Windows 7' END, CASE WHEN i %% 6 = 0 THEN 'Other' ELSE 'Firefox' END,
			'Desktop (>= 1024)', '1', CASE WHEN i %% 4 = 0 THEN 'Other' WHEN i %% 4 = 1 THEN 'English' ELSE 'German' END,
			'get', 'IdP', 'generate', i, 0, hash('s' || i)
		FROM range(400) t(i)`, fixtureThrough.Format(time.DateOnly), fixtureThrough.Format(time.DateOnly)))
	if f.hostile {
		for i, v := range []struct{ os, browser, lang string }{
			{evilScript, evilImg, evilClose}, {evilURL, evilFormula, evilLineSep}, {evilImg, evilScript, evilURL},
		} {
			for j := 0; j < 3-i; j++ {
				exec(`INSERT INTO sessions (id, day, ts, lang, os, browser, number_sites_signed_in, event_count, duration_ms,
					seg_os, seg_browser, seg_screen, seg_emails, seg_locale, seg_api, seg_email_type, source, session, event_list, id_hash)
					VALUES (?, ?, ?, ?, ?, ?, 0, 1, 10, 'Other', 'Other', 'Other', 'Unknown', 'Other', 'Other', 'Other', 'generate', ?, 0, ?)`,
					fmt.Sprintf("h%d-%d", i, j), fixtureThrough, fixtureThrough, v.lang, v.os, v.browser, 1000+10*i+j, 1000+10*i+j)
			}
		}
		exec(`INSERT INTO sessions (id, day, ts, lang, os, browser, number_sites_signed_in, event_count, duration_ms,
			seg_os, seg_browser, seg_screen, seg_emails, seg_locale, seg_api, seg_email_type, source, session, event_list, id_hash)
			VALUES ('h-huge', ?, ?, 'de', ?, 'Firefox', 0, 1, 10, 'Other', 'Firefox', 'Other', 'Unknown', 'German', 'Other', 'Other', 'generate', 2000, 0, 2000)`,
			fixtureThrough, fixtureThrough, evilHugeOS)
		exec(`INSERT INTO sessions (id, day, ts, lang, os, browser, number_sites_signed_in, event_count, duration_ms,
			seg_os, seg_browser, seg_screen, seg_emails, seg_locale, seg_api, seg_email_type, source, session, event_list, id_hash)
			VALUES ('h-null', ?, ?, NULL, NULL, NULL, 0, 1, 10, 'Other', 'Other', 'Other', 'Unknown', 'Other', 'Other', 'Other', 'generate', 2001, 0, 2001)`,
			fixtureThrough, fixtureThrough)
	}
	exec(fmt.Sprintf(`INSERT INTO events (day, session, seq, name, offset_ms, delta_ms) SELECT DATE '%s', i, 0, CASE WHEN i %% 2 = 0 THEN 'screen.rp_info' ELSE 'dialog.new_thing' END, 0, 0 FROM range(50) t(i)`,
		fixtureThrough.Format(time.DateOnly)))
	// The production vocabulary (docs/data.md §1.6), which the health page
	// must not list as unrecognised.
	for i, name := range productionNames {
		exec(`INSERT INTO events (day, session, seq, name, offset_ms, delta_ms) VALUES (?, ?, ?, ?, 10, 10)`,
			fixtureThrough, i, 2+i, name)
	}
	if f.hostile {
		for i, name := range []string{evilScript, evilImg, evilClose, evilLineSep, evilLongEvent} {
			exec(`INSERT INTO events (day, session, seq, name, offset_ms, delta_ms) VALUES (?, ?, 1, ?, 5, 5)`, fixtureThrough, 3000+i, name)
		}
	}
	// Each session's event names, and the day profiles, as load writes them.
	exec(`CREATE TEMP TABLE fx_lists AS SELECT s.day, s.session, coalesce((SELECT list(DISTINCT e.name ORDER BY e.name) FROM events e
		WHERE e.session = s.session AND e.day = s.day), []) AS events FROM sessions s`)
	exec(`INSERT INTO event_lists SELECT day, row_number() OVER (PARTITION BY day ORDER BY events::VARCHAR) - 1, events
		FROM (SELECT DISTINCT day, events FROM fx_lists)`)
	exec(`UPDATE sessions SET event_list = l.event_list FROM fx_lists f JOIN event_lists l ON l.day = f.day AND l.events = f.events
		WHERE sessions.day = f.day AND sessions.session = f.session`)
	exec(`INSERT INTO day_event_names SELECT * FROM event_names_of(DATE '0001-01-01', DATE '9999-12-31')`)
	exec(`INSERT INTO day_other_values SELECT * FROM other_values_of(DATE '0001-01-01', DATE '9999-12-31')`)
	return db
}

// productionNames are event names of the production dialog that no
// configured flow uses.
var productionNames = []string{
	"window.dom_loading", "user.can_interact", "screen.error.xhrError.503", "screen.error.cookiesDisabled", "screen.error.",
	"xhr_complete.GET/wsapi/session_context", "xhr_complete.POST/wsapi/cert_key", "xhr./wsapi/user_creation_status",
	"xhr.malformed_report", "user.reverify_email_staged", "user.email_count:3", "window.get_called",
}

// fixtureSeg is a segment of the fixture and its share of the sessions.
type fixtureSeg struct {
	segmentation, segment string
	share                 float64
}

// fixtureSegments lists Total, then each segmentation's configured list,
// Other, and for OS, Browser and Locale the hostile values; shares fall
// off like real segment sizes and each segmentation's sum to one.
func fixtureSegments(hostile bool) []fixtureSeg {
	cfg := config.Default()
	segs := []fixtureSeg{{"Total", "Total", 1}}
	for _, name := range persona.SegmentationNames {
		list := append([]string{}, cfg.Segmentations[name]...)
		list = append(list, "Other")
		if hostile {
			switch name {
			case persona.OS:
				list = append(list, evilScript, evilURL)
			case persona.Browser:
				list = append(list, evilImg, evilFormula, evilLongSeg)
			case persona.Locale:
				list = append(list, evilClose, evilLineSep)
			}
		}
		var ws []float64
		var sum float64
		for i := range list {
			w := 1 / math.Pow(float64(i+1), 1.3)
			ws = append(ws, w)
			sum += w
		}
		for i, s := range list {
			segs = append(segs, fixtureSeg{name, s, ws[i] / sum})
		}
	}
	return segs
}

func sqlQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
