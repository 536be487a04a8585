package store

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOtherValuesAreTheMigrationsMacro checks that the query built from
// persona.Segmentations gives exactly the rows of migration 0004's
// other_values_of, which it replaced.
func TestOtherValuesAreTheMigrationsMacro(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "p.duckdb"))
	require.NoError(t, err)
	defer db.Close()
	_, err = db.Exec(`
		INSERT INTO sessions (id, day, ts, number_sites_signed_in, event_count, duration_ms,
			os, browser, screen_width, number_emails, lang, rp_api, email_type,
			seg_os, seg_browser, seg_screen, seg_emails, seg_locale, seg_api, seg_email_type, source, session, event_list, id_hash) VALUES
		('s1', '2013-06-01', '2013-06-01', 0, 1, 0, 'Plan 9', 'Lynx', 800, 7, 'en-US', 'beta', 'tertiary',
			'Other', 'Other', 'Other', 'Other', 'Other', 'Other', 'Other', 'test', 0, 0, 100),
		('s2', '2013-06-01', '2013-06-01', 0, 1, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
			'Other', 'Other', 'Other', 'Other', 'Other', 'Other', 'Other', 'test', 1, 0, 101),
		('s3', '2013-06-01', '2013-06-01', 0, 1, 0, 'Plan 9', 'Firefox', 1280, 1, 'en', 'get', 'primary',
			'Other', 'Firefox', 'Desktop (>= 1024)', '1', 'English', 'get', 'IdP', 'test', 2, 0, 102),
		('s4', '2013-06-02', '2013-06-02', 0, 1, 0, 'BeOS', 'Firefox', 320, 2, 'xx', 'get', 'primary',
			'Other', 'Firefox', 'Other', '2', 'Other', 'get', 'IdP', 'test', 0, 0, 100)`)
	require.NoError(t, err)

	const from, to = "2013-06-01", "2013-06-02"
	var rows, onlyMacro, onlyQuery int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM other_values_of(?::DATE, ?::DATE)`, from, to).Scan(&rows))
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM (SELECT * FROM other_values_of(?::DATE, ?::DATE)
		EXCEPT ALL SELECT * FROM (`+otherValuesOf+`))`, from, to, from, to).Scan(&onlyMacro))
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM (SELECT * FROM (`+otherValuesOf+`)
		EXCEPT ALL SELECT * FROM other_values_of(?::DATE, ?::DATE))`, from, to, from, to).Scan(&onlyQuery))
	assert.Equal(t, 17, rows)
	assert.Zero(t, onlyMacro)
	assert.Zero(t, onlyQuery)
}
