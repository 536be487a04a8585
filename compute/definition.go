package compute

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// SourceDir is where the KPI definitions live in the repository; error
// messages name files under it, so they point at the file to edit.
const SourceDir = "sql/kpis"

// Units a KPI header may declare: what one value measures.
var Units = []string{"count", "rate", "mean", "median", "ms"}

// Kinds a KPI header may declare: how its rows are shaped.
//   - timeseries: one value per day and segment; step is empty.
//   - funnel: one row per flow step (in the flow's order), value a count of
//     blobs, denominator the first step's count.
//   - quantiles: one row per quantile (step 'p25', 'p50', ...), numerator
//     NULL, denominator the number of observations.
var Kinds = []string{"timeseries", "funnel", "quantiles"}

// headerFields are the header keys, all required, in the order a file
// should list them.
var headerFields = []string{"id", "version", "title", "question", "unit", "kind", "segmentations", "description"}

// Definition is one version of one KPI: a parsed sql/kpis/<id>/vN.sql.
type Definition struct {
	ID            string
	Version       int
	Title         string
	Question      string
	Unit          string
	Kind          string
	Segmentations []string
	Description   string
	// Path is the file, as SourceDir/<id>/vN.sql.
	Path string
	// SQL is the query: the file without its header, trimmed, line ends
	// normalized and a trailing semicolon removed.
	SQL string
	// Hash is the hex SHA-256 of SQL. Editing the header (a title, the
	// description) does not change it; editing the query does.
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

// loadKPI reads the versions of one KPI directory.
func loadKPI(defs fs.FS, id string) ([]Definition, error) {
	entries, err := fs.ReadDir(defs, id)
	if err != nil {
		return nil, defErr(id, err)
	}
	var ds []Definition
	var errs []error
	for _, e := range entries {
		file := path.Join(id, e.Name())
		if e.IsDir() {
			errs = append(errs, defErr(file, errors.New("unexpected directory: a KPI directory holds only vN.sql files")))
			continue
		}
		if !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		m := versionFile.FindStringSubmatch(e.Name())
		if m == nil {
			errs = append(errs, defErr(file, errors.New("a KPI file must be named vN.sql or vN_name.sql, N = 1, 2, ... without leading zeros")))
			continue
		}
		version, err := strconv.Atoi(m[1])
		if err != nil {
			errs = append(errs, defErr(file, err))
			continue
		}
		b, err := fs.ReadFile(defs, file)
		if err != nil {
			errs = append(errs, defErr(file, err))
			continue
		}
		d, err := parseDefinition(file, string(b))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if d.ID != id {
			errs = append(errs, defErr(file, fmt.Errorf("header id %q disagrees with its directory %q", d.ID, id)))
			continue
		}
		if d.Version != version {
			errs = append(errs, defErr(file, fmt.Errorf("header version %d disagrees with its file name v%d.sql", d.Version, version)))
			continue
		}
		ds = append(ds, d)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	sort.Slice(ds, func(i, j int) bool {
		if ds[i].Version != ds[j].Version {
			return ds[i].Version < ds[j].Version
		}
		return ds[i].Path < ds[j].Path
	})
	for i, d := range ds {
		if i > 0 && ds[i-1].Version == d.Version {
			return nil, defErr(strings.TrimPrefix(d.Path, SourceDir+"/"),
				fmt.Errorf("duplicate version %d: %s has it too", d.Version, ds[i-1].Path))
		}
	}
	for i, d := range ds {
		if d.Version != i+1 {
			return nil, defErr(strings.TrimPrefix(d.Path, SourceDir+"/"),
				fmt.Errorf("version %d is missing: versions must run 1, 2, ... without gaps", i+1))
		}
	}
	if len(ds) == 0 {
		return nil, defErr(id, errors.New("no vN.sql file: add v1.sql"))
	}
	return ds, nil
}

// parseDefinition reads the header and query of one file; file is its path
// inside the definitions directory.
//
// The header is the block of comment lines at the very top. Each is either
// "-- key: value" or a continuation "--   more text" (two or more spaces
// after the dashes) that extends the previous key's value; a bare "--" is
// allowed. The header ends at the first line that is not a comment.
func parseDefinition(file, text string) (Definition, error) {
	d := Definition{Path: path.Join(SourceDir, file)}
	text = strings.ReplaceAll(text, "\r\n", "\n")
	lines := strings.Split(text, "\n")
	fields := map[string]string{}
	last := ""
	n := 0
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
				return d, defErr(file, fmt.Errorf("line %d: continuation line before any header field", n+1))
			}
			fields[last] += " " + strings.TrimSpace(rest)
			continue
		}
		m := headerLine.FindStringSubmatch(line)
		if m == nil {
			return d, defErr(file, fmt.Errorf("line %d: malformed header line %q: want \"-- key: value\"", n+1, line))
		}
		key := m[1]
		if !contains(headerFields, key) {
			return d, defErr(file, fmt.Errorf("line %d: unknown header field %q (fields: %s)", n+1, key, strings.Join(headerFields, ", ")))
		}
		if _, dup := fields[key]; dup {
			return d, defErr(file, fmt.Errorf("line %d: header field %q given twice", n+1, key))
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
		return d, defErr(file, fmt.Errorf("header is missing %s (want \"-- key: value\" lines at the top)", strings.Join(missing, ", ")))
	}

	d.ID = fields["id"]
	if !idPattern.MatchString(d.ID) {
		return d, defErr(file, fmt.Errorf("header id %q must match [a-z][a-z0-9_]*", d.ID))
	}
	v, err := strconv.Atoi(fields["version"])
	if err != nil || v < 1 {
		return d, defErr(file, fmt.Errorf("header version %q must be a whole number from 1", fields["version"]))
	}
	d.Version = v
	d.Title = fields["title"]
	d.Question = fields["question"]
	d.Description = fields["description"]
	d.Unit = fields["unit"]
	if !contains(Units, d.Unit) {
		return d, defErr(file, fmt.Errorf("header unit %q must be one of %s", d.Unit, strings.Join(Units, ", ")))
	}
	d.Kind = fields["kind"]
	if !contains(Kinds, d.Kind) {
		return d, defErr(file, fmt.Errorf("header kind %q must be one of %s", d.Kind, strings.Join(Kinds, ", ")))
	}
	for _, s := range strings.Split(fields["segmentations"], ",") {
		s = strings.TrimSpace(s)
		if !segmentationPattern.MatchString(s) {
			return d, defErr(file, fmt.Errorf("header segmentations: %q is not a segmentation name (want e.g. \"Total, OS, Browser\")", s))
		}
		if contains(d.Segmentations, s) {
			return d, defErr(file, fmt.Errorf("header segmentations: %q is listed twice", s))
		}
		d.Segmentations = append(d.Segmentations, s)
	}

	body := strings.TrimSpace(strings.Join(lines[n:], "\n"))
	body = strings.TrimSpace(strings.TrimSuffix(body, ";"))
	if body == "" {
		return d, defErr(file, errors.New("no query after the header"))
	}
	d.SQL = body
	sum := sha256.Sum256([]byte(body))
	d.Hash = hex.EncodeToString(sum[:])
	return d, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
