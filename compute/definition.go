package compute

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strings"
)

// SourceDir is where the KPI definitions live in the repository; error
// messages name files under it, so they point at the file to edit.
const SourceDir = "sql/kpis"

// CasesDir is the directory beside a KPI's versions that holds its test
// cases; LoadDefinitions skips it.
const CasesDir = "cases"

// SupersededDir is the directory beside a KPI's versions that keeps the
// earlier texts of rewritten versions (see Definition.Supersedes), for the
// test that proves each rewrite; LoadDefinitions skips it.
const SupersededDir = "superseded"

// Units a KPI header may declare: what one value measures.
var Units = []string{"count", "rate", "mean", "median", "ms"}

// Kinds a KPI header may declare: how its rows are shaped.
//   - timeseries: one value per day and segment; step is empty.
//   - funnel: one row per flow step (in the flow's order), value a count of
//     blobs, denominator the first step's count; a step whose name does not
//     start with a digit is an aside, outside the chain of steps.
//   - quantiles: one row per quantile (step 'p25', 'p50', ...), numerator
//     NULL, denominator the number of observations.
//   - shares: one row per category (step '0', '1', '3 or more', ...), value
//     the share of the day's blobs in it: a distribution.
var Kinds = []string{"timeseries", "funnel", "quantiles", "shares"}

// Betters are the directions a KPI header may call good news, which the
// report colours: a rise (higher), a fall (lower), or neither (none) for a
// KPI whose changes are neither good nor bad in themselves.
var Betters = []string{"higher", "lower", "none"}

// kpiHeader lists the header fields of a KPI version file, in the order a
// file should list them.
var kpiHeader = headerSpec{
	required: []string{"id", "version", "title", "question", "unit", "kind", "order", "better", "segmentations", "description"},
	optional: []string{"estimate", "facts", "supersedes"},
}

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
	// Facts are the fact versions the query reads (header facts:), each
	// as a table named by FactRef.Table.
	Facts []FactRef
	// Supersedes are the hashes of earlier texts of this version that it
	// rewrites with the same results (header supersedes:): a version
	// computed with one of them is not recomputed, and its new hash is
	// recorded instead.
	Supersedes []string
}

// Key names the version as "id vN".
func (d Definition) Key() string { return fmt.Sprintf("%s v%d", d.ID, d.Version) }

func (d Definition) idVersion() (string, int) { return d.ID, d.Version }

var segmentationPattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// LoadDefinitions reads every KPI definition of defs, a directory holding
// one directory per KPI id with files v1.sql, v2.sql, ... It refuses,
// naming the file, a file or directory that does not fit that layout, a
// malformed or incomplete header, a header whose id or version disagrees
// with the file's place, versions that are not 1..N without gaps, and
// versions that disagree on the KPI's order. Files not ending in .sql
// (notes, READMEs) and the directories cases/ and superseded/ are
// ignored. Definitions come back sorted by id, then version.
func LoadDefinitions(defs fs.FS) ([]Definition, error) {
	byID, err := loadVersions(defs, kpiLayout, func(file, text string) (Definition, string, int, error) {
		d, err := parseDefinition(file, text)
		return d, d.ID, d.Version, err
	})
	if err != nil {
		return nil, err
	}
	var out []Definition
	var errs []error
	for _, ds := range byID {
		if err := checkOrder(ds); err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, ds...)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// checkOrder refuses, naming the file, a version of a KPI (sorted by
// version) that disagrees with v1 on the order: the order places the
// KPI's page, which every version shares.
func checkOrder(ds []Definition) error {
	for _, d := range ds[1:] {
		if d.Order != ds[0].Order {
			return defErr(strings.TrimPrefix(d.Path, SourceDir+"/"),
				fmt.Errorf("header order %d disagrees with %s's order %d: every version of a KPI has the same order", d.Order, ds[0].Path, ds[0].Order))
		}
	}
	return nil
}

// parseDefinition reads the header and query of one file; file is its path
// inside the definitions directory.
func parseDefinition(file, text string) (Definition, error) {
	p, err := parseFile(kpiHeader, text)
	if err != nil {
		return Definition{Path: path.Join(SourceDir, file)}, defErr(file, err)
	}
	d, err := headerDefinition(file, p.fields)
	if err != nil {
		return d, err
	}
	if p.sql == "" {
		return d, defErr(file, errors.New("no query after the header"))
	}
	d.SQL, d.Hash = p.sql, p.hash
	if d.Estimate.Method != EstimateSample {
		// A version's numbers change with its estimate as with its query.
		sum := sha256.Sum256([]byte("-- estimate: " + d.Estimate.String() + "\n" + p.sql))
		d.Hash = hex.EncodeToString(sum[:])
	}
	if err := supersedesItself(d.Supersedes, d.Hash); err != nil {
		return d, defErr(file, err)
	}
	return d, nil
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
	if d.Facts, err = parseFactRefs(fields["facts"]); err != nil {
		return d, defErr(file, fmt.Errorf("header facts: %w", err))
	}
	if d.Supersedes, err = parseHashes(fields["supersedes"]); err != nil {
		return d, defErr(file, fmt.Errorf("header supersedes: %w", err))
	}
	return d, nil
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

var sha256Pattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

// parseHashes reads the header's comma-separated SHA-256 hashes (none for
// an empty field).
func parseHashes(list string) ([]string, error) {
	var out []string
	for _, h := range strings.Split(list, ",") {
		h = strings.TrimSpace(h)
		if h == "" && list == "" {
			break
		}
		if !sha256Pattern.MatchString(h) {
			return nil, fmt.Errorf("%q is not a SHA-256 hash (64 lowercase hex digits, as kpis.sha256 holds them)", h)
		}
		if contains(out, h) {
			return nil, fmt.Errorf("%s is listed twice", h)
		}
		out = append(out, h)
	}
	return out, nil
}
