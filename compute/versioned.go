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

// layout is a directory of versioned SQL: one directory per id, holding
// v1.sql, v2.sql, ... (vN_name.sql is accepted too), each a header of
// comment lines and one SELECT. KPIs (sql/kpis) and facts (sql/facts)
// are laid out alike.
type layout struct {
	// dir is where the files live in the repository: error messages name
	// files under it.
	dir string
	// kind names what a file defines in messages: "KPI" or "fact".
	kind string
	// skip are the directories beside the versions that hold no definition.
	skip []string
}

var (
	kpiLayout  = layout{dir: SourceDir, kind: "KPI", skip: []string{CasesDir, SupersededDir}}
	factLayout = layout{dir: FactsDir, kind: "fact", skip: []string{SupersededDir}}
)

// err wraps err for file, a path inside the layout's directory.
func (l layout) err(file string, err error) error {
	return &DefinitionError{Path: path.Join(l.dir, file), Err: err}
}

var (
	idPattern   = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	versionFile = regexp.MustCompile(`^v([1-9][0-9]*)(_[a-z0-9_]+)?\.sql$`)
	headerLine  = regexp.MustCompile(`^-- ([a-z_]+):(.*)$`)
)

// versionOf is one parsed version file and what its header says it is.
type versionOf[T any] struct {
	item    T
	path    string // as l.dir/<id>/<file>
	version int
}

// loadVersions reads every version file of fsys, laid out as l, with
// parse, which returns the item and the id and version its header gives.
// It refuses, naming the file, a file or directory that does not fit the
// layout, a header whose id or version disagrees with the file's place,
// and versions that repeat or skip a number. Files not ending in .sql
// (notes, READMEs) are ignored. The result holds one slice per id, sorted
// by id, each sorted by version.
func loadVersions[T any](fsys fs.FS, l layout, parse func(file, text string) (item T, id string, version int, err error)) ([][]T, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("%s definitions: %w", l.kind, err)
	}
	lower := strings.ToLower(l.kind)
	var out [][]T
	var errs []error
	for _, e := range entries {
		name := e.Name()
		switch {
		case !e.IsDir():
			if strings.HasSuffix(name, ".sql") {
				errs = append(errs, l.err(name, fmt.Errorf("a %s file must be in its %s's directory: %s/<%s>/vN.sql", l.kind, l.kind, l.dir, lower)))
			}
			continue
		case !idPattern.MatchString(name):
			errs = append(errs, l.err(name, fmt.Errorf("a %s directory must be a lowercase id: [a-z][a-z0-9_]*", l.kind)))
			continue
		}
		items, err := loadID(fsys, l, name, parse)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, items)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// loadID reads the versions of one id's directory.
func loadID[T any](fsys fs.FS, l layout, id string, parse func(file, text string) (T, string, int, error)) ([]T, error) {
	entries, err := fs.ReadDir(fsys, id)
	if err != nil {
		return nil, l.err(id, err)
	}
	var vs []versionOf[T]
	var errs []error
	for _, e := range entries {
		file := path.Join(id, e.Name())
		switch {
		case e.IsDir() && contains(l.skip, e.Name()):
			continue
		case e.IsDir():
			holds := "vN.sql files"
			for _, s := range l.skip {
				holds += ", its " + s + "/"
			}
			errs = append(errs, l.err(file, fmt.Errorf("unexpected directory: a %s directory holds %s", l.kind, holds)))
			continue
		case !strings.HasSuffix(e.Name(), ".sql"):
			continue
		}
		v, err := loadFile(fsys, l, id, file, parse)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		vs = append(vs, v)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if len(vs) == 0 {
		return nil, l.err(id, errors.New("no vN.sql file: add v1.sql"))
	}
	sort.Slice(vs, func(i, j int) bool {
		if vs[i].version != vs[j].version {
			return vs[i].version < vs[j].version
		}
		return vs[i].path < vs[j].path
	})
	items := make([]T, len(vs))
	for i, v := range vs {
		file := strings.TrimPrefix(v.path, l.dir+"/")
		switch {
		case i > 0 && vs[i-1].version == v.version:
			return nil, l.err(file, fmt.Errorf("duplicate version %d: %s has it too", v.version, vs[i-1].path))
		case v.version > i+1:
			return nil, l.err(file, fmt.Errorf("version %d is missing: versions must run 1, 2, ... without gaps", i+1))
		}
		items[i] = v.item
	}
	return items, nil
}

// loadFile reads one version file of id and checks that its header
// agrees with the file's place.
func loadFile[T any](fsys fs.FS, l layout, id, file string, parse func(file, text string) (T, string, int, error)) (versionOf[T], error) {
	m := versionFile.FindStringSubmatch(path.Base(file))
	if m == nil {
		return versionOf[T]{}, l.err(file, fmt.Errorf("a %s file must be named vN.sql or vN_name.sql, N = 1, 2, ... without leading zeros", l.kind))
	}
	version, err := strconv.Atoi(m[1])
	if err != nil {
		return versionOf[T]{}, l.err(file, err)
	}
	b, err := fs.ReadFile(fsys, file)
	if err != nil {
		return versionOf[T]{}, l.err(file, err)
	}
	item, gotID, gotVersion, err := parse(file, string(b))
	switch {
	case err != nil:
		return versionOf[T]{}, err
	case gotID != id:
		return versionOf[T]{}, l.err(file, fmt.Errorf("header id %q disagrees with its directory %q", gotID, id))
	case gotVersion != version:
		return versionOf[T]{}, l.err(file, fmt.Errorf("header version %d disagrees with its file name v%d.sql", gotVersion, version))
	}
	return versionOf[T]{item: item, path: path.Join(l.dir, file), version: version}, nil
}

// headerSpec names the header fields of a kind of file, in the order a
// file should list them: every required field once, optional ones at most
// once.
type headerSpec struct {
	required, optional []string
}

// parsed is a file split into its header's fields and its query.
type parsed struct {
	fields map[string]string
	// sql is the query: the file without its header, trimmed, line ends
	// normalized and a trailing semicolon removed.
	sql string
	// hash is the hex SHA-256 of sql.
	hash string
}

// parseFile reads the header and the query of one file. Errors do not
// name the file; the caller wraps them.
func parseFile(spec headerSpec, text string) (parsed, error) {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	fields, n, err := readHeader(spec, lines)
	if err != nil {
		return parsed{}, err
	}
	body := strings.TrimSpace(strings.Join(lines[n:], "\n"))
	body = strings.TrimSpace(strings.TrimSuffix(body, ";"))
	sum := sha256.Sum256([]byte(body))
	return parsed{fields: fields, sql: body, hash: hex.EncodeToString(sum[:])}, nil
}

// readHeader reads the header's fields and says how many lines it takes.
//
// The header is the block of comment lines at the very top. Each is either
// "-- key: value" or a continuation "--   more text" (two or more spaces
// after the dashes) that extends the previous key's value; a bare "--" is
// allowed. The header ends at the first line that is not a comment. Every
// required field of spec must be there, once; an optional one at most
// once.
func readHeader(spec headerSpec, lines []string) (fields map[string]string, n int, err error) {
	fields = map[string]string{}
	known := append(append([]string{}, spec.required...), spec.optional...)
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
				return nil, n, fmt.Errorf("line %d: continuation line before any header field", n+1)
			}
			fields[last] += " " + strings.TrimSpace(rest)
			continue
		}
		m := headerLine.FindStringSubmatch(line)
		if m == nil {
			return nil, n, fmt.Errorf("line %d: malformed header line %q: want \"-- key: value\"", n+1, line)
		}
		key := m[1]
		if !contains(known, key) {
			return nil, n, fmt.Errorf("line %d: unknown header field %q (fields: %s)", n+1, key, strings.Join(known, ", "))
		}
		if _, dup := fields[key]; dup {
			return nil, n, fmt.Errorf("line %d: header field %q given twice", n+1, key)
		}
		fields[key] = strings.TrimSpace(m[2])
		last = key
	}
	var missing []string
	for _, k := range spec.required {
		if strings.TrimSpace(fields[k]) == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return nil, n, fmt.Errorf("header is missing %s (want \"-- key: value\" lines at the top)", strings.Join(missing, ", "))
	}
	return fields, n, nil
}

// positive reads a whole number from 1.
func positive(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err == nil && n < 1 {
		err = errors.New("not positive")
	}
	return n, err
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
