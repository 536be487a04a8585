package compute

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// FactsDir is where the fact definitions live in the repository; error
// messages name files under it.
const FactsDir = "sql/facts"

// factHeader lists the header fields of a fact version file, in the order
// a file should list them.
var factHeader = headerSpec{
	required: []string{"id", "version", "description"},
	optional: []string{"facts", "supersedes"},
}

// FactRef names one version of a fact, as a header's facts: field lists
// it: "blobs v1".
type FactRef struct {
	ID      string
	Version int
}

func (r FactRef) String() string { return fmt.Sprintf("%s v%d", r.ID, r.Version) }

// Table is the temporary table a query reads the fact's rows from:
// fact_<id>_v<N>.
func (r FactRef) Table() string { return fmt.Sprintf("fact_%s_v%d", r.ID, r.Version) }

// Fact is one version of a fact definition: a parsed
// sql/facts/<id>/vN.sql. A fact is a SELECT over the same input relations
// as a KPI query (and the facts it lists), giving rows keyed by blob and
// day; the runner computes it once per run of days for every KPI version
// that reads it.
type Fact struct {
	ID          string
	Version     int
	Description string
	// Facts are the facts its query reads.
	Facts []FactRef
	// Path is the file, as FactsDir/<id>/vN.sql.
	Path string
	// SQL is the query, and Hash its hex SHA-256, as for a Definition.
	SQL  string
	Hash string
	// Supersedes are the hashes of earlier texts of this version that it
	// rewrites with the same rows (header supersedes:), as a KPI version's:
	// results computed with one of those stand.
	Supersedes []string
}

// Ref names the fact.
func (f Fact) Ref() FactRef { return FactRef{f.ID, f.Version} }

func (f Fact) idVersion() (string, int) { return f.ID, f.Version }

var factRefPattern = regexp.MustCompile(`^([a-z][a-z0-9_]*) v([1-9][0-9]*)$`)

// parseFactRefs reads a header's comma-separated fact versions, "blobs v1,
// timings v1" (none for an empty field).
func parseFactRefs(list string) ([]FactRef, error) {
	var out []FactRef
	if strings.TrimSpace(list) == "" {
		return nil, nil
	}
	for _, s := range strings.Split(list, ",") {
		s = strings.TrimSpace(s)
		m := factRefPattern.FindStringSubmatch(s)
		if m == nil {
			return nil, fmt.Errorf("%q is not a fact version (want e.g. \"blobs v1, timings v1\")", s)
		}
		v, err := strconv.Atoi(m[2])
		if err != nil {
			return nil, fmt.Errorf("%q: %w", s, err)
		}
		r := FactRef{m[1], v}
		if slices.Contains(out, r) {
			return nil, fmt.Errorf("%s is listed twice", r)
		}
		out = append(out, r)
	}
	return out, nil
}

// LoadFacts reads every fact definition of fsys, a directory holding one
// directory per fact id with files v1.sql, v2.sql, ..., as LoadDefinitions
// reads KPIs. It also refuses, naming the file, a fact that reads a fact
// that does not exist, and facts that read each other in a circle. Facts
// come back sorted by id, then version.
func LoadFacts(fsys fs.FS) ([]Fact, error) {
	byID, err := loadVersions(fsys, factLayout, parseFact)
	if err != nil {
		return nil, err
	}
	var out []Fact
	for _, vs := range byID {
		out = append(out, vs...)
	}
	if _, err := factOrder(out, out); err != nil {
		return nil, err
	}
	return out, nil
}

// parseFact reads the header and query of one fact file; file is its path
// inside the facts directory.
func parseFact(file, text string) (Fact, string, int, error) {
	f := Fact{Path: path.Join(FactsDir, file)}
	p, err := parseFile(factHeader, text)
	if err != nil {
		return f, "", 0, factErr(file, err)
	}
	f.ID, f.Description = p.fields["id"], p.fields["description"]
	if !idPattern.MatchString(f.ID) {
		return f, "", 0, factErr(file, fmt.Errorf("header id %q must match [a-z][a-z0-9_]*", f.ID))
	}
	if f.Version, err = positive(p.fields["version"]); err != nil {
		return f, "", 0, factErr(file, fmt.Errorf("header version %q must be a whole number from 1", p.fields["version"]))
	}
	if f.Facts, err = parseFactRefs(p.fields["facts"]); err != nil {
		return f, "", 0, factErr(file, fmt.Errorf("header facts: %w", err))
	}
	if slices.Contains(f.Facts, f.Ref()) {
		return f, "", 0, factErr(file, errors.New("header facts: a fact cannot read itself"))
	}
	if f.Supersedes, err = parseHashes(p.fields["supersedes"]); err != nil {
		return f, "", 0, factErr(file, fmt.Errorf("header supersedes: %w", err))
	}
	if p.sql == "" {
		return f, "", 0, factErr(file, errors.New("no query after the header"))
	}
	f.SQL, f.Hash = p.sql, p.hash
	if err := supersedesItself(f.Supersedes, f.Hash); err != nil {
		return f, "", 0, factErr(file, err)
	}
	return f, f.ID, f.Version, nil
}

// supersedesItself refuses a header supersedes: that lists the hash of
// its own query (a KPI version's or a fact's).
func supersedesItself(supersedes []string, hash string) error {
	if slices.Contains(supersedes, hash) {
		return errors.New("header supersedes lists the hash of this very query: list the hashes of the texts it rewrites")
	}
	return nil
}

// byRef indexes facts by their name.
func byRef(facts []Fact) map[FactRef]Fact {
	out := make(map[FactRef]Fact, len(facts))
	for _, f := range facts {
		out[f.Ref()] = f
	}
	return out
}

// factErr wraps err for file, a path inside the facts directory.
func factErr(file string, err error) error { return factLayout.err(file, err) }

// checkFactRefs refuses, naming the file, a KPI version whose header
// lists a fact that facts does not hold.
func checkFactRefs(defs []Definition, facts []Fact) error {
	known := byRef(facts)
	var errs []error
	for _, d := range defs {
		for _, r := range d.Facts {
			if _, ok := known[r]; !ok {
				errs = append(errs, defErr(strings.TrimPrefix(d.Path, SourceDir+"/"),
					fmt.Errorf("header facts: there is no fact %s (%s/%s/v%d.sql)", r, FactsDir, r.ID, r.Version)))
			}
		}
	}
	return errors.Join(errs...)
}

// factOrder lists the facts that reading want needs, want's and the ones
// they read in turn, each after the facts it reads (ties by id, then
// version), from all. It refuses a fact that reads one all does not hold,
// and a circle, naming a file in it.
func factOrder(all, want []Fact) ([]Fact, error) {
	known := byRef(all)
	const (
		visiting = 1
		done     = 2
	)
	state := map[FactRef]int{}
	var out []Fact
	var visit func(f Fact) error
	visit = func(f Fact) error {
		switch state[f.Ref()] {
		case done:
			return nil
		case visiting:
			return factErr(strings.TrimPrefix(f.Path, FactsDir+"/"), fmt.Errorf("header facts: %s reads itself through the facts it reads", f.Ref()))
		}
		state[f.Ref()] = visiting
		for _, r := range f.Facts {
			dep, ok := known[r]
			if !ok {
				return factErr(strings.TrimPrefix(f.Path, FactsDir+"/"), fmt.Errorf("header facts: there is no fact %s (%s/%s/v%d.sql)", r, FactsDir, r.ID, r.Version))
			}
			if err := visit(dep); err != nil {
				return err
			}
		}
		state[f.Ref()] = done
		out = append(out, f)
		return nil
	}
	sorted := slices.Clone(want)
	slices.SortFunc(sorted, func(a, b Fact) int {
		if c := strings.Compare(a.ID, b.ID); c != 0 {
			return c
		}
		return a.Version - b.Version
	})
	for _, f := range sorted {
		if err := visit(f); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// factsRead are the facts defs read, directly or through other facts, in
// the order they are built (see factOrder). Every fact a definition names
// must be in all (checkFactRefs).
func factsRead(all []Fact, defs []Definition) ([]Fact, error) {
	known := byRef(all)
	var want []Fact
	for _, d := range defs {
		for _, r := range d.Facts {
			if f, ok := known[r]; ok && !slices.ContainsFunc(want, func(w Fact) bool { return w.Ref() == r }) {
				want = append(want, f)
			}
		}
	}
	return factOrder(all, want)
}

// readsFact says whether d reads fact r, directly or through other facts.
func readsFact(all []Fact, d Definition, r FactRef) bool {
	read, err := factsRead(all, []Definition{d})
	return err == nil && slices.ContainsFunc(read, func(f Fact) bool { return f.Ref() == r })
}
