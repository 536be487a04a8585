package compute

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// SourceDir is where the KPI definitions live in the repository; error
// messages name files under it, so they point at the file to edit.
const SourceDir = "sql/kpis"

// CasesDir is the directory beside a KPI's versions that holds its test
// cases; LoadDefinitions skips it.
const CasesDir = "cases"

// Units a KPI header may declare: what one value measures.
var Units = []string{"count", "rate", "mean", "median", "ms"}

// Kinds a KPI header may declare: how its rows are shaped.
//   - timeseries: one value per day and segment; step is empty.
//   - funnel: one row per flow step (in the flow's order), value a count of
//     blobs, denominator the first step's count.
//   - quantiles: one row per quantile (step 'p25', 'p50', ...), numerator
//     NULL, denominator the number of observations.
//   - shares: one row per category (step '0', '1', '3 or more', ...), value
//     the share of the day's blobs in it: a distribution.
var Kinds = []string{"timeseries", "funnel", "quantiles", "shares"}

// Betters are the directions a KPI header may call good news, which the
// report colours: a rise (higher), a fall (lower), or neither (none) for a
// KPI whose changes are neither good nor bad in themselves.
var Betters = []string{"higher", "lower", "none"}

// headerFields are the header keys, all required, in the order a file
// should list them.
var headerFields = []string{"id", "version", "title", "question", "unit", "kind", "order", "better", "segmentations", "description"}

// optionalFields are the header keys a file may leave out.
var optionalFields = []string{"estimate"}

// Definition is one version of one KPI: a parsed sql/kpis/<id>/vN.sql.
type Definition struct {
	ID       string
	Version  int
	Title    string
	Question string
	Unit     string
	Kind     string
	// Order places the KPI among the report's pages and tiles, ascending
	// (ties by id). It belongs to the KPI, so every version gives the same.
	Order int
	// Better is which change the report shows as good news: one of Betters.
	Better        string
	Segmentations []string
	Description   string
	// Path is the file, as SourceDir/<id>/vN.sql.
	Path string
	// SQL is the query: the file without its header, trimmed, line ends
	// normalized and a trailing semicolon removed.
	SQL string
	// Estimate is how the runner turns the query's rows into values: see
	// Estimate. The zero value describes the sample (EstimateSample).
	Estimate Estimate
	// Hash is the hex SHA-256 of SQL, and of the estimate where it is not
	// the sample's. Editing the header (a title, the description) does not
	// change it; editing the query or the estimate does.
	Hash string
}

// Key names the version as "id vN".
func (d Definition) Key() string { return fmt.Sprintf("%s v%d", d.ID, d.Version) }

var (
	idPattern           = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	versionFile         = regexp.MustCompile(`^v([1-9][0-9]*)(_[a-z0-9_]+)?\.sql$`)
	segmentationPattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)
	headerLine          = regexp.MustCompile(`^-- ([a-z_]+):(.*)$`)
)

// LoadDefinitions reads every KPI definition of defs, a directory holding
// one directory per KPI id with files v1.sql, v2.sql, ... It refuses,
// naming the file, a file or directory that does not fit that layout, a
// malformed or incomplete header, a header whose id or version disagrees
// with the file's place, and versions that are not 1..N without gaps.
// Files not ending in .sql (notes, READMEs) are ignored. Definitions come
// back sorted by id, then version.
func LoadDefinitions(defs fs.FS) ([]Definition, error) {
	entries, err := fs.ReadDir(defs, ".")
	if err != nil {
		return nil, fmt.Errorf("kpi definitions: %w", err)
	}
	var out []Definition
	var errs []error
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() {
			if strings.HasSuffix(name, ".sql") {
				errs = append(errs, defErr(name, errors.New("a KPI file must be in its KPI's directory: sql/kpis/<kpi>/vN.sql")))
			}
			continue
		}
		if !idPattern.MatchString(name) {
			errs = append(errs, defErr(name, errors.New("a KPI directory must be a lowercase id: [a-z][a-z0-9_]*")))
			continue
		}
		ds, err := loadKPI(defs, name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, ds...)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].ID != out[j].ID {
			return out[i].ID < out[j].ID
		}
		return out[i].Version < out[j].Version
	})
	return out, nil
}

// loadKPI reads the versions of one KPI directory and checks that they
// run 1..N and agree on the KPI's order.
func loadKPI(defs fs.FS, id string) ([]Definition, error) {
	entries, err := fs.ReadDir(defs, id)
	if err != nil {
		return nil, defErr(id, err)
	}
	var ds []Definition
	var errs []error
	for _, e := range entries {
		file := path.Join(id, e.Name())
		switch {
		case e.IsDir() && e.Name() == CasesDir:
			continue
		case e.IsDir():
			errs = append(errs, defErr(file, fmt.Errorf("unexpected directory: a KPI directory holds vN.sql files and its %s/", CasesDir)))
			continue
		case !strings.HasSuffix(e.Name(), ".sql"):
			continue
		}
		d, err := loadVersion(defs, id, file)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ds = append(ds, d)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if len(ds) == 0 {
		return nil, defErr(id, errors.New("no vN.sql file: add v1.sql"))
	}
	sort.Slice(ds, func(i, j int) bool {
		if ds[i].Version != ds[j].Version {
			return ds[i].Version < ds[j].Version
		}
		return ds[i].Path < ds[j].Path
	})
	if err := checkVersions(ds); err != nil {
		return nil, err
	}
	return ds, nil
}

// loadVersion reads one version file of KPI id and checks that its header
// agrees with the file's place.
func loadVersion(defs fs.FS, id, file string) (Definition, error) {
	m := versionFile.FindStringSubmatch(path.Base(file))
	if m == nil {
		return Definition{}, defErr(file, errors.New("a KPI file must be named vN.sql or vN_name.sql, N = 1, 2, ... without leading zeros"))
	}
	version, err := strconv.Atoi(m[1])
	if err != nil {
		return Definition{}, defErr(file, err)
	}
	b, err := fs.ReadFile(defs, file)
	if err != nil {
		return Definition{}, defErr(file, err)
	}
	d, err := parseDefinition(file, string(b))
	switch {
	case err != nil:
		return d, err
	case d.ID != id:
		return d, defErr(file, fmt.Errorf("header id %q disagrees with its directory %q", d.ID, id))
	case d.Version != version:
		return d, defErr(file, fmt.Errorf("header version %d disagrees with its file name v%d.sql", d.Version, version))
	}
	return d, nil
}

// checkVersions refuses, naming the file, versions of one KPI (sorted by
// version) that repeat or skip a number, or that disagree with v1 on the
// order: the order places the KPI's page, which every version shares.
func checkVersions(ds []Definition) error {
	file := func(d Definition) string { return strings.TrimPrefix(d.Path, SourceDir+"/") }
	for i, d := range ds {
		if i > 0 && ds[i-1].Version == d.Version {
			return defErr(file(d), fmt.Errorf("duplicate version %d: %s has it too", d.Version, ds[i-1].Path))
		}
	}
	for i, d := range ds {
		switch {
		case d.Version != i+1:
			return defErr(file(d), fmt.Errorf("version %d is missing: versions must run 1, 2, ... without gaps", i+1))
		case d.Order != ds[0].Order:
			return defErr(file(d), fmt.Errorf("header order %d disagrees with %s's order %d: every version of a KPI has the same order", d.Order, ds[0].Path, ds[0].Order))
		}
	}
	return nil
}

// parseDefinition reads the header and query of one file; file is its path
// inside the definitions directory.
func parseDefinition(file, text string) (Definition, error) {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	fields, n, err := readHeader(file, lines)
	if err != nil {
		return Definition{Path: path.Join(SourceDir, file)}, err
	}
	d, err := headerDefinition(file, fields)
	if err != nil {
		return d, err
	}
	body := strings.TrimSpace(strings.Join(lines[n:], "\n"))
	body = strings.TrimSpace(strings.TrimSuffix(body, ";"))
	if body == "" {
		return d, defErr(file, errors.New("no query after the header"))
	}
	d.SQL = body
	hashed := body
	if d.Estimate.Method != EstimateSample {
		// A version's numbers change with its estimate as with its query.
		hashed = "-- estimate: " + d.Estimate.String() + "\n" + body
	}
	sum := sha256.Sum256([]byte(hashed))
	d.Hash = hex.EncodeToString(sum[:])
	return d, nil
}

// readHeader reads the header's fields and says how many lines it takes.
//
// The header is the block of comment lines at the very top. Each is either
// "-- key: value" or a continuation "--   more text" (two or more spaces
// after the dashes) that extends the previous key's value; a bare "--" is
// allowed. The header ends at the first line that is not a comment. Every
// field of headerFields is required, once.
func readHeader(file string, lines []string) (fields map[string]string, n int, err error) {
	fields = map[string]string{}
	last := ""
	for ; n < len(lines); n++ {
		line := strings.TrimRight(lines[n], " \t")
		if !strings.HasPrefix(line, "--") {
			break
		}
		rest := line[2:]
		switch {
		case rest == "":
			continue
		case strings.HasPrefix(rest, "  ") || strings.HasPrefix(rest, "\t"):
			if last == "" {
				return nil, n, defErr(file, fmt.Errorf("line %d: continuation line before any header field", n+1))
			}
			fields[last] += " " + strings.TrimSpace(rest)
			continue
		}
		m := headerLine.FindStringSubmatch(line)
		if m == nil {
			return nil, n, defErr(file, fmt.Errorf("line %d: malformed header line %q: want \"-- key: value\"", n+1, line))
		}
		key := m[1]
		if !contains(headerFields, key) && !contains(optionalFields, key) {
			return nil, n, defErr(file, fmt.Errorf("line %d: unknown header field %q (fields: %s)", n+1, key, strings.Join(append(slices.Clone(headerFields), optionalFields...), ", ")))
		}
		if _, dup := fields[key]; dup {
			return nil, n, defErr(file, fmt.Errorf("line %d: header field %q given twice", n+1, key))
		}
		fields[key] = strings.TrimSpace(m[2])
		last = key
	}
	var missing []string
	for _, k := range headerFields {
		if strings.TrimSpace(fields[k]) == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return nil, n, defErr(file, fmt.Errorf("header is missing %s (want \"-- key: value\" lines at the top)", strings.Join(missing, ", ")))
	}
	return fields, n, nil
}

// headerDefinition checks the header's fields and fills a Definition with
// them.
func headerDefinition(file string, fields map[string]string) (Definition, error) {
	d := Definition{
		Path:        path.Join(SourceDir, file),
		ID:          fields["id"],
		Title:       fields["title"],
		Question:    fields["question"],
		Description: fields["description"],
		Unit:        fields["unit"],
		Kind:        fields["kind"],
		Better:      fields["better"],
	}
	if !idPattern.MatchString(d.ID) {
		return d, defErr(file, fmt.Errorf("header id %q must match [a-z][a-z0-9_]*", d.ID))
	}
	var err error
	if d.Version, err = positive(fields["version"]); err != nil {
		return d, defErr(file, fmt.Errorf("header version %q must be a whole number from 1", fields["version"]))
	}
	if d.Order, err = positive(fields["order"]); err != nil {
		return d, defErr(file, fmt.Errorf("header order %q must be a whole number from 1", fields["order"]))
	}
	for _, f := range []struct {
		name, value string
		allowed     []string
	}{
		{"unit", d.Unit, Units}, {"kind", d.Kind, Kinds}, {"better", d.Better, Betters},
	} {
		if !contains(f.allowed, f.value) {
			return d, defErr(file, fmt.Errorf("header %s %q must be one of %s", f.name, f.value, strings.Join(f.allowed, ", ")))
		}
	}
	if d.Segmentations, err = parseSegmentations(fields["segmentations"]); err != nil {
		return d, defErr(file, fmt.Errorf("header segmentations: %w", err))
	}
	if d.Estimate, err = parseEstimate(fields["estimate"]); err != nil {
		return d, defErr(file, fmt.Errorf("header estimate: %w", err))
	}
	if err := d.Estimate.fits(d.Kind); err != nil {
		return d, defErr(file, fmt.Errorf("header estimate: %w", err))
	}
	return d, nil
}

// positive reads a whole number from 1.
func positive(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err == nil && n < 1 {
		err = errors.New("not positive")
	}
	return n, err
}

// parseSegmentations reads the header's comma-separated segmentation names.
func parseSegmentations(list string) ([]string, error) {
	var out []string
	for _, s := range strings.Split(list, ",") {
		s = strings.TrimSpace(s)
		if !segmentationPattern.MatchString(s) {
			return nil, fmt.Errorf("%q is not a segmentation name (want e.g. \"Total, OS, Browser\")", s)
		}
		if contains(out, s) {
			return nil, fmt.Errorf("%q is listed twice", s)
		}
		out = append(out, s)
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
