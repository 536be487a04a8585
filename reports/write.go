package reports

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/persona-kpi/kpi/internal/durable"
)

// ErrNotASite means Write was asked to replace a directory it did not
// write: it holds files but no marker.
var ErrNotASite = errors.New("refusing to replace a directory that kpi report did not write")

// Write puts files (slash-separated relative path → content) into dir: it
// writes them into a new temporary directory beside dir, then renames that
// directory into place, so a reader or a web server sees the old site or
// the new one, never a mix, and a failure leaves the old site untouched.
// dir is replaced only if it is missing, empty, or was written by Write
// (it holds the .kpi-site marker), so a mistyped --out cannot wipe an
// unrelated directory.
func Write(dir string, files map[string][]byte) error {
	dir = filepath.Clean(dir)
	if err := replaceable(dir); err != nil {
		return err
	}
	parent := filepath.Dir(dir)
	if _, err := Clean(dir); err != nil {
		return fmt.Errorf("write site %s: %w", dir, err)
	}
	tmp, err := durable.MkdirTemp(parent, filepath.Base(dir))
	if err != nil {
		return fmt.Errorf("write site %s: %w", dir, err)
	}
	done := false
	defer func() {
		if !done {
			os.RemoveAll(tmp)
		}
	}()
	// MkdirTemp makes the directory private; a published site is not.
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fmt.Errorf("write site %s: %w", dir, err)
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	paths := make([]string, len(names))
	for i, name := range names {
		if !fs.ValidPath(name) || name == "." || strings.Contains(name, "\\") {
			return fmt.Errorf("write site %s: invalid file name %q", dir, name)
		}
		paths[i] = filepath.Join(tmp, filepath.FromSlash(name))
		if d := path.Dir(name); d != "." {
			if err := os.MkdirAll(filepath.Dir(paths[i]), 0o755); err != nil {
				return fmt.Errorf("write site %s: %w", dir, err)
			}
		}
	}
	// Each file is written and synced before the directory is renamed
	// into place, as before, but several at once: one after the other,
	// the syncs of a hundred files took most of the time the report
	// spent writing, waiting on the disk, not working.
	errs := make([]error, len(names))
	forEach(len(names), writers, func(i int) { errs[i] = writeFileSync(paths[i], files[names[i]]) })
	for _, err := range errs {
		if err != nil {
			return fmt.Errorf("write site %s: %w", dir, err)
		}
	}
	if _, ok := files[markerFile]; !ok {
		if err := writeFileSync(filepath.Join(tmp, markerFile), []byte("written by kpi report\n")); err != nil {
			return fmt.Errorf("write site %s: %w", dir, err)
		}
	}
	durable.SyncDir(tmp)
	if err := durable.ReplaceDir(tmp, dir); err != nil {
		return fmt.Errorf("write site %s: %w", dir, err)
	}
	done = true
	return nil
}

// Clean removes what an interrupted Write of the site dir left beside it:
// its temporary directories (the new site being written, the old one
// being replaced), as this kpi and the versions before it named them.
// Nothing else in dir's parent is touched. It returns the paths removed.
func Clean(dir string) ([]string, error) {
	dir = filepath.Clean(dir)
	parent, base := filepath.Dir(dir), filepath.Base(dir)
	removed, err := durable.Clean(parent, base)
	if err != nil {
		return removed, err
	}
	// Earlier versions wrote .<site>.new-<digits> and .<site>.old-<time>.
	entries, err := os.ReadDir(parent)
	if errors.Is(err, fs.ErrNotExist) {
		return removed, nil
	}
	if err != nil {
		return removed, err
	}
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() || !(strings.HasPrefix(name, "."+base+".new-") || strings.HasPrefix(name, "."+base+".old-")) {
			continue
		}
		p := filepath.Join(parent, name)
		if err := os.RemoveAll(p); err != nil {
			return removed, err
		}
		removed = append(removed, p)
	}
	return removed, nil
}

// replaceable refuses to replace a directory Write did not make.
func replaceable(dir string) error {
	fi, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("write site %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("write site %s: it exists and is not a directory", dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("write site %s: %w", dir, err)
	}
	if len(entries) == 0 {
		return nil
	}
	if _, err := os.Stat(filepath.Join(dir, markerFile)); err != nil {
		return fmt.Errorf("write site %s: %w (it has no %s file); choose another --out or empty it", dir, ErrNotASite, markerFile)
	}
	return nil
}

// writers is how many files Write writes and syncs at once.
const writers = 8

func writeFileSync(name string, b []byte) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
