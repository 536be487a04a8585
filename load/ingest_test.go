package load

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/persona-kpi/kpi/config"
	"github.com/persona-kpi/kpi/extract/generate"
	"github.com/persona-kpi/kpi/store"
	"github.com/persona-kpi/kpi/transform"
)

// generated is n generated rows of day, one per line.
func generated(t *testing.T, day time.Time, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	err := generate.Generator{Seed: 7, PerDay: n}.FirstRows(day, day.AddDate(0, 0, 1), n, func(row []byte) error {
		buf.Write(row)
		return buf.WriteByte('\n')
	})
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// oddRows are blobs of day that the generator does not make, for every
// profile: hostile and invalid text in event names and raw values, raw
// values missing, numbers that fall into Other, sample rates of 0, -0
// and as text, census entries of an unknown type and without one's
// fields.
func oddRows(day time.Time) []byte {
	ms := day.Add(10 * time.Hour).UnixMilli()
	blobs := []string{
		`"event_stream":[["screen.x\u0000'\";--",1],["ünïcødé ☃",2],["xhr./wsapi/x?email=a@b.example",3,40,2],["bad` + "\xff" + `byte",4]],` +
			`"lang":"x\u0000y","user_agent":{"os":"Plan 9","browser":"Lynx","version":3},"screen_size":{"width":777,"height":1},` +
			`"number_emails":"99","rp_api":"weird","email_type":"odd","sample_rate":"-0.0"`,
		`"event_stream":[["screen.x\u0000'\";--",1],["screen.x\u0000'\";--",1]],"sample_rate":0,"screen_size":{"width":-5}`,
		`"event_stream":[["a",1]],"sample_rate":-0.0,"user_agent":{"os":"Plan 9"},"number_emails":-1`,
		`"event_stream":[["a",1]],"sample_rate":0.25,"user_agent":{}`,
		`"event_stream":[["a",1]],"sample_rate":"0.25","lang":"","rp_api":"","email_type":""`,
		`"type":"signin","user_agent":{"os":"Plan 9"},"rp":"https://a.example"`,
		`"type":"unheard.of ☃","idp":"b.example"`,
		`"type":"unheard.of ☃"`,
	}
	var b strings.Builder
	for i, bl := range blobs {
		fmt.Fprintf(&b, `{"id":"odd%d","key":%d,"value":{"timestamp":%d,%s}}`+"\n", i, ms, ms, bl)
	}
	return []byte(b.String())
}

func input(name string, text []byte) transform.Input {
	return transform.Input{Name: name, Source: "test", Lines: true,
		Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(text)), nil }}
}

// fused transforms day from inputs and loads it as kpi run does, the rows
// handed over in parts of per elements.
func fused(t *testing.T, db *store.DB, dir string, day time.Time, per int, inputs ...transform.Input) transform.Stats {
	t.Helper()
	ctx := context.Background()
	in, err := Begin(ctx, db, day)
	require.NoError(t, err)
	defer in.Rollback()
	st, err := transform.TransformDay(ctx, transform.Options{Day: day, Inputs: inputs, OutDir: dir, Config: config.Default(),
		PartBlobs: per, Parts: func(p transform.Part) error {
			defer p.Release()
			return in.Insert(ctx, p)
		}})
	require.NoError(t, err)
	_, err = in.Commit(ctx, 1, st, "h")
	require.NoError(t, err)
	return st
}

// openStore opens a store with DuckDB on one thread, as kpi run loads.
func openStore(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "kpi.duckdb"))
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	_, err = db.SetThreads(context.Background(), 1)
	require.NoError(t, err)
	return db
}

// profileTables are the day profiles the data health page reads.
var profileTables = []string{"day_event_names", "day_other_values", "day_server_types", "day_sample_rates"}

// sameRows counts the rows of a and b that the other lacks (EXCEPT ALL,
// both ways).
func sameRows(t *testing.T, db *sql.DB, a, b string) (onlyA, onlyB int64) {
	t.Helper()
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM (SELECT * FROM `+a+` EXCEPT ALL SELECT * FROM `+b+`)`).Scan(&onlyA))
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM (SELECT * FROM `+b+` EXCEPT ALL SELECT * FROM `+a+`)`).Scan(&onlyB))
	return onlyA, onlyB
}

// TestCountedProfilesAreTheQueries loads generated days of each
// production format (the 2012 typo and addresses in XHR names, XHR
// durations and repeat counts, the census) and odd blobs with counted
// profiles, then computes the profiles again with the queries: the four
// tables the data health page reads are the same.
func TestCountedProfilesAreTheQueries(t *testing.T) {
	ctx := context.Background()
	db := openStore(t)
	dir := t.TempDir()
	days := []time.Time{
		time.Date(2012, 7, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2013, 1, 10, 0, 0, 0, 0, time.UTC),
		time.Date(2013, 6, 3, 0, 0, 0, 0, time.UTC),
		time.Date(2013, 11, 5, 0, 0, 0, 0, time.UTC),
	}
	for _, d := range days {
		st := fused(t, db, dir, d, 0, input("gen", generated(t, d, 3000)), input("odd", oddRows(d)))
		require.NotNil(t, st.Profiles, d)
	}
	var n int64
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM server_events`).Scan(&n))
	require.Positive(t, n, "census entries")

	for _, p := range profileTables {
		_, err := db.Exec(`CREATE TABLE counted_` + p + ` AS SELECT * FROM ` + p)
		require.NoError(t, err)
	}
	tx, err := db.BeginTx(ctx, nil)
	require.NoError(t, err)
	for _, d := range days {
		require.NoError(t, store.WriteProfiles(ctx, tx, d))
	}
	require.NoError(t, tx.Commit())
	for _, p := range profileTables {
		require.NoError(t, db.QueryRow(`SELECT count(*) FROM `+p).Scan(&n))
		assert.Positive(t, n, p)
		onlyCounted, onlyQueried := sameRows(t, db.DB, "counted_"+p, p)
		assert.Zero(t, onlyCounted, p)
		assert.Zero(t, onlyQueried, p)
	}
	// The odd blobs reached each profile.
	for _, q := range []string{
		`SELECT count(*) FROM day_other_values WHERE segmentation = 'OS' AND raw = 'Plan 9'`,
		`SELECT count(*) FROM day_other_values WHERE segmentation = 'Browser' AND raw = 'Lynx'`,
		`SELECT count(*) FROM day_other_values WHERE raw IS NULL`,
		`SELECT count(*) FROM day_event_names WHERE name = 'screen.x' || chr(0) || '''";--' AND events = 3 AND sessions = 2`,
		`SELECT count(*) FROM day_event_names WHERE name = 'xhr./wsapi/x'`,
		`SELECT count(*) FROM day_sample_rates WHERE sample_rate = 0`,
		`SELECT count(*) FROM day_sample_rates WHERE sample_rate IS NULL`,
		`SELECT count(*) FROM day_server_types WHERE type = 'unheard.of ☃' AND events = 2`,
	} {
		require.NoError(t, db.QueryRow(q).Scan(&n))
		assert.Positive(t, n, q)
	}
}

// TestFusedIngestIsTheParquetLoad loads the same days through the fused
// path and from their Parquet (kpi load), the first day's stats without
// profiles as an earlier kpi wrote them: every table is the same.
func TestFusedIngestIsTheParquetLoad(t *testing.T) {
	ctx := context.Background()
	viaParts, viaParquet := openStore(t), openStore(t)
	dir := t.TempDir()
	staging := transform.Staging{Dir: dir}
	days := []time.Time{time.Date(2013, 11, 4, 0, 0, 0, 0, time.UTC), time.Date(2013, 11, 5, 0, 0, 0, 0, time.UTC)}
	for i, d := range days {
		fused(t, viaParts, dir, d, 250, input("gen", generated(t, d, 2000)), input("odd", oddRows(d)))
		if i == 0 {
			var sf map[string]any
			b, err := os.ReadFile(staging.StatsPath(d))
			require.NoError(t, err)
			require.NoError(t, json.Unmarshal(b, &sf))
			require.Contains(t, sf, "profiles")
			delete(sf, "profiles")
			b, err = json.Marshal(sf)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(staging.StatsPath(d), b, 0o644))
			st, err := staging.ReadStats(d)
			require.NoError(t, err)
			require.Nil(t, st.Profiles)
		}
		_, err := Day(ctx, viaParquet, 1, staging, d, "h")
		require.NoError(t, err)
	}
	for _, table := range append([]string{"sessions", "events", "rejects", "server_events",
		"(SELECT * EXCLUDE (loaded_at) FROM loaded_days)"}, profileTables...) {
		assert.Equal(t, fingerprint(t, viaParquet.DB, table), fingerprint(t, viaParts.DB, table), table)
	}
}

func fingerprint(t *testing.T, db *sql.DB, table string) string {
	t.Helper()
	var n int64
	var h sql.NullString
	require.NoError(t, db.QueryRow(`SELECT count(*), bit_xor(hash(x))::VARCHAR FROM `+table+` x`).Scan(&n, &h), table)
	return fmt.Sprintf("%d/%s", n, h.String)
}

// TestAnAbandonedIngestLeavesTheDayAsItWas starts replacing a loaded day,
// inserts parts of the new one and rolls back: the old day is whole.
func TestAnAbandonedIngestLeavesTheDayAsItWas(t *testing.T) {
	ctx := context.Background()
	db := openStore(t)
	dir := t.TempDir()
	day := time.Date(2013, 11, 5, 0, 0, 0, 0, time.UTC)
	fused(t, db, dir, day, 0, input("gen", generated(t, day, 500)))
	tables := append([]string{"sessions", "events", "rejects", "server_events", "loaded_days"}, profileTables...)
	before := map[string]string{}
	for _, tb := range tables {
		before[tb] = fingerprint(t, db.DB, tb)
	}

	in, err := Begin(ctx, db, day)
	require.NoError(t, err)
	defer in.Rollback()
	stop := errors.New("interrupted")
	parts := 0
	_, err = transform.TransformDay(ctx, transform.Options{Day: day, Inputs: []transform.Input{input("gen", generated(t, day, 1500))},
		OutDir: t.TempDir(), Config: config.Default(), PartBlobs: 200, Parts: func(p transform.Part) error {
			defer p.Release()
			if parts++; parts == 4 {
				return stop
			}
			return in.Insert(ctx, p)
		}})
	require.ErrorIs(t, err, stop)
	in.Rollback()
	for _, tb := range tables {
		assert.Equal(t, before[tb], fingerprint(t, db.DB, tb), tb)
	}
}
