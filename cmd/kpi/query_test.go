package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/marcboeker/go-duckdb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/persona-kpi/kpi/store"
)

// queryFixture is a database with a few typed values, one of them hostile.
func queryFixture(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "q.duckdb")
	db, err := store.Open(context.Background(), path)
	require.NoError(t, err)
	_, err = db.Exec(`CREATE TABLE t AS SELECT * FROM (VALUES
		(1, DATE '2013-05-01', 0.5, 'en', TRUE),
		(22, DATE '2013-05-02', NULL, E'\x1b[31mred\x1b[0m, "quoted"', FALSE)) v(n, day, rate, lang, ok)`)
	require.NoError(t, err)
	require.NoError(t, db.Close())
	return path
}

func TestQueryFormats(t *testing.T) {
	path := queryFixture(t)
	ctx := context.Background()
	const q = "select * from t order by n"

	var out bytes.Buffer
	require.NoError(t, runQuery(ctx, path, q, queryOptions{format: "csv"}, &out))
	recs, err := csv.NewReader(&out).ReadAll()
	require.NoError(t, err)
	assert.Equal(t, [][]string{
		{"n", "day", "rate", "lang", "ok"},
		{"1", "2013-05-01", "0.5", "en", "true"},
		{"22", "2013-05-02", "", "\x1b[31mred\x1b[0m, \"quoted\"", "false"},
	}, recs)

	out.Reset()
	require.NoError(t, runQuery(ctx, path, q, queryOptions{format: "json"}, &out))
	var rows []map[string]any
	require.NoError(t, json.Unmarshal(out.Bytes(), &rows))
	require.Len(t, rows, 2)
	assert.Equal(t, map[string]any{"n": 1.0, "day": "2013-05-01", "rate": 0.5, "lang": "en", "ok": true}, rows[0])
	assert.Nil(t, rows[1]["rate"])

	out.Reset()
	require.NoError(t, runQuery(ctx, path, q, queryOptions{format: "table"}, &out))
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	require.Len(t, lines, 5)
	// The escaped value is 28 characters wide; numbers align right.
	assert.Equal(t, " n | day        | rate | lang"+strings.Repeat(" ", 24)+" | ok", lines[0])
	assert.Equal(t, " 1 | 2013-05-01 |  0.5 | en"+strings.Repeat(" ", 26)+" | true", lines[2])
	assert.Equal(t, "22 | 2013-05-02 | NULL | \\x1b[31mred\\x1b[0m, \"quoted\" | false", lines[3])
	assert.NotContains(t, out.String(), "\x1b", "control characters never reach the terminal")
	assert.Equal(t, "(2 rows)", lines[4])
}

func TestQueryIsReadOnly(t *testing.T) {
	path := queryFixture(t)
	var out bytes.Buffer
	err := runQuery(context.Background(), path, "delete from t", queryOptions{format: "table"}, &out)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "read-only")
}

func TestQueryRefusesBadInput(t *testing.T) {
	path := queryFixture(t)
	var out bytes.Buffer
	err := runQuery(context.Background(), path, "select 1", queryOptions{format: "xml"}, &out)
	assert.ErrorContains(t, err, "--format must be table, csv or json")
	err = runQuery(context.Background(), filepath.Join(t.TempDir(), "none.duckdb"), "select 1", queryOptions{format: "table"}, &out)
	assert.ErrorContains(t, err, "does not exist: run `kpi run` first")
	err = runQuery(context.Background(), path, "select nope from t", queryOptions{format: "table"}, &out)
	assert.ErrorContains(t, err, "query:")
}

func TestDecimalString(t *testing.T) {
	for _, c := range []struct {
		value int64
		scale uint8
		want  string
	}{{5, 1, "0.5"}, {-5, 2, "-0.05"}, {12345, 2, "123.45"}, {7, 0, "7"}, {0, 3, "0.000"}} {
		assert.Equal(t, c.want, decimalString(duckdb.Decimal{Scale: c.scale, Value: big.NewInt(c.value)}))
	}
}

// TestQueryWritesNothing tries every way a query could write or read
// outside the database: each is refused, the database and the directory
// are left as they were, and files are read only with --allow-files.
func TestQueryWritesNothing(t *testing.T) {
	path := queryFixture(t)
	dir := filepath.Dir(path)
	outside := filepath.Join(t.TempDir(), "secret.txt")
	require.NoError(t, os.WriteFile(outside, []byte("secret"), 0o600))
	before, err := os.ReadFile(path)
	require.NoError(t, err)
	entries := func() []string {
		es, err := os.ReadDir(dir)
		require.NoError(t, err)
		var names []string
		for _, e := range es {
			names = append(names, e.Name())
		}
		return names
	}
	listed := entries()
	target := filepath.Join(dir, "out.csv")
	for _, q := range []string{
		"copy (select 1) to '" + path + "' (format csv)",
		"copy (select 1) to '" + target + "' (format csv)",
		"export database '" + filepath.Join(dir, "export") + "'",
		"attach '" + filepath.Join(dir, "other.duckdb") + "' as o (read_write)",
		"set enable_external_access = true",
		"set lock_configuration = false",
		"select 1; copy (select 1) to '" + target + "'",
		"create table x (n integer)",
		"pragma enable_profiling",
		"install httpfs",
		"select * from read_text('" + outside + "')",
		"select * from read_csv('" + outside + "')",
		"select * from '" + outside + "'",
	} {
		var out bytes.Buffer
		err := runQuery(context.Background(), path, q, queryOptions{format: "table"}, &out)
		assert.Error(t, err, q)
		assert.NotContains(t, out.String(), "secret", q)
	}
	after, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, before, after, "the database is unchanged")
	assert.Equal(t, listed, entries(), "no file was written beside it")

	// Reading files is the user's explicit choice; writing stays refused.
	var out bytes.Buffer
	require.NoError(t, runQuery(context.Background(), path, "select content from read_text('"+outside+"')", queryOptions{format: "csv", allowFiles: true}, &out))
	assert.Contains(t, out.String(), "secret")
	err = runQuery(context.Background(), path, "copy (select 1) to '"+target+"'", queryOptions{format: "csv", allowFiles: true}, &out)
	assert.ErrorContains(t, err, "read-only")
	assert.Equal(t, listed, entries())

	// Queries of every read-only kind still run.
	for _, q := range []string{"describe t", "show tables", "summarize t", "explain select * from t", "from t", "with x as (select 1 as a) select a from x", "values (1)"} {
		out.Reset()
		assert.NoError(t, runQuery(context.Background(), path, q, queryOptions{format: "csv"}, &out), q)
	}
}

func TestReaderCreatesNoLockFile(t *testing.T) {
	path := queryFixture(t)
	require.NoError(t, os.Remove(path+".lock"))
	var out bytes.Buffer
	require.NoError(t, runQuery(context.Background(), path, "select 1", queryOptions{format: "csv"}, &out))
	_, err := os.Stat(path + ".lock")
	assert.ErrorIs(t, err, os.ErrNotExist)
}
