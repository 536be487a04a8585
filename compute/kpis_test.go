package compute

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/persona-kpi/kpi/blob"
	"github.com/persona-kpi/kpi/config"
	"github.com/persona-kpi/kpi/load"
	kpisql "github.com/persona-kpi/kpi/sql"
	"github.com/persona-kpi/kpi/store"
	"github.com/persona-kpi/kpi/transform"
)

// kpisDir is sql/kpis, the definitions' source. Each KPI directory keeps
// its test cases beside its versions, one folder each under cases/ (see
// sql/kpis/README.md): blobs.ndjson (KPIggybank rows, one a line),
// expected.csv (kpi_results rows written by hand), an optional
// config.json (read over the defaults, as kpi's -config is) and a
// README.md saying how the expected rows were worked out.
const kpisDir = "../sql/kpis"

// factsDir is the repository's fact definitions, with their superseded
// texts (which the binary does not embed).
const factsDir = "../sql/facts"

// kpiCase is one case folder: sql/kpis/<KPI>/cases/<Name>.
type kpiCase struct {
	KPI, Name, Dir string
}

// kpiCases lists every case folder under kpisDir.
func kpiCases(t *testing.T) []kpiCase {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join(kpisDir, "*", CasesDir, "*"))
	require.NoError(t, err)
	var out []kpiCase
	for _, dir := range dirs {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			continue
		}
		out = append(out, kpiCase{KPI: filepath.Base(filepath.Dir(filepath.Dir(dir))), Name: filepath.Base(dir), Dir: dir})
	}
	require.NotEmpty(t, out, "no case in %s/*/%s/", kpisDir, CasesDir)
	return out
}

// TestKPICases runs every case's blobs through transform, loads the
// Parquet into a fresh database, computes every embedded KPI version and
// compares with expected.csv. For each (kpi, version, segmentation) that
// expected.csv names, the computed rows must be exactly its rows; a row
// whose day is "-" says there must be none. A file with the columns lo,
// hi and n gives them for every row (empty for NULL), and they must match
// too. A case may check any KPI its
// blobs exercise, but it must check the KPI it lives beside.
func TestKPICases(t *testing.T) {
	for _, c := range kpiCases(t) {
		t.Run(c.KPI+"/"+c.Name, func(t *testing.T) {
			cfg := config.Default()
			if _, err := os.Stat(filepath.Join(c.Dir, "config.json")); err == nil {
				cfg, err = config.Load(filepath.Join(c.Dir, "config.json"))
				require.NoError(t, err)
			}
			want := readExpected(t, filepath.Join(c.Dir, "expected.csv"))
			require.True(t, slices.ContainsFunc(sortedSelections(want), func(s selection) bool { return s.kpi == c.KPI }),
				"%s: expected.csv checks no row of %s, the KPI it lives beside", c.Dir, c.KPI)

			db := openDB(t)
			loadBlobs(t, db, filepath.Join(c.Dir, "blobs.ndjson"), cfg)
			_, err := Compute(context.Background(), db.DB, kpisql.KPIs(), Options{Config: cfg})
			require.NoError(t, err)
			got := results(t, db, "")
			for _, sel := range sortedSelections(want) {
				var gotRows []resultRow
				for _, r := range got {
					if sel == (selection{r.KPI, r.Version, r.Segmentation}) {
						gotRows = append(gotRows, r)
					}
				}
				assertRows(t, sel, want[sel], gotRows)
			}
		})
	}
}

// TestEveryKPIVersionHasACase: a version no case checks could compute
// anything. Every KPI directory has a cases/ folder with at least one
// case, and every version of the KPI has rows (not only "-") in the
// expected.csv of a case beside it, so that a KPI's cases travel with its
// definition. Rows a case checks of other KPIs are still compared by
// TestKPICases, but they do not stand in for a KPI's own case.
func TestEveryKPIVersionHasACase(t *testing.T) {
	cases := map[string]int{}    // KPI id → its case folders
	checked := map[string]bool{} // Definition.Key() of the versions a case beside them checks
	for _, c := range kpiCases(t) {
		cases[c.KPI]++
		for sel, rows := range readExpected(t, filepath.Join(c.Dir, "expected.csv")) {
			if sel.kpi == c.KPI && len(rows) > 0 {
				checked[Definition{ID: sel.kpi, Version: sel.version}.Key()] = true
			}
		}
	}
	defs, err := LoadDefinitions(kpisql.KPIs())
	require.NoError(t, err)
	for _, d := range defs {
		dir := filepath.Join(SourceDir, d.ID, CasesDir)
		switch {
		case cases[d.ID] == 0:
			t.Errorf("%s: %s has no case: add a case folder %s/<case>/ (blobs.ndjson, expected.csv, README.md; see %s/README.md) with rows of %s v%d",
				d.Path, d.ID, dir, SourceDir, d.ID, d.Version)
		case !checked[d.Key()]:
			t.Errorf("%s: no case beside it checks its rows: add rows of %s v%d to the expected.csv of a case in %s/ whose blobs exercise it, or a new case folder there (see %s/README.md)",
				d.Path, d.ID, d.Version, dir, SourceDir)
		}
	}
}

// TestCasesAreNotEmbedded: the binary carries the definitions only.
func TestCasesAreNotEmbedded(t *testing.T) {
	var files []string
	require.NoError(t, fs.WalkDir(kpisql.KPIs(), ".", func(p string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			files = append(files, p)
		}
		return err
	}))
	require.NotEmpty(t, files)
	for _, f := range files {
		assert.Regexp(t, `^[a-z][a-z0-9_]*/v[^/]*\.sql$`, f, "an embedded file that is not a definition")
	}
}

// selection is a (kpi, version, segmentation) that expected.csv covers.
type selection struct {
	kpi          string
	version      int
	segmentation string
}

func (s selection) String() string { return fmt.Sprintf("%s v%d %s", s.kpi, s.version, s.segmentation) }

func sortedSelections(m map[selection][]resultRow) []selection {
	out := make([]selection, 0, len(m))
	for s := range m {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

func readExpected(t *testing.T, path string) map[selection][]resultRow {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	r := csv.NewReader(f)
	header, err := r.Read()
	require.NoError(t, err)
	// The interval columns are optional: a file that has them gives every
	// row's lo, hi and n (empty for NULL), and they are compared too.
	columns := []string{"kpi", "version", "day", "segmentation", "segment", "step", "value", "numerator", "denominator"}
	intervals := len(header) > len(columns)
	if intervals {
		columns = append(columns, "lo", "hi", "n")
	}
	require.Equal(t, columns, header, "%s: the header", path)
	num := func(s string) *float64 {
		if s == "" {
			return nil
		}
		v, err := strconv.ParseFloat(s, 64)
		require.NoError(t, err, "%s: number %q", path, s)
		return &v
	}
	out := map[selection][]resultRow{}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		v, err := strconv.Atoi(rec[1])
		require.NoError(t, err)
		sel := selection{rec[0], v, rec[3]}
		if rec[2] == "-" {
			if _, ok := out[sel]; !ok {
				out[sel] = []resultRow{}
			}
			continue
		}
		value := num(rec[6])
		require.NotNil(t, value, "%s: a row needs a value: %v", path, rec)
		row := resultRow{KPI: rec[0], Version: v, Day: rec[2], Segmentation: rec[3],
			Segment: rec[4], Step: rec[5], Value: *value, Numerator: num(rec[7]), Denominator: num(rec[8])}
		if intervals {
			row.interval, row.Lo, row.Hi = true, num(rec[9]), num(rec[10])
			if n := num(rec[11]); n != nil {
				require.Equal(t, math.Trunc(*n), *n, "%s: n is a number of blobs: %v", path, rec)
				row.N = new(int64)
				*row.N = int64(*n)
			}
		}
		out[sel] = append(out[sel], row)
	}
	return out
}

// assertRows compares rows regardless of order, numbers to 1e-9.
func assertRows(t *testing.T, sel selection, want, got []resultRow) {
	t.Helper()
	key := func(r resultRow) string { return r.Day + "|" + r.Segment + "|" + r.Step }
	byKey := map[string]resultRow{}
	for _, r := range got {
		byKey[key(r)] = r
	}
	seen := map[string]bool{}
	for _, w := range want {
		k := key(w)
		seen[k] = true
		g, ok := byKey[k]
		if !assert.True(t, ok, "%s: missing row %s %s step %q", sel, w.Day, w.Segment, w.Step) {
			continue
		}
		where := fmt.Sprintf("%s: %s %s step %q", sel, w.Day, w.Segment, w.Step)
		assert.InDelta(t, w.Value, g.Value, 1e-9, "%s: value", where)
		assertNullable(t, w.Numerator, g.Numerator, where+": numerator")
		assertNullable(t, w.Denominator, g.Denominator, where+": denominator")
		if w.interval {
			// Intervals are worked out by hand to 7 significant digits.
			assertClose(t, w.Lo, g.Lo, where+": lo")
			assertClose(t, w.Hi, g.Hi, where+": hi")
			if w.N == nil || g.N == nil {
				assert.True(t, w.N == nil && g.N == nil, "%s: n: want %v, got %v", where, w.N, g.N)
			} else {
				assert.Equal(t, *w.N, *g.N, "%s: n", where)
			}
		}
	}
	for _, g := range got {
		if !seen[key(g)] {
			assert.Fail(t, "unexpected row", "%s: %s %s step %q value %v", sel, g.Day, g.Segment, g.Step, g.Value)
		}
	}
}

func assertNullable(t *testing.T, want, got *float64, what string) {
	t.Helper()
	if want == nil || got == nil {
		assert.True(t, want == nil && got == nil, "%s: want %v, got %v", what, fmtNullable(want), fmtNullable(got))
		return
	}
	assert.InDelta(t, *want, *got, 1e-9, what)
}

// assertClose compares an interval's end to a relative 5e-7 (a hand
// calculation's 7 significant digits), or to 1e-9 near 0.
func assertClose(t *testing.T, want, got *float64, what string) {
	t.Helper()
	if want == nil || got == nil {
		assert.True(t, want == nil && got == nil, "%s: want %v, got %v", what, fmtNullable(want), fmtNullable(got))
		return
	}
	assert.InDelta(t, *want, *got, math.Max(1e-9, 5e-7*math.Abs(*want)), what)
}

func fmtNullable(f *float64) string {
	if f == nil {
		return "NULL"
	}
	return strconv.FormatFloat(*f, 'g', -1, 64)
}

// loadBlobs runs the blobs file through transform for each day it has
// blobs of, and loads each day's Parquet with load, as kpi does.
func loadBlobs(t *testing.T, db *store.DB, path string, cfg config.Config) {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	days := map[time.Time]bool{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if d, ok := blob.ElementDay(sc.Bytes()); ok {
			days[d] = true
		}
	}
	require.NoError(t, sc.Err())
	f.Close()
	require.NotEmpty(t, days, "%s has no blob with a timestamp", path)

	ctx := context.Background()
	out := t.TempDir()
	for d := range days {
		_, err := transform.TransformDay(ctx, transform.Options{
			Day:    d,
			OutDir: out,
			Config: cfg,
			Inputs: []transform.Input{{
				Name:   path,
				Source: "test",
				Open:   func() (io.ReadCloser, error) { return os.Open(path) },
			}},
		})
		require.NoError(t, err)
		_, err = load.Day(ctx, db, 0, transform.Staging{Dir: out}, d, "test")
		require.NoError(t, err, "load %s", d.Format(time.DateOnly))
	}
}
