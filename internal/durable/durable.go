package durable

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// tempPrefix starts the name of everything kpi writes before renaming it
// into place. Clean removes only names with this prefix.
const tempPrefix = ".kpi-tmp-"

// IsTemp reports whether name is one of kpi's temporary names.
func IsTemp(name string) bool { return strings.HasPrefix(name, tempPrefix) }

// TempName is the prefix of kpi's temporary names for what is called name
// (e.g. "day=2013-06-01"); MkdirTemp and CreateTemp add a random part.
func TempName(name string) string { return tempPrefix + name + "-" }

// MkdirTemp creates a new temporary directory in dir, for work that will
// be renamed into place (dir is created if missing).
func MkdirTemp(dir, name string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	return os.MkdirTemp(dir, TempName(name))
}

// CreateTemp creates a new temporary file in dir (created if missing).
func CreateTemp(dir, name string) (*os.File, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return os.CreateTemp(dir, TempName(name)+"*")
}

// WriteFile writes data to path: to a synced temporary file beside it,
// then renamed over it.
func WriteFile(path string, data []byte) error {
	f, err := CreateTemp(filepath.Dir(path), filepath.Base(path))
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// Rename renames a complete, synced file or directory into place and
// syncs the directory that now holds it.
func Rename(tmp, path string) error {
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	SyncDir(filepath.Dir(path))
	return nil
}

// ReplaceDir puts the complete directory tmp in the place of dst, which
// may be missing: dst is moved aside, tmp renamed in, and the old
// directory removed. If tmp cannot be renamed in, dst is put back.
// tmp must be one of kpi's temporary names beside dst.
func ReplaceDir(tmp, dst string) error {
	old := tmp + ".old"
	moved := true
	if err := os.Rename(dst, old); errors.Is(err, fs.ErrNotExist) {
		moved = false
	} else if err != nil {
		return fmt.Errorf("move %s aside: %w", dst, err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		if moved {
			if rerr := os.Rename(old, dst); rerr != nil {
				return fmt.Errorf("%w (and putting back %s from %s failed: %v)", err, dst, old, rerr)
			}
		}
		return err
	}
	SyncDir(filepath.Dir(dst))
	if moved {
		if err := os.RemoveAll(old); err != nil {
			return fmt.Errorf("remove the previous %s: %w", dst, err)
		}
	}
	return nil
}

// SyncDir makes the renames in dir durable. Not every system can sync a
// directory, and the rename stands anyway, so errors are ignored.
func SyncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// Clean removes what a killed process left in dir under kpi's temporary
// names for what is called name ("" for any), and returns the paths it
// removed. It looks only at dir's own entries, never below them; a
// missing dir holds nothing.
func Clean(dir, name string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, e := range entries {
		if !isTempOf(e.Name(), name) {
			continue
		}
		p := filepath.Join(dir, e.Name())
		if err := os.RemoveAll(p); err != nil {
			return removed, err
		}
		removed = append(removed, p)
	}
	return removed, nil
}

// isTempOf reports whether entry is a temporary name MkdirTemp,
// CreateTemp or ReplaceDir made for name: TempName(name), the random
// digits, and ".old" for a directory moved aside. Any of kpi's temporary
// names matches an empty name.
func isTempOf(entry, name string) bool {
	if name == "" {
		return IsTemp(entry)
	}
	rest, ok := strings.CutPrefix(entry, TempName(name))
	if !ok {
		return false
	}
	rest = strings.TrimSuffix(rest, ".old")
	return rest != "" && strings.Trim(rest, "0123456789") == ""
}

// Claim tells whether dir is kpi's to clean: it holds the marker file,
// or it does not exist yet (Claim creates it, with the marker), or every
// entry in it is one kpi would have made (ours; then the marker is added,
// for a directory an older kpi made). A directory holding anything else
// is someone else's, and Claim leaves it as it was.
func Claim(dir, marker string, ours func(name string) bool) (bool, error) {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return false, err
		}
	case err != nil:
		return false, err
	default:
		for _, e := range entries {
			if e.Name() == marker {
				return true, nil
			}
		}
		for _, e := range entries {
			if !IsTemp(e.Name()) && !ours(e.Name()) {
				return false, nil
			}
		}
	}
	if err := WriteFile(filepath.Join(dir, marker), []byte("written by kpi: its temporary files here may be removed\n")); err != nil {
		return false, err
	}
	return true, nil
}
