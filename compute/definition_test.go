package compute

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	kpisql "github.com/persona-kpi/kpi/sql"
)

// countQuery counts blobs per day for Total and OS.
const countQuery = `SELECT day, segmentation, segment, '' AS step,
	count(*) AS value, count(*) AS numerator, NULL AS denominator
FROM kpi_segments
WHERE segmentation IN ('Total', 'OS')
GROUP BY day, segmentation, segment`

// defFile is a valid definition file of a count KPI with the given query.
func defFile(id string, version int, query string) *fstest.MapFile {
	return &fstest.MapFile{Data: []byte(fmt.Sprintf(`-- id: %s
-- version: %d
-- title: Test KPI
-- question: Does it count?
-- unit: count
-- kind: timeseries
-- order: 7
-- better: higher
-- segmentations: Total, OS
-- description: Counts blobs,
--   for tests.

%s;
`, id, version, query))}
}

func TestLoadDefinitionsParsesHeaderAndQuery(t *testing.T) {
	defs := fstest.MapFS{
		"b/v1.sql":   defFile("b", 1, countQuery),
		"a/v1.sql":   defFile("a", 1, countQuery),
		"a/v2.sql":   defFile("a", 2, countQuery),
		"a/notes.md": {Data: []byte("not a definition")},
		"README.md":  {Data: []byte("not a definition")},
		// A KPI's test cases are not definitions, whatever their files.
		"a/cases/one/expected.csv": {Data: []byte("kpi,version\n")},
		"a/cases/one/v3.sql":       {Data: []byte("not a definition")},
	}
	got, err := LoadDefinitions(defs)
	require.NoError(t, err)
	require.Len(t, got, 3)
	assert.Equal(t, []string{"a v1", "a v2", "b v1"}, []string{got[0].Key(), got[1].Key(), got[2].Key()})

	d := got[1]
	assert.Equal(t, "a", d.ID)
	assert.Equal(t, 2, d.Version)
	assert.Equal(t, "Test KPI", d.Title)
	assert.Equal(t, "Does it count?", d.Question)
	assert.Equal(t, "count", d.Unit)
	assert.Equal(t, "timeseries", d.Kind)
	assert.Equal(t, 7, d.Order)
	assert.Equal(t, "higher", d.Better)
	assert.Equal(t, []string{"Total", "OS"}, d.Segmentations)
	assert.Equal(t, "Counts blobs, for tests.", d.Description)
	assert.Equal(t, "sql/kpis/a/v2.sql", d.Path)
	assert.Equal(t, countQuery, d.SQL, "the query without header, blank lines and trailing semicolon")
	// sha256sum of countQuery's text.
	assert.Equal(t, "7a94b1c07f21c6d7f3d86e743e10d3fb1e26c8e71c840e41e0710149ab7be89c", d.Hash)
	assert.Equal(t, got[0].Hash, d.Hash, "same query, same hash")
}

func TestHashIgnoresHeaderButNotQuery(t *testing.T) {
	a, err := parseDefinition("x/v1.sql", string(defFile("x", 1, countQuery).Data))
	require.NoError(t, err)
	for _, edit := range [][2]string{{"title: Test KPI", "title: Renamed"}, {"order: 7", "order: 2"}, {"better: higher", "better: none"}} {
		edited := strings.Replace(string(defFile("x", 1, countQuery).Data), edit[0], edit[1], 1)
		require.NotEqual(t, string(defFile("x", 1, countQuery).Data), edited)
		b, err := parseDefinition("x/v1.sql", edited)
		require.NoError(t, err)
		assert.Equal(t, a.Hash, b.Hash, edit[1])
	}
	c, err := parseDefinition("x/v1.sql", string(defFile("x", 1, countQuery+" HAVING count(*) > 1").Data))
	require.NoError(t, err)
	assert.NotEqual(t, a.Hash, c.Hash)
}

func TestEmbeddedDefinitionsLoad(t *testing.T) {
	defs, err := LoadDefinitions(kpisql.KPIs())
	require.NoError(t, err)
	var keys []string
	for _, d := range defs {
		keys = append(keys, d.Key())
	}
	assert.Equal(t, []string{
		"assertion_time v1", "assertion_time v2",
		"bounce_rate v1", "bounce_rate v2",
		"dialog_load_time v1", "dialog_load_time v2",
		"email_addition_flow v1", "email_addition_flow v2",
		"email_confirmation_time v1", "email_confirmation_time v2",
		"error_screens v1",
		"general_progress v1", "general_progress v2",
		"new_user_bounce v1", "new_user_bounce v2",
		"new_user_flow v1", "new_user_flow v2",
		"new_user_success v1", "new_user_success v2",
		"new_users v1", "new_users v2", "new_users v3",
		"orphaned_rate v1",
		"password_reset_flow v1", "password_reset_flow v2",
		"server_accounts_created v1", "server_accounts_created v2",
		"server_census v1", "server_census v2",
		"sign_in_attempts v1", "sign_in_attempts v2", "sign_in_attempts v3", "sign_in_attempts v4",
		"sites_signed_in v1", "sites_signed_in v2", "sites_signed_in v3", "sites_signed_in v4",
		"xhr_latency v1", "xhr_latency v2",
	}, keys)
}

func TestLoadDefinitionsRefuses(t *testing.T) {
	valid := string(defFile("k", 1, countQuery).Data)
	replace := func(old, new string) *fstest.MapFile {
		require.Contains(t, valid, old)
		return &fstest.MapFile{Data: []byte(strings.Replace(valid, old, new, 1))}
	}
	cases := []struct {
		name string
		defs fstest.MapFS
		file string // the file the error must name
		msg  string
	}{
		{"duplicate version", fstest.MapFS{
			"k/v1.sql":       defFile("k", 1, countQuery),
			"k/v1_again.sql": defFile("k", 1, countQuery),
		}, "sql/kpis/k/v1_again.sql", "duplicate version 1: sql/kpis/k/v1.sql has it too"},
		{"missing version", fstest.MapFS{
			"k/v1.sql": defFile("k", 1, countQuery),
			"k/v3.sql": defFile("k", 3, countQuery),
		}, "sql/kpis/k/v3.sql", "version 2 is missing"},
		{"no v1", fstest.MapFS{
			"k/v2.sql": defFile("k", 2, countQuery),
		}, "sql/kpis/k/v2.sql", "version 1 is missing"},
		{"id disagrees with directory", fstest.MapFS{
			"k/v1.sql": defFile("other", 1, countQuery),
		}, "sql/kpis/k/v1.sql", `header id "other" disagrees with its directory "k"`},
		{"version disagrees with file name", fstest.MapFS{
			"k/v1.sql": defFile("k", 2, countQuery),
		}, "sql/kpis/k/v1.sql", "header version 2 disagrees with its file name v1.sql"},
		{"bad file name", fstest.MapFS{
			"k/v1.sql":  defFile("k", 1, countQuery),
			"k/v02.sql": defFile("k", 2, countQuery),
		}, "sql/kpis/k/v02.sql", "must be named vN.sql"},
		{"file outside a KPI directory", fstest.MapFS{
			"v1.sql": defFile("k", 1, countQuery),
		}, "sql/kpis/v1.sql", "must be in its KPI's directory"},
		{"bad directory name", fstest.MapFS{
			"New-KPI/v1.sql": defFile("k", 1, countQuery),
		}, "sql/kpis/New-KPI", "lowercase id"},
		{"missing field", fstest.MapFS{
			"k/v1.sql": replace("-- unit: count\n", ""),
		}, "sql/kpis/k/v1.sql", "header is missing unit"},
		{"unknown field", fstest.MapFS{
			"k/v1.sql": replace("-- unit: count\n", "-- unit: count\n-- owner: me\n"),
		}, "sql/kpis/k/v1.sql", `line 6: unknown header field "owner"`},
		{"field twice", fstest.MapFS{
			"k/v1.sql": replace("-- unit: count\n", "-- unit: count\n-- unit: rate\n"),
		}, "sql/kpis/k/v1.sql", `line 6: header field "unit" given twice`},
		{"malformed line", fstest.MapFS{
			"k/v1.sql": replace("-- unit: count\n", "-- unit: count\n-- Note that this counts.\n"),
		}, "sql/kpis/k/v1.sql", "line 6: malformed header line"},
		{"bad unit", fstest.MapFS{
			"k/v1.sql": replace("-- unit: count", "-- unit: blobs"),
		}, "sql/kpis/k/v1.sql", `header unit "blobs" must be one of count, rate, mean, median, ms`},
		{"bad kind", fstest.MapFS{
			"k/v1.sql": replace("-- kind: timeseries", "-- kind: pie"),
		}, "sql/kpis/k/v1.sql", `header kind "pie"`},
		{"bad better", fstest.MapFS{
			"k/v1.sql": replace("-- better: higher", "-- better: up"),
		}, "sql/kpis/k/v1.sql", `header better "up" must be one of higher, lower, none`},
		{"order not a number", fstest.MapFS{
			"k/v1.sql": replace("-- order: 7", "-- order: first"),
		}, "sql/kpis/k/v1.sql", `header order "first" must be a whole number from 1`},
		{"order zero", fstest.MapFS{
			"k/v1.sql": replace("-- order: 7", "-- order: 0"),
		}, "sql/kpis/k/v1.sql", `header order "0" must be a whole number from 1`},
		{"missing order and better", fstest.MapFS{
			"k/v1.sql": replace("-- order: 7\n-- better: higher\n", ""),
		}, "sql/kpis/k/v1.sql", "header is missing order, better"},
		{"versions disagree on order", fstest.MapFS{
			"k/v1.sql": defFile("k", 1, countQuery),
			"k/v2.sql": {Data: []byte(strings.Replace(string(defFile("k", 2, countQuery).Data), "-- order: 7", "-- order: 8", 1))},
		}, "sql/kpis/k/v2.sql", "header order 8 disagrees with sql/kpis/k/v1.sql's order 7: every version of a KPI has the same order"},
		{"unexpected directory", fstest.MapFS{
			"k/v1.sql":        defFile("k", 1, countQuery),
			"k/tests/a/x.csv": {Data: []byte("x")},
		}, "sql/kpis/k/tests", "unexpected directory"},
		{"bad version", fstest.MapFS{
			"k/v1.sql": replace("-- version: 1", "-- version: one"),
		}, "sql/kpis/k/v1.sql", `header version "one"`},
		{"bad segmentations", fstest.MapFS{
			"k/v1.sql": replace("-- segmentations: Total, OS", "-- segmentations: Total,, OS"),
		}, "sql/kpis/k/v1.sql", `header segmentations: "" is not a segmentation name`},
		{"segmentation twice", fstest.MapFS{
			"k/v1.sql": replace("-- segmentations: Total, OS", "-- segmentations: Total, OS, Total"),
		}, "sql/kpis/k/v1.sql", `"Total" is listed twice`},
		{"no header", fstest.MapFS{
			"k/v1.sql": {Data: []byte(countQuery)},
		}, "sql/kpis/k/v1.sql", "header is missing id, version, title"},
		{"no query", fstest.MapFS{
			"k/v1.sql": defFile("k", 1, ""),
		}, "sql/kpis/k/v1.sql", "no query after the header"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := LoadDefinitions(c.defs)
			require.Error(t, err)
			assert.True(t, errors.Is(err, ErrDefinition), "errors.Is ErrDefinition: %v", err)
			assert.Contains(t, err.Error(), c.file+": ")
			assert.Contains(t, err.Error(), c.msg)
		})
	}
}
