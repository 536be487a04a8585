package compute

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/persona-kpi/kpi/blob"
	"github.com/persona-kpi/kpi/config"
	kpisql "github.com/persona-kpi/kpi/sql"
	"github.com/persona-kpi/kpi/transform"
)

// casesDir holds one folder per KPI case: blobs.ndjson (KPIggybank rows,
// one a line), expected.csv (kpi_results rows written by hand) and an
// optional config.json (read over the defaults, as kpi's -config is).
const casesDir = "../testdata/kpis"

// TestKPICases runs every case's blobs through transform, loads the
// Parquet into a fresh database, computes every embedded KPI version and
// compares with expected.csv. For each (kpi, version, segmentation) that
// expected.csv names, the computed rows must be exactly its rows; a row
// whose day is "-" says there must be none.
func TestKPICases(t *testing.T) {
	entries, err := os.ReadDir(casesDir)
	require.NoError(t, err)
	n := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		n++
		dir := filepath.Join(casesDir, e.Name())
		t.Run(e.Name(), func(t *testing.T) {
			cfg := config.Default()
			if _, err := os.Stat(filepath.Join(dir, "config.json")); err == nil {
				cfg, err = config.Load(filepath.Join(dir, "config.json"))
				require.NoError(t, err)
			}
			db := openDB(t)
			loadBlobs(t, db, filepath.Join(dir, "blobs.ndjson"), cfg)
			_, err := Compute(context.Background(), db, kpisql.KPIs(), Options{Config: cfg})
			require.NoError(t, err)

			want := readExpected(t, filepath.Join(dir, "expected.csv"))
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
	require.NotZero(t, n, "no case in %s", casesDir)
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
	require.Equal(t, []string{"kpi", "version", "day", "segmentation", "segment", "step", "value", "numerator", "denominator"}, header)
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
		out[sel] = append(out[sel], resultRow{KPI: rec[0], Version: v, Day: rec[2], Segmentation: rec[3],
			Segment: rec[4], Step: rec[5], Value: *value, Numerator: num(rec[7]), Denominator: num(rec[8])})
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

func fmtNullable(f *float64) string {
	if f == nil {
		return "NULL"
	}
	return strconv.FormatFloat(*f, 'g', -1, 64)
}

// loadBlobs runs the blobs file through transform for each day it has
// blobs of, and loads the Parquet as the load stage does.
func loadBlobs(t *testing.T, db *sql.DB, path string, cfg config.Config) {
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

	out := t.TempDir()
	for d := range days {
		_, err := transform.TransformDay(context.Background(), transform.Options{
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
		for table, p := range map[string]string{
			"sessions": transform.SessionsPath(out, d),
			"events":   transform.EventsPath(out, d),
		} {
			_, err := db.Exec(fmt.Sprintf(`INSERT INTO %s SELECT * FROM read_parquet('%s')`, table, p))
			require.NoError(t, err, "load %s", p)
		}
	}
}
