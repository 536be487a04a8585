package compute

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	kpisql "github.com/persona-kpi/kpi/sql"
	"github.com/persona-kpi/kpi/store"
)

// shownQuery is a fact: each blob with whether it showed the dialog.
const shownQuery = `SELECT blob, day, list_contains(events, 'screen.rp_info') AS shown FROM kpi_blobs`

// factFile is a valid fact definition file reading facts (e.g. "a v1",
// or "" for none).
func factFile(id string, version int, facts, query string) *fstest.MapFile {
	header := fmt.Sprintf("-- id: %s\n-- version: %d\n", id, version)
	if facts != "" {
		header += "-- facts: " + facts + "\n"
	}
	return &fstest.MapFile{Data: []byte(header + "-- description: A fact\n--   for tests.\n\n" + query + ";\n")}
}

// withHeader adds header lines (e.g. "facts: shown v1") after the
// segmentations line of a definition file.
func withHeader(f *fstest.MapFile, lines ...string) *fstest.MapFile {
	text := string(f.Data)
	i := strings.Index(text, "-- description:")
	for _, l := range lines {
		text = text[:i] + "-- " + l + "\n" + text[i:]
		i += len(l) + 4
	}
	return &fstest.MapFile{Data: []byte(text)}
}

// shownCountQuery counts the shown blobs of each day from fact shown v1.
const shownCountQuery = `SELECT day, 'Total' AS segmentation, 'Total' AS segment, '' AS step,
	count(*) FILTER (WHERE shown) AS value, count(*) FILTER (WHERE shown) AS numerator, NULL AS denominator
FROM fact_shown_v1
GROUP BY day`

func TestLoadFactsParsesHeaderAndQuery(t *testing.T) {
	facts, err := LoadFacts(fstest.MapFS{
		"shown/v1.sql":   factFile("shown", 1, "", shownQuery),
		"shown/v2.sql":   factFile("shown", 2, "", shownQuery+" WHERE blob > 0"),
		"counts/v1.sql":  factFile("counts", 1, "shown v2, shown v1", `SELECT day, count(*) AS n FROM fact_shown_v1 JOIN fact_shown_v2 USING (blob, day) GROUP BY day`),
		"shown/notes.md": {Data: []byte("not a definition")},
	})
	require.NoError(t, err)
	require.Len(t, facts, 3)
	f := facts[0]
	assert.Equal(t, "counts", f.ID)
	assert.Equal(t, 1, f.Version)
	assert.Equal(t, "A fact for tests.", f.Description)
	assert.Equal(t, []FactRef{{"shown", 2}, {"shown", 1}}, f.Facts)
	assert.Equal(t, "sql/facts/counts/v1.sql", f.Path)
	assert.Equal(t, "fact_counts_v1", f.Ref().Table())
	assert.Equal(t, "shown v1", facts[1].Ref().String())
	assert.Equal(t, shownQuery, facts[1].SQL)
	assert.Len(t, facts[1].Hash, 64)
}

func TestEmbeddedFactsLoad(t *testing.T) {
	facts, err := LoadFacts(kpisql.Facts())
	require.NoError(t, err)
	var keys []string
	for _, f := range facts {
		keys = append(keys, f.Ref().String())
	}
	assert.Equal(t, []string{"blobs v1", "segment_counts v1", "timings v1"}, keys)
	var files []string
	require.NoError(t, fs.WalkDir(kpisql.Facts(), ".", func(p string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			files = append(files, p)
		}
		return err
	}))
	for _, f := range files {
		assert.Regexp(t, `^[a-z][a-z0-9_]*/v[^/]*\.sql$`, f, "an embedded file that is not a fact definition")
	}
}

func TestLoadFactsRefuses(t *testing.T) {
	cases := []struct {
		name string
		defs fstest.MapFS
		file string // the file the error must name
		msg  string
	}{
		{"file outside a fact directory", fstest.MapFS{"v1.sql": factFile("a", 1, "", shownQuery)},
			"sql/facts/v1.sql", "a fact file must be in its fact's directory: sql/facts/<fact>/vN.sql"},
		{"missing version", fstest.MapFS{"a/v2.sql": factFile("a", 2, "", shownQuery)},
			"sql/facts/a/v2.sql", "version 1 is missing"},
		{"a KPI's header", fstest.MapFS{"a/v1.sql": defFile("a", 1, shownQuery)},
			"sql/facts/a/v1.sql", `unknown header field "title" (fields: id, version, description, facts, supersedes)`},
		{"supersedes what is not a hash", fstest.MapFS{"a/v1.sql": withHeader(factFile("a", 1, "", shownQuery), "supersedes: abc")},
			"sql/facts/a/v1.sql", `header supersedes: "abc" is not a SHA-256 hash`},
		{"supersedes its own text", fstest.MapFS{"a/v1.sql": withHeader(factFile("a", 1, "", shownQuery), "supersedes: "+sha(shownQuery))},
			"sql/facts/a/v1.sql", "header supersedes lists the hash of this very query"},
		{"no description", fstest.MapFS{"a/v1.sql": {Data: []byte("-- id: a\n-- version: 1\n\nSELECT 1")}},
			"sql/facts/a/v1.sql", "header is missing description"},
		{"reads a fact that does not exist", fstest.MapFS{"a/v1.sql": factFile("a", 1, "b v1", shownQuery)},
			"sql/facts/a/v1.sql", "header facts: there is no fact b v1 (sql/facts/b/v1.sql)"},
		{"reads itself", fstest.MapFS{"a/v1.sql": factFile("a", 1, "a v1", shownQuery)},
			"sql/facts/a/v1.sql", "a fact cannot read itself"},
		{"a circle", fstest.MapFS{"a/v1.sql": factFile("a", 1, "b v1", shownQuery), "b/v1.sql": factFile("b", 1, "a v1", shownQuery)},
			"sql/facts/", "reads itself through the facts it reads"},
		{"bad fact version", fstest.MapFS{"a/v1.sql": factFile("a", 1, "b", shownQuery)},
			"sql/facts/a/v1.sql", `header facts: "b" is not a fact version (want e.g. "blobs v1, timings v1")`},
		{"unexpected directory", fstest.MapFS{"a/v1.sql": factFile("a", 1, "", shownQuery), "a/cases/x.csv": {Data: []byte("x")}},
			"sql/facts/a/cases", "unexpected directory: a fact directory holds vN.sql files"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := LoadFacts(c.defs)
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrDefinition)
			assert.Contains(t, err.Error(), c.file)
			assert.Contains(t, err.Error(), c.msg)
		})
	}
}

func TestLoadDefinitionsParsesFactsAndSupersedes(t *testing.T) {
	old := strings.Repeat("ab", 32)
	defs, err := LoadDefinitions(fstest.MapFS{
		"k/v1.sql": withHeader(defFile("k", 1, shownCountQuery), "facts: shown v1", "supersedes: "+old),
		// The earlier texts of rewritten versions are kept beside them,
		// and are not definitions.
		"k/superseded/v1.sql": defFile("k", 1, countQuery),
	})
	require.NoError(t, err)
	require.Len(t, defs, 1)
	assert.Equal(t, []FactRef{{"shown", 1}}, defs[0].Facts)
	assert.Equal(t, []string{old}, defs[0].Supersedes)
	assert.Equal(t, shownCountQuery, defs[0].SQL)
}

func TestLoadDefinitionsRefusesFactsAndSupersedes(t *testing.T) {
	own, err := parseDefinition("k/v1.sql", string(defFile("k", 1, countQuery).Data))
	require.NoError(t, err)
	cases := []struct {
		name  string
		lines []string
		msg   string
	}{
		{"bad fact version", []string{"facts: shown"}, `header facts: "shown" is not a fact version`},
		{"fact twice", []string{"facts: shown v1, shown v1"}, "header facts: shown v1 is listed twice"},
		{"not a hash", []string{"supersedes: abc"}, `header supersedes: "abc" is not a SHA-256 hash`},
		{"upper-case hash", []string{"supersedes: " + strings.ToUpper(own.Hash)}, "is not a SHA-256 hash"},
		{"its own hash", []string{"supersedes: " + own.Hash}, "header supersedes lists the hash of this very query"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := LoadDefinitions(fstest.MapFS{"k/v1.sql": withHeader(defFile("k", 1, countQuery), c.lines...)})
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrDefinition)
			assert.Contains(t, err.Error(), "sql/kpis/k/v1.sql: ")
			assert.Contains(t, err.Error(), c.msg)
		})
	}
}

// factOpts are options computing with the facts of facts.
func factOpts(facts fstest.MapFS) Options {
	o := opts()
	o.Facts = facts
	return o
}

func TestComputeBuildsEachFactOncePerRunOfDays(t *testing.T) {
	db := threeDays(t)
	facts := fstest.MapFS{
		"shown/v1.sql": factFile("shown", 1, "", shownQuery),
		// Read by no version: never built.
		"unused/v1.sql": factFile("unused", 1, "", shownQuery),
		// Reads shown: built after it.
		"daily/v1.sql": factFile("daily", 1, "shown v1", `SELECT day, count(*) FILTER (WHERE shown) AS shown FROM fact_shown_v1 GROUP BY day`),
	}
	defs := fstest.MapFS{
		"k/v1.sql": withHeader(defFile("k", 1, shownCountQuery), "facts: shown v1"),
		"j/v1.sql": withHeader(defFile("j", 1, `SELECT day, 'Total' AS segmentation, 'Total' AS segment, '' AS step,
			shown AS value, shown AS numerator, NULL AS denominator FROM fact_daily_v1`), "facts: daily v1"),
	}
	o := factOpts(facts)
	o.ChunkSessions = 2 // 2024-03-01, 2024-03-02, 2024-03-03 each alone
	res, err := Compute(context.Background(), db.DB, defs, o)
	require.NoError(t, err)
	require.Len(t, res.Facts, 2)
	assert.Equal(t, "shown", res.Facts[0].Fact, "a fact is built before the facts that read it")
	assert.Equal(t, "daily", res.Facts[1].Fact)
	for _, f := range res.Facts {
		assert.Equal(t, 3, f.Chunks, "%s: once per run of days, for both versions", f.Fact)
	}
	assert.Equal(t, int64(6), res.Facts[0].Rows, "one row per blob")

	want := []resultRow{
		count("2024-03-01", "Total", "Total", 2),
		count("2024-03-02", "Total", "Total", 1),
		count("2024-03-03", "Total", "Total", 3),
	}
	got := results(t, db, "k")
	assert.Equal(t, want, got)
	for i := range want {
		want[i].KPI = "j"
	}
	assert.Equal(t, want, results(t, db, "j"))

	var hash, reads, kpiFacts string
	var ms int64
	var chunks int
	require.NoError(t, db.QueryRow(`SELECT sha256, reads::VARCHAR, last_build_ms, last_build_chunks FROM facts WHERE fact = 'daily' AND version = 1`).
		Scan(&hash, &reads, &ms, &chunks))
	assert.Len(t, hash, 64, "the hash results were computed with")
	assert.Equal(t, "[shown v1]", reads)
	assert.Equal(t, 3, chunks)
	require.NoError(t, db.QueryRow(`SELECT facts::VARCHAR FROM kpis WHERE kpi = 'j'`).Scan(&kpiFacts))
	assert.Equal(t, "[daily v1]", kpiFacts)
	var unused int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM facts WHERE fact = 'unused' AND sha256 IS NULL`).Scan(&unused))
	assert.Equal(t, 1, unused, "every fact is registered; one no result was computed with has no hash")

	var left int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name LIKE 'fact_%'`).Scan(&left))
	assert.Zero(t, left, "the facts' tables are dropped")

	o.KPI = "k"
	res, err = Compute(context.Background(), db.DB, defs, o)
	require.NoError(t, err)
	require.Len(t, res.Facts, 1, "only the facts the selected versions read are built")
	assert.Equal(t, "shown", res.Facts[0].Fact)
}

func TestComputeRefusesFactsAndTheirUse(t *testing.T) {
	good := fstest.MapFS{"shown/v1.sql": factFile("shown", 1, "", shownQuery)}
	cases := []struct {
		name  string
		facts fstest.MapFS
		kpi   *fstest.MapFile
		file  string // the file the error must name
		msg   string
	}{
		{"a fact that does not exist", good, withHeader(defFile("k", 2, shownCountQuery), "facts: shown v2"),
			"sql/kpis/k/v2.sql", "header facts: there is no fact shown v2 (sql/facts/shown/v2.sql)"},
		{"a fact the header does not list", good, defFile("k", 2, shownCountQuery),
			"sql/kpis/k/v2.sql", "it reads fact_shown_v1, which the header's facts: does not list (add shown v1)"},
		{"a listed fact it does not read", good, withHeader(defFile("k", 2, countQuery), "facts: shown v1"),
			"sql/kpis/k/v2.sql", "the header's facts: lists shown v1, whose table fact_shown_v1 the query does not read"},
		{"a fact without day", fstest.MapFS{"shown/v1.sql": factFile("shown", 1, "", `SELECT blob FROM kpi_blobs`)},
			withHeader(defFile("k", 2, `SELECT DATE '2024-03-01' AS day, 'Total' AS segmentation, 'Total' AS segment, '' AS step, count(*) AS value, 1 AS numerator, 1 AS denominator FROM fact_shown_v1`), "facts: shown v1"),
			"sql/facts/shown/v1.sql", "the query returns (blob BIGINT); a fact needs the column day DATE"},
		{"a fact that does not run", fstest.MapFS{"shown/v1.sql": factFile("shown", 1, "", `SELECT blob, day FROM sessions_of_nowhere`)},
			withHeader(defFile("k", 2, shownCountQuery), "facts: shown v1"),
			"sql/facts/shown/v1.sql", "query does not run on empty input"},
		{"a fact reading a fact it does not list", fstest.MapFS{
			"shown/v1.sql": factFile("shown", 1, "", shownQuery),
			"again/v1.sql": factFile("again", 1, "", `SELECT * FROM fact_shown_v1`)},
			withHeader(defFile("k", 2, `SELECT day, 'Total' AS segmentation, 'Total' AS segment, '' AS step, count(*) AS value, 1 AS numerator, 1 AS denominator FROM fact_again_v1 GROUP BY day`), "facts: again v1"),
			"sql/facts/again/v1.sql", "it reads fact_shown_v1, which the header's facts: does not list"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := threeDays(t)
			defs := fstest.MapFS{"k/v1.sql": defFile("k", 1, countQuery), "k/v2.sql": c.kpi}
			_, err := Compute(context.Background(), db.DB, defs, factOpts(c.facts))
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrDefinition)
			assert.Contains(t, err.Error(), c.file+": ")
			assert.Contains(t, err.Error(), c.msg)
			assert.Empty(t, results(t, db, ""), "no version is computed when one is refused")
		})
	}
}

func TestChangedFactIsRefusedUnlessForced(t *testing.T) {
	ctx := context.Background()
	facts := fstest.MapFS{"shown/v1.sql": factFile("shown", 1, "", shownQuery)}
	defs := fstest.MapFS{
		"k/v1.sql": withHeader(defFile("k", 1, shownCountQuery), "facts: shown v1"),
		"j/v1.sql": withHeader(defFile("j", 1, shownCountQuery), "facts: shown v1"),
		"i/v1.sql": defFile("i", 1, countQuery),
	}
	db, before := computedDays(t, defs, factOpts(facts))

	// The fact's query changes under the same version: every version that
	// read it was computed with the old one.
	facts["shown/v1.sql"] = factFile("shown", 1, "", strings.Replace(shownQuery, "'screen.rp_info'", "'nothing'", 1))
	o := factOpts(facts)
	o.KPI = "k"
	_, err := Compute(ctx, db.DB, defs, o)
	require.Error(t, err)
	assert.True(t, errors.Is(err, ErrChanged))
	assert.Regexp(t, `^sql/facts/shown/v1\.sql changed since KPI results were computed with it on \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC; add v2\.sql instead \(and new versions of the KPIs that should read it\), or use --force to recompute the history of every version that reads it$`, err.Error())
	assert.Equal(t, before, results(t, db, ""), "nothing written")

	o.KPI = "i"
	_, err = Compute(ctx, db.DB, defs, o)
	require.NoError(t, err, "a version that does not read the fact is not blocked")

	// Force recomputes every version reading the fact, selected or not.
	o.KPI, o.Force = "k", true
	o.From, o.To = date(t, "2024-03-02"), date(t, "2024-03-02")
	res, err := Compute(ctx, db.DB, defs, o)
	require.NoError(t, err)
	var computed []string
	for _, c := range res.Computed {
		computed = append(computed, c.KPI)
		assert.True(t, c.Backfill && c.Changed, "%s: its whole history, as a changed version", c.KPI)
	}
	assert.Equal(t, []string{"j", "k"}, computed)
	for _, r := range results(t, db, "") {
		if r.KPI != "i" {
			assert.Zero(t, r.Value, "%+v: computed with the new query", r)
		}
	}
	o.Force = false
	_, err = Compute(ctx, db.DB, defs, o)
	require.NoError(t, err, "the new query is now the recorded one")
}

// computedDays computes defs over threeDays and returns the database
// and its results.
func computedDays(t *testing.T, defs fstest.MapFS, o Options) (*store.DB, []resultRow) {
	t.Helper()
	db := threeDays(t)
	_, err := Compute(context.Background(), db.DB, defs, o)
	require.NoError(t, err)
	return db, results(t, db, "")
}

func TestSupersededSQLIsAcceptedAndRecorded(t *testing.T) {
	ctx := context.Background()
	defs := fstest.MapFS{"k/v1.sql": defFile("k", 1, countQuery)}
	db, before := computedDays(t, defs, opts())
	first, err := parseDefinition("k/v1.sql", string(defFile("k", 1, countQuery).Data))
	require.NoError(t, err)

	// A rewrite that says which text it supersedes: the version is not
	// refused nor back-filled, and its new SQL is recorded.
	rewrite := `SELECT day, segmentation, segment, '' AS step, count(*) AS value, count(*) AS numerator, NULL AS denominator
FROM kpi_segments WHERE segmentation IN ('OS', 'Total') GROUP BY ALL`
	defs["k/v1.sql"] = withHeader(defFile("k", 1, rewrite), "supersedes: "+first.Hash)
	recomputeStands(t, db, defs, opts(), before)
	var hash, query string
	require.NoError(t, db.QueryRow(`SELECT sha256, sql FROM kpis WHERE kpi = 'k'`).Scan(&hash, &query))
	assert.NotEqual(t, first.Hash, hash)
	assert.Equal(t, rewrite, query)

	// A later edit that does not list the recorded hash is refused.
	defs["k/v1.sql"] = withHeader(defFile("k", 1, rewrite+" HAVING count(*) > 0"), "supersedes: "+first.Hash)
	_, err = Compute(ctx, db.DB, defs, opts())
	assert.ErrorIs(t, err, ErrChanged)
}

// recomputeStands computes 2024-03-02 again with o and requires the one
// version of defs to stand: computed for that day only, neither
// back-filled nor changed, and every result as before.
func recomputeStands(t *testing.T, db *store.DB, defs fstest.MapFS, o Options, before []resultRow) {
	t.Helper()
	o.From, o.To = date(t, "2024-03-02"), date(t, "2024-03-02")
	res, err := Compute(context.Background(), db.DB, defs, o)
	require.NoError(t, err)
	require.Len(t, res.Computed, 1)
	assert.False(t, res.Computed[0].Backfill || res.Computed[0].Changed)
	assert.Equal(t, 1, res.Computed[0].Days, "only the days asked for")
	assert.Equal(t, before, results(t, db, ""))
}

// sha is the hex SHA-256 of a query, as a header's supersedes names it.
func sha(query string) string {
	sum := sha256.Sum256([]byte(query))
	return hex.EncodeToString(sum[:])
}

func TestSupersededFactIsAcceptedAndRecorded(t *testing.T) {
	ctx := context.Background()
	facts := fstest.MapFS{"shown/v1.sql": factFile("shown", 1, "", shownQuery)}
	defs := fstest.MapFS{"k/v1.sql": withHeader(defFile("k", 1, shownCountQuery), "facts: shown v1")}
	db, before := computedDays(t, defs, factOpts(facts))
	first, _, _, err := parseFact("shown/v1.sql", string(facts["shown/v1.sql"].Data))
	require.NoError(t, err)

	// A rewrite of the fact that says which text it supersedes: the
	// versions reading it are neither refused nor back-filled, and its new
	// SQL is recorded.
	rewrite := `SELECT blob, day, 'screen.rp_info' IN (SELECT unnest(events)) AS shown FROM kpi_blobs`
	facts["shown/v1.sql"] = withHeader(factFile("shown", 1, "", rewrite), "supersedes: "+first.Hash)
	recomputeStands(t, db, defs, factOpts(facts), before)
	var hash, query string
	require.NoError(t, db.QueryRow(`SELECT sha256, sql FROM facts WHERE fact = 'shown'`).Scan(&hash, &query))
	assert.Equal(t, sha(rewrite), hash)
	assert.Equal(t, rewrite, query)

	// A later edit that does not list the recorded hash is refused.
	facts["shown/v1.sql"] = withHeader(factFile("shown", 1, "", rewrite+" WHERE true"), "supersedes: "+first.Hash)
	_, err = Compute(ctx, db.DB, defs, factOpts(facts))
	assert.ErrorIs(t, err, ErrChanged)
}

func TestComputeRunsOnOneThread(t *testing.T) {
	db := threeDays(t)
	_, err := db.Exec(`SET threads = 3`)
	require.NoError(t, err)
	defs := fstest.MapFS{"k/v1.sql": defFile("k", 1, `SELECT day, 'Total' AS segmentation, 'Total' AS segment, '' AS step,
		current_setting('threads') AS value, 1 AS numerator, NULL AS denominator FROM kpi_blobs GROUP BY day`)}
	_, err = Compute(context.Background(), db.DB, defs, opts())
	require.NoError(t, err)
	for _, r := range results(t, db, "") {
		assert.Equal(t, 1.0, r.Value, "%s: computed on one thread", r.Day)
	}
	var threads int
	require.NoError(t, db.QueryRow(`SELECT current_setting('threads')`).Scan(&threads))
	assert.Equal(t, 3, threads, "the setting is restored")
}

// TestComputeChunksWithinTheirMemoryLimit: a chunk of fewer sessions than
// DefaultChunkSessions is computed with DuckDB's memory limited to
// chunkMemoryLimit, and the limit is put back afterwards.
func TestComputeChunksWithinTheirMemoryLimit(t *testing.T) {
	db := threeDays(t)
	_, err := db.Exec(`SET memory_limit = '1GB'`)
	require.NoError(t, err)
	var chunkLimit, before string
	require.NoError(t, db.QueryRow(`SELECT current_setting('memory_limit')`).Scan(&before))
	_, err = db.Exec(`SET memory_limit = '` + chunkMemoryLimit + `'`)
	require.NoError(t, err)
	require.NoError(t, db.QueryRow(`SELECT current_setting('memory_limit')`).Scan(&chunkLimit))
	_, err = db.Exec(`SET memory_limit = '1GB'`)
	require.NoError(t, err)
	require.NotEqual(t, before, chunkLimit)

	defs := fstest.MapFS{"k/v1.sql": defFile("k", 1, `SELECT day, 'Total' AS segmentation, 'Total' AS segment, '' AS step,
		(current_setting('memory_limit') = '`+chunkLimit+`')::INTEGER AS value, 1 AS numerator, NULL AS denominator FROM kpi_blobs GROUP BY day`)}
	o := opts()
	o.MemoryLimit = "1GB"
	_, err = Compute(context.Background(), db.DB, defs, o)
	require.NoError(t, err)
	rs := results(t, db, "")
	require.Len(t, rs, 3)
	for _, r := range rs {
		assert.Equal(t, 1.0, r.Value, "%s: computed within %s", r.Day, chunkLimit)
	}
	var after string
	require.NoError(t, db.QueryRow(`SELECT current_setting('memory_limit')`).Scan(&after))
	assert.Equal(t, before, after, "the limit is restored")
}
