package load

import (
	"context"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	kpisql "github.com/persona-kpi/kpi/sql"
)

func file(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }

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
			_, err := Migrations(c.fsys)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

func TestMigrateAppliesPendingMigrationsOnce(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "m.duckdb")
	v1 := fstest.MapFS{"0001_init.sql": file("CREATE TABLE a (x INTEGER);")}
	db, err := open(ctx, path, v1)
	require.NoError(t, err)
	require.NoError(t, db.Close())

	v2 := fstest.MapFS{"0001_init.sql": v1["0001_init.sql"], "0002_more.sql": file("CREATE TABLE b (y INTEGER); INSERT INTO a VALUES (1);")}
	db, err = open(ctx, path, v2)
	require.NoError(t, err)
	require.NoError(t, Migrate(ctx, db.DB, v2), "a second migrate is a no-op")
	var n, applied int
	require.NoError(t, db.QueryRow("select count(*) from a").Scan(&n))
	require.NoError(t, db.QueryRow("select count(*) from schema_migrations").Scan(&applied))
	assert.Equal(t, 1, n, "0002 ran exactly once")
	assert.Equal(t, 2, applied)
	require.NoError(t, db.Close())

	_, err = open(ctx, path, v1)
	require.ErrorContains(t, err, "schema version 2 is newer than this kpi knows (1)")
}

func TestMigrateFailureRollsBackTheMigration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "m.duckdb")
	bad := fstest.MapFS{"0001_init.sql": file("CREATE TABLE a (x INTEGER); CREATE TABLE broken (;")}
	_, err := open(ctx, path, bad)
	require.ErrorContains(t, err, "migration 0001_init.sql")
	db, err := open(ctx, path, fstest.MapFS{"0001_init.sql": file("CREATE TABLE a (x INTEGER);")})
	require.NoError(t, err, "the failed migration left nothing behind")
	require.NoError(t, db.Close())
}

func TestEmbeddedMigrationsCreateThePipelineTables(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "kpi.duckdb"))
	require.NoError(t, err)
	defer db.Close()
	ms, err := Migrations(kpisql.Migrations())
	require.NoError(t, err)
	require.NotEmpty(t, ms)
	for _, table := range []string{"sessions", "events", "rejects", "runs", "loaded_days"} {
		var n int
		require.NoError(t, db.QueryRow("select count(*) from information_schema.tables where table_name = ?", table).Scan(&n))
		assert.Equal(t, 1, n, table)
	}
}

func TestTheWriterRunsUnderAMemoryLimit(t *testing.T) {
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "kpi.duckdb"))
	require.NoError(t, err)
	defer db.Close()
	var limit string
	require.NoError(t, db.QueryRow("SELECT current_setting('memory_limit')").Scan(&limit))
	assert.Contains(t, []string{"488.2 MiB", "512.0 MB"}, limit, "DuckDB prints 512MB in its own units")
}
