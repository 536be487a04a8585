package store

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
	"time"

	"github.com/persona-kpi/kpi/persona"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func file(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }

// must reads a set of migration files.
func must(t *testing.T, fsys fs.FS) []Migration {
	t.Helper()
	ms, err := ReadMigrations(fsys)
	require.NoError(t, err)
	return ms
}

func TestMigrationsRefuseBadSets(t *testing.T) {
	cases := []struct {
		name string
		fsys fstest.MapFS
		want string
	}{
		{"bad name", fstest.MapFS{"0001_init.sql": file("select 1;"), "2_more.sql": file("select 1;")}, "migration 2_more.sql: name must be NNNN_name.sql"},
		{"duplicate version", fstest.MapFS{"0001_init.sql": file(""), "0001_again.sql": file("")}, "version 1 is also used by"},
		{"gap", fstest.MapFS{"0001_init.sql": file(""), "0003_later.sql": file("")}, "migration 0003_later.sql: expected version 0002 next"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadMigrations(c.fsys)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

func TestMigrateAppliesPendingMigrationsOnce(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "m.duckdb")
	v1 := fstest.MapFS{"0001_init.sql": file("CREATE TABLE a (x INTEGER);")}
	db, err := open(ctx, path, must(t, v1))
	require.NoError(t, err)
	require.NoError(t, db.Close())

	v2 := fstest.MapFS{"0001_init.sql": v1["0001_init.sql"], "0002_more.sql": file("CREATE TABLE b (y INTEGER); INSERT INTO a VALUES (1);")}
	db, err = open(ctx, path, must(t, v2))
	require.NoError(t, err)
	require.NoError(t, Migrate(ctx, db.DB, must(t, v2)), "a second migrate is a no-op")
	var n, applied int
	require.NoError(t, db.QueryRow("select count(*) from a").Scan(&n))
	require.NoError(t, db.QueryRow("select count(*) from schema_migrations").Scan(&applied))
	assert.Equal(t, 1, n, "0002 ran exactly once")
	assert.Equal(t, 2, applied)
	require.NoError(t, db.Close())

	_, err = open(ctx, path, must(t, v1))
	require.ErrorContains(t, err, "schema version 2 is newer than this kpi knows (1)")
}

func TestMigrateFailureRollsBackTheMigration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "m.duckdb")
	bad := fstest.MapFS{"0001_init.sql": file("CREATE TABLE a (x INTEGER); CREATE TABLE broken (;")}
	_, err := open(ctx, path, must(t, bad))
	require.ErrorContains(t, err, "migration 0001_init.sql")
	db, err := open(ctx, path, must(t, fstest.MapFS{"0001_init.sql": file("CREATE TABLE a (x INTEGER);")}))
	require.NoError(t, err, "the failed migration left nothing behind")
	require.NoError(t, db.Close())
}

func TestEmbeddedMigrationsCreateThePipelineTables(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "kpi.duckdb"))
	require.NoError(t, err)
	defer db.Close()
	ms, err := schema()
	require.NoError(t, err)
	require.NotEmpty(t, ms)
	for _, table := range []string{"sessions", "events", "rejects", "runs", "loaded_days"} {
		var n int
		require.NoError(t, db.QueryRow("select count(*) from information_schema.tables where table_name = ?", table).Scan(&n))
		assert.Equal(t, 1, n, table)
	}
}

// TestRejectsKeepTheirTextUncompressed: a night's rejects rewrite the
// row group holding the last hundred days' at the checkpoint, which need
// not compress their text again.
func TestRejectsKeepTheirTextUncompressed(t *testing.T) {
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "kpi.duckdb"))
	require.NoError(t, err)
	defer db.Close()
	_, err = db.Exec(`INSERT INTO rejects SELECT DATE '2013-06-01', NULL, NULL, 'test', 'invalid_json', 'cut off',
		repeat('{"event_stream": [["screen.rp_info", 1]]', 1 + i % 7) FROM range(5000) t(i)`)
	require.NoError(t, err)
	_, err = db.Exec(`CHECKPOINT`)
	require.NoError(t, err)
	var kinds string
	require.NoError(t, db.QueryRow(`SELECT string_agg(DISTINCT compression, ',') FROM pragma_storage_info('rejects')
		WHERE column_name = 'raw' AND segment_type = 'VARCHAR'`).Scan(&kinds))
	assert.Equal(t, "Uncompressed", kinds)
}

func TestTheWriterRunsUnderAMemoryLimit(t *testing.T) {
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "kpi.duckdb"))
	require.NoError(t, err)
	defer db.Close()
	var limit string
	require.NoError(t, db.QueryRow("SELECT current_setting('memory_limit')").Scan(&limit))
	assert.Contains(t, []string{"488.2 MiB", "512.0 MB"}, limit, "DuckDB prints 512MB in its own units")
}

// TestProfilesMigrationFillsDaysLoadedBefore upgrades a database loaded
// under schema 3: its sessions get their events lists, numbers and list
// numbers, its events those numbers and its days their profiles, as if
// they had been loaded by this kpi.
func TestProfilesMigrationFillsDaysLoadedBefore(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "m.duckdb")
	all, err := schema()
	require.NoError(t, err)
	db, err := open(ctx, path, all[:3])
	require.NoError(t, err)
	_, err = db.Exec(`
		INSERT INTO sessions (id, day, ts, number_sites_signed_in, event_count, duration_ms, os,
			seg_os, seg_browser, seg_screen, seg_emails, seg_locale, seg_api, seg_email_type, source)
		VALUES ('s1', '2013-06-01', '2013-06-01', 0, 4, 30, 'Plan 9', 'Other', 'Firefox', 'Other', '1', 'English', 'get', 'Other', 'test'),
		       ('s2', '2013-06-01', '2013-06-01', 0, 0, 0, NULL, 'Other', 'Firefox', 'Other', '1', 'English', 'get', 'Other', 'test');
		INSERT INTO events VALUES
			('2013-06-01', 's1', 0, 'b', 0, 0), ('2013-06-01', 's1', 1, 'a', 10, 10),
			('2013-06-01', 's1', 2, 'b', 20, 10), ('2013-06-01', 's1', 3, 'c', 30, 10)`)
	require.NoError(t, err)
	require.NoError(t, db.Close())

	db, err = open(ctx, path, all)
	require.NoError(t, err)
	defer db.Close()
	// Each session got its events list (0007), then its number within the
	// day and its list's number (0014), and its events that number.
	var lists, events string
	require.NoError(t, db.QueryRow(`SELECT string_agg(s.id || ':' || s.session || ':' || coalesce(array_to_string(l.events, ','), ''), ' ' ORDER BY s.id)
		FROM sessions s JOIN event_lists l USING (day, event_list)`).Scan(&lists))
	assert.Equal(t, "s1:0:b,a,c s2:1:", lists)
	require.NoError(t, db.QueryRow(`SELECT string_agg(session || '/' || seq || name, ' ' ORDER BY session, seq) FROM events`).Scan(&events))
	assert.Equal(t, "0/0b 0/1a 0/2b 0/3c", events)
	var hash uint64
	require.NoError(t, db.QueryRow(`SELECT id_hash FROM sessions WHERE id = 's1'`).Scan(&hash))
	assert.Equal(t, persona.IDHash("s1"), hash, "the migration hashes as transform does")

	var names, other string
	require.NoError(t, db.QueryRow(`SELECT string_agg(name || '=' || events || '/' || sessions, ' ' ORDER BY name)
		FROM day_event_names WHERE day = '2013-06-01'`).Scan(&names))
	assert.Equal(t, "a=1/1 b=2/1 c=1/1", names)
	require.NoError(t, db.QueryRow(`SELECT string_agg(segmentation || ':' || coalesce(raw, 'NULL') || '=' || sessions, ' '
		ORDER BY segmentation, raw) FROM day_other_values`).Scan(&other))
	assert.Equal(t, "EmailType:NULL=2 OS:Plan 9=1 OS:NULL=1 Screen:NULL=2", other)
}

// TestReadersRefuseAnotherSchema opens a database at schema 3, one newer
// than this kpi and a DuckDB file that is not kpi's with a reader that
// checks the schema: each is refused with what to do, and the current
// schema passes.
func TestReadersRefuseAnotherSchema(t *testing.T) {
	ctx := context.Background()
	ms, err := schema()
	require.NoError(t, err)
	newer := append(ms[:len(ms):len(ms)], Migration{Version: len(ms) + 1, Name: fmt.Sprintf("%04d_future.sql", len(ms)+1), SQL: "CREATE TABLE future (x INTEGER)"})

	for _, c := range []struct {
		name       string
		migrations []Migration
		want       string
	}{
		{"older", ms[:3], fmt.Sprintf("has schema version 3, this kpi writes %d: any command that writes it", len(ms))},
		{"newer", newer, fmt.Sprintf("schema version %d is newer than this kpi knows (%d): use a newer kpi", len(ms)+1, len(ms))},
		{"current", ms, ""},
		{"not kpi's", nil, "is not a kpi database: it has no schema_migrations table"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "kpi.duckdb")
			if c.migrations != nil {
				db, err := open(ctx, path, c.migrations)
				require.NoError(t, err)
				require.NoError(t, db.Close())
			} else { // some other DuckDB file
				db, err := sql.Open("duckdb", path)
				require.NoError(t, err)
				_, err = db.Exec("CREATE TABLE other (x INTEGER)")
				require.NoError(t, err)
				require.NoError(t, db.Close())
			}
			r, err := OpenReadOnly(ctx, path)
			require.NoError(t, err)
			defer r.Close()
			err = r.CheckSchema(ctx)
			if c.want == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
			assert.Contains(t, err.Error(), path)
		})
	}
}

// TestAnotherProgramsFileIsRefusedUnaltered gives the writer DuckDB files
// that are not kpi's: each is refused in one line and left byte for byte
// as it was, while a new or empty file is taken.
func TestAnotherProgramsFileIsRefusedUnaltered(t *testing.T) {
	ctx := context.Background()
	makeDB := func(t *testing.T, stmts string) string {
		path := filepath.Join(t.TempDir(), "other.duckdb")
		db, err := sql.Open("duckdb", path)
		require.NoError(t, err)
		if stmts != "" {
			_, err = db.Exec(stmts)
			require.NoError(t, err)
		}
		require.NoError(t, db.Close())
		return path
	}
	for _, c := range []struct{ name, stmts, want string }{
		{"another program's tables", "CREATE TABLE invoices (id INTEGER); CREATE TABLE customers (id INTEGER)", "it has no schema_migrations table"},
		{"another tool's schema_migrations", "CREATE TABLE schema_migrations (version BIGINT, dirty BOOLEAN); INSERT INTO schema_migrations VALUES (20240101, false); CREATE TABLE users (id INTEGER)", "its schema_migrations table is another tool's"},
		{"a schema_migrations like kpi's with other names", "CREATE TABLE schema_migrations (version INTEGER, name VARCHAR, applied_at TIMESTAMP); INSERT INTO schema_migrations VALUES (1, '0001_users.sql', now()), (9, '0009_more.sql', now()); CREATE TABLE users (id INTEGER)", "which is not kpi's"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := makeDB(t, c.stmts)
			before, err := os.ReadFile(path)
			require.NoError(t, err)
			_, err = Open(ctx, path)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "is not a kpi database: ")
			assert.Contains(t, err.Error(), c.want)
			assert.Contains(t, err.Error(), "choose another --db")
			assert.NotContains(t, err.Error(), "newer")
			assert.NotContains(t, err.Error(), "\n")
			after, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, before, after, "the file is unaltered")
			_, err = os.Stat(path + ".wal")
			assert.ErrorIs(t, err, os.ErrNotExist)
		})
	}
	t.Run("an empty DuckDB file is taken", func(t *testing.T) {
		db, err := Open(ctx, makeDB(t, ""))
		require.NoError(t, err)
		require.NoError(t, db.Close())
	})
	t.Run("a file that is not DuckDB's", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "notes.txt")
		require.NoError(t, os.WriteFile(path, []byte("my notes, not a database\n"), 0o644))
		_, err := Open(ctx, path)
		require.Error(t, err)
		assert.Contains(t, err.Error(), path)
		b, _ := os.ReadFile(path)
		assert.Equal(t, "my notes, not a database\n", string(b))
	})
}

// TestLeanKeysMigrationResumes upgrades a database of schema 13 whose
// lean-keys migration stopped after its first day: opened again, it
// rebuilds the remaining day only and swaps the tables in, each blob
// numbered within its day and its events carrying that number.
func TestLeanKeysMigrationResumes(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "m.duckdb")
	all, err := schema()
	require.NoError(t, err)
	db, err := open(ctx, path, all[:13])
	require.NoError(t, err)
	_, err = db.Exec(`
		INSERT INTO sessions (id, day, ts, number_sites_signed_in, event_count, duration_ms,
			seg_os, seg_browser, seg_screen, seg_emails, seg_locale, seg_api, seg_email_type, source, events)
		VALUES ('a', '2013-06-01', '2013-06-01', 0, 2, 5, 'Other', 'Firefox', 'Other', '1', 'English', 'get', 'Other', 'test', ['x', 'y']),
		       ('b', '2013-06-01', '2013-06-01', 0, 1, 0, 'Other', 'Firefox', 'Other', '1', 'English', 'get', 'Other', 'test', ['y']),
		       ('c', '2013-06-02', '2013-06-02', 0, 2, 5, 'Other', 'Firefox', 'Other', '1', 'English', 'get', 'Other', 'test', ['x', 'y']);
		INSERT INTO events (day, session_id, seq, name, offset_ms, delta_ms) VALUES
			('2013-06-01', 'a', 0, 'x', 0, 0), ('2013-06-01', 'a', 1, 'y', 5, 5), ('2013-06-01', 'b', 0, 'y', 0, 0),
			('2013-06-02', 'c', 0, 'x', 0, 0), ('2013-06-02', 'c', 1, 'y', 5, 5)`)
	require.NoError(t, err)
	// What an interrupted migration leaves: its tables, the first day
	// rebuilt, the second still pending.
	_, err = db.Exec(createLeanTables + `; CREATE TABLE lean_keys_pending AS SELECT DISTINCT day FROM sessions`)
	require.NoError(t, err)
	require.NoError(t, rebuildDays(ctx, db.DB, []time.Time{time.Date(2013, 6, 1, 0, 0, 0, 0, time.UTC)}))
	require.NoError(t, db.Close())

	db, err = open(ctx, path, all)
	require.NoError(t, err)
	defer db.Close()
	var sessions, events string
	require.NoError(t, db.QueryRow(`SELECT string_agg(s.id || '@' || strftime(s.day, '%d') || '#' || s.session || ':' || array_to_string(l.events, ','), ' ' ORDER BY s.day, s.session)
		FROM sessions s JOIN event_lists l USING (day, event_list)`).Scan(&sessions))
	assert.Equal(t, "a@01#0:x,y b@01#1:y c@02#0:x,y", sessions)
	require.NoError(t, db.QueryRow(`SELECT string_agg(s.id || e.seq || e.name, ' ' ORDER BY e.day, e.session, e.seq)
		FROM events e JOIN sessions s USING (day, session)`).Scan(&events))
	assert.Equal(t, "a0x a1y b0y c0x c1y", events)
	has, err := hasTable(ctx, db.DB, "lean_keys_pending")
	require.NoError(t, err)
	assert.False(t, has)
}
