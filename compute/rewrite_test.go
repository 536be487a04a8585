package compute

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path"
	"path/filepath"
	"slices"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/persona-kpi/kpi/config"
	"github.com/persona-kpi/kpi/extract/generate"
	kpisql "github.com/persona-kpi/kpi/sql"
	"github.com/persona-kpi/kpi/store"
)

// rewrittenDays are the generated days the rewrites are compared on: two
// days of each era whose format differs (2012-11: xhr.<url> names and
// window.unload; 2013-06: xhr_complete names; 2013-11: census entries
// too), 3,000 blobs a day.
var rewrittenDays = []string{"2012-11-05", "2012-11-06", "2013-06-03", "2013-06-04", "2013-11-04", "2013-11-05"}

// TestRewrittenVersionsGiveTheSameResults proves each version whose header
// supersedes an earlier text: the earlier text is kept in
// sql/kpis/<id>/superseded/, hashes to the value the header names, and
// gives exactly the same kpi_results rows as the version's text (to the
// last bit of every number) over every hand-made case and over generated
// days of several eras. The earlier texts are computed first; the current
// ones then run on the same database, as on a database computed before
// the rewrite, where the runner must accept them without a backfill.
func TestRewrittenVersionsGiveTheSameResults(t *testing.T) {
	defs, err := LoadDefinitions(kpisql.KPIs())
	require.NoError(t, err)
	facts, err := LoadFacts(kpisql.Facts())
	require.NoError(t, err)
	var kpiFiles, factFiles []rewritable
	for _, d := range defs {
		kpiFiles = append(kpiFiles, rewritable{path.Join(d.ID, path.Base(d.Path)), d.Supersedes})
	}
	for _, f := range facts {
		factFiles = append(factFiles, rewritable{path.Join(f.ID, path.Base(f.Path)), f.Supersedes})
	}
	before, now, earlierKPIs := beforeAndNow(t, kpisql.KPIs(), kpisDir, kpiFiles, func(file, text string) (string, string, error) {
		d, err := parseDefinition(file, text)
		return d.Key(), d.Hash, err
	})
	factsBefore, factsNow, earlierFacts := beforeAndNow(t, kpisql.Facts(), factsDir, factFiles, func(file, text string) (string, string, error) {
		f, _, _, err := parseFact(file, text)
		return f.Ref().String(), f.Hash, err
	})
	oldFacts := map[FactRef]string{}
	for _, f := range facts {
		if text, ok := earlierFacts[path.Join(f.ID, path.Base(f.Path))]; ok {
			oldFacts[f.Ref()] = text
		}
	}
	require.NotZero(t, len(earlierKPIs)+len(earlierFacts), "no version or fact supersedes an earlier text")

	check := func(t *testing.T, load func(t *testing.T) *store.DB, cfg config.Config, chunk int) {
		db := load(t)
		ctx := context.Background()
		assertSameFactRows(t, db, cfg, facts, oldFacts)
		o := Options{Config: cfg, ChunkSessions: chunk, Facts: factsBefore}
		// A sum of doubles depends on the order it adds them in. Compute
		// runs on one thread, so the order is the one the plan meets the
		// rows in: the rewrites sum over a fact in blob order, and
		// new_users v2's earlier text, over a join, did too, except where
		// DuckDB chose to build the join's hash table on the other side
		// (on small days), which changes the last bit of some sums. With
		// that choice off, the earlier texts sum in blob order too.
		_, err := db.Exec(`SET disabled_optimizers = 'build_side_probe_side'`)
		require.NoError(t, err)
		_, err = Compute(ctx, db.DB, before, o)
		require.NoError(t, err)
		_, err = db.Exec(`RESET disabled_optimizers`)
		require.NoError(t, err)
		want := results(t, db, "")
		require.NotEmpty(t, want)

		o.Facts = factsNow
		res, err := Compute(ctx, db.DB, now, o)
		require.NoError(t, err, "the rewrites are accepted on a database computed with the earlier texts")
		for _, c := range res.Computed {
			assert.False(t, c.Backfill || c.Changed, "%s v%d is computed as usual, not back-filled", c.KPI, c.Version)
		}
		assertSameRows(t, want, results(t, db, ""))

		for _, d := range defs {
			var hash string
			require.NoError(t, db.QueryRow(`SELECT sha256 FROM kpis WHERE kpi = ? AND version = ?`, d.ID, d.Version).Scan(&hash))
			assert.Equal(t, d.Hash, hash, "%s: the rewrite's hash is recorded", d.Path)
		}
		for _, f := range facts {
			var hash sql.NullString
			require.NoError(t, db.QueryRow(`SELECT sha256 FROM facts WHERE fact = ? AND version = ?`, f.ID, f.Version).Scan(&hash))
			if hash.Valid { // a fact no version read was never recorded
				assert.Equal(t, f.Hash, hash.String, "%s: the rewrite's hash is recorded", f.Path)
			}
		}
	}

	for _, c := range kpiCases(t) {
		t.Run("case/"+c.KPI+"/"+c.Name, func(t *testing.T) {
			cfg := config.Default()
			if _, err := os.Stat(filepath.Join(c.Dir, "config.json")); err == nil {
				cfg, err = config.Load(filepath.Join(c.Dir, "config.json"))
				require.NoError(t, err)
			}
			check(t, func(t *testing.T) *store.DB {
				db := openDB(t)
				loadBlobs(t, db, filepath.Join(c.Dir, "blobs.ndjson"), cfg)
				return db
			}, cfg, 0)
		})
	}
	t.Run("generated", func(t *testing.T) {
		check(t, func(t *testing.T) *store.DB {
			db := openDB(t)
			loadBlobs(t, db, generated(t, 3000, rewrittenDays...), config.Default())
			return db
		}, config.Default(), 5000) // about a day a run, so that facts are built again for each
	})
}

// rewritable is a definition file (path inside its directory) and the
// hashes of the earlier texts its header says it supersedes.
type rewritable struct {
	file       string
	supersedes []string
}

// beforeAndNow lays out the files of fsys twice: now, as they are, and
// before, each rewritten file replaced by its latest earlier text (what a
// database was computed with), found in the superseded/ directory beside
// it under srcDir, the repository's copy of fsys. parse gives a file's
// version key and query hash. earlier holds the earlier texts put in
// before, by file.
func beforeAndNow(t *testing.T, fsys fs.FS, srcDir string, files []rewritable,
	parse func(file, text string) (key, hash string, err error)) (before, now fstest.MapFS, earlier map[string]string) {
	t.Helper()
	before, now, earlier = fstest.MapFS{}, fstest.MapFS{}, map[string]string{}
	for _, f := range files {
		text, err := fs.ReadFile(fsys, f.file)
		require.NoError(t, err)
		now[f.file] = &fstest.MapFile{Data: text}
		before[f.file] = &fstest.MapFile{Data: text}
		for _, h := range f.supersedes {
			old := superseded(t, srcDir, f.file, string(text), h, parse)
			before[f.file] = &fstest.MapFile{Data: []byte(old)}
			earlier[f.file] = old
		}
	}
	return before, now, earlier
}

// superseded finds the earlier text of file (whose text is current) that
// hashes to h, in the superseded/ directory beside it under srcDir, and
// checks that it is a text of the same version.
func superseded(t *testing.T, srcDir, file, current, h string, parse func(file, text string) (key, hash string, err error)) string {
	t.Helper()
	key, _, err := parse(file, current)
	require.NoError(t, err)
	dir := filepath.Join(srcDir, path.Dir(file), SupersededDir)
	files, err := filepath.Glob(filepath.Join(dir, "*.sql"))
	require.NoError(t, err)
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		oldKey, oldHash, err := parse(path.Join(path.Dir(file), SupersededDir, filepath.Base(f)), string(b))
		require.NoError(t, err, f)
		if oldHash == h {
			require.Equal(t, key, oldKey, "%s: the earlier text of %s is a text of another version", f, filepath.Join(srcDir, file))
			return string(b)
		}
	}
	require.Failf(t, "no earlier text", "%s supersedes %s, but no file in %s has a query with that SHA-256: keep the text it rewrites there", filepath.Join(srcDir, file), h, dir)
	return ""
}

// assertSameFactRows builds each rewritten fact (old holds the earlier
// file by fact version) with its earlier and its current text over every
// loaded day, after the facts it reads (current texts), and requires the
// same rows in the same order: a KPI version summing doubles over a fact
// adds them in the fact's row order.
func assertSameFactRows(t *testing.T, db *store.DB, cfg config.Config, facts []Fact, old map[FactRef]string) {
	t.Helper()
	ctx := context.Background()
	w, closeWorkers, err := openWorkers(ctx, db.DB, 1)
	require.NoError(t, err)
	defer closeWorkers()
	conn := w.writer()
	defer dropTemp(ctx, conn)
	require.NoError(t, materializeConfig(ctx, conn, cfg))
	days, err := loadedDays(ctx, conn)
	require.NoError(t, err)
	require.NoError(t, setRange(ctx, conn, days))
	ordered, err := factOrder(facts, facts)
	require.NoError(t, err)
	for _, f := range ordered {
		_, err := build(ctx, conn, f)
		require.NoError(t, err, f.Path)
		text, ok := old[f.Ref()]
		if !ok {
			continue
		}
		earlier, _, _, err := parseFact(path.Join(f.ID, SupersededDir, "v.sql"), text)
		require.NoError(t, err)
		_, err = conn.ExecContext(ctx, "CREATE OR REPLACE TABLE "+scratch+".earlier AS\n"+earlier.SQL)
		require.NoError(t, err, "%s: the earlier text", f.Path)
		table := scratch + "." + f.Ref().Table()
		var rows, differ int64
		require.NoError(t, conn.QueryRowContext(ctx, `SELECT count(*) FROM `+table).Scan(&rows))
		require.NoError(t, conn.QueryRowContext(ctx, `SELECT count(*) FROM (
			(SELECT row_number() OVER () AS i, * FROM `+scratch+`.earlier EXCEPT ALL SELECT row_number() OVER () AS i, * FROM `+table+`)
			UNION ALL
			(SELECT row_number() OVER () AS i, * FROM `+table+` EXCEPT ALL SELECT row_number() OVER () AS i, * FROM `+scratch+`.earlier))`).Scan(&differ))
		assert.NotZero(t, rows, "%s: no rows to compare", f.Path)
		assert.Zero(t, differ, "%s: rows (in order) that differ between the earlier text and this one, of %d", f.Path, rows)
		_, err = conn.ExecContext(ctx, "DROP TABLE "+scratch+".earlier")
		require.NoError(t, err)
	}
	require.NoError(t, dropFacts(ctx, conn, ordered))
}

// generated writes the built-in generator's rows of days (YYYY-MM-DD),
// perDay blobs a day, into a file of KPIggybank rows, one a line.
func generated(t *testing.T, perDay int, days ...string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "generated.ndjson")
	f, err := os.Create(p)
	require.NoError(t, err)
	w := bufio.NewWriter(f)
	g := generate.Generator{Seed: 1, PerDay: perDay}
	for _, s := range days {
		day, err := time.Parse(time.DateOnly, s)
		require.NoError(t, err)
		require.NoError(t, g.Rows(day, day.AddDate(0, 0, 1), func(row []byte) error {
			if _, err := w.Write(row); err != nil {
				return err
			}
			return w.WriteByte('\n')
		}))
	}
	require.NoError(t, w.Flush())
	require.NoError(t, f.Close())
	return p
}

// roundedOnly are the rewrites whose earlier text sums its rows in an
// order nothing fixes: new_user_bounce and new_user_success v2 filtered
// with an IN list, whose order varied from run to run (compute/doc.go);
// new_users and sign_in_attempts v2 summed kpi_segments in its scan
// order, which since the lean keys (migration 0014) is that of kpi_blobs'
// join of each blob to its event list: a hash join hands a vector's rows
// on in the order they matched, not the table's. Their results are
// defined only up to rounding, so the rewrite must give the same rows
// and n, and every number within 1e-12 of it, relatively. (The current
// texts read fact_blobs in blob order: a 1M-blob run gave the same rows
// to the bit before and after the lean keys.)
var roundedOnly = map[string]bool{"new_user_bounce v2": true, "new_user_success v2": true,
	"new_users v2": true, "sign_in_attempts v2": true}

// assertSameRows requires exactly the same rows, every number to the last
// bit (but for roundedOnly), and lists the first differences by key.
func assertSameRows(t *testing.T, want, got []resultRow) {
	t.Helper()
	key := func(r resultRow) string {
		return fmt.Sprintf("%s v%d %s %s/%s step %q", r.KPI, r.Version, r.Day, r.Segmentation, r.Segment, r.Step)
	}
	show := func(r resultRow) string {
		n := "NULL"
		if r.N != nil {
			n = fmt.Sprint(*r.N)
		}
		return fmt.Sprintf("value %v numerator %s denominator %s lo %s hi %s n %s", r.Value,
			fmtNullable(r.Numerator), fmtNullable(r.Denominator), fmtNullable(r.Lo), fmtNullable(r.Hi), n)
	}
	byKey := map[string]resultRow{}
	for _, r := range got {
		byKey[key(r)] = r
	}
	var diffs []string
	for _, w := range want {
		g, ok := byKey[key(w)]
		delete(byKey, key(w))
		switch {
		case !ok:
			diffs = append(diffs, key(w)+": missing, was "+show(w))
		case show(g) != show(w) && !(roundedOnly[fmt.Sprintf("%s v%d", w.KPI, w.Version)] && sameToRounding(g, w)):
			diffs = append(diffs, key(w)+": "+show(g)+", was "+show(w))
		}
	}
	for k, g := range byKey {
		diffs = append(diffs, k+": new row "+show(g))
	}
	slices.Sort(diffs)
	if len(diffs) > 20 {
		diffs = append(diffs[:20], fmt.Sprintf("... and %d more", len(diffs)-20))
	}
	assert.Empty(t, diffs, "rows that differ")
}

// sameToRounding reports whether two rows have the same n and every
// number within 1e-12 of the other's, relatively.
func sameToRounding(a, b resultRow) bool {
	near := func(x, y float64) bool { return math.Abs(x-y) <= 1e-12*math.Max(math.Abs(x), math.Abs(y)) }
	nearP := func(x, y *float64) bool { return (x == nil) == (y == nil) && (x == nil || near(*x, *y)) }
	sameN := (a.N == nil) == (b.N == nil) && (a.N == nil || *a.N == *b.N)
	return sameN && near(a.Value, b.Value) && nearP(a.Numerator, b.Numerator) && nearP(a.Denominator, b.Denominator) &&
		nearP(a.Lo, b.Lo) && nearP(a.Hi, b.Hi)
}
