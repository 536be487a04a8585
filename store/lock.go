package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// fileLock is an advisory lock on "<db>.lock" that says which process
// writes the database. The kernel drops it when the process dies, even by
// kill -9, so a crash never leaves a stale lock behind.
type fileLock struct{ f *os.File }

// lockPath is the lock file of a database.
func lockPath(db string) string { return db + ".lock" }

// acquire takes the lock: exclusive for the writer, shared for readers.
// It never waits: a database in use is refused at once, naming the pid of
// the writer.
func acquire(db string, exclusive bool) (*fileLock, error) {
	flags := os.O_RDWR
	if exclusive {
		if dir := filepath.Dir(db); !isDir(dir) {
			return nil, fmt.Errorf("database %s: the directory %s does not exist", db, dir)
		}
		flags |= os.O_CREATE
	}
	f, err := os.OpenFile(lockPath(db), flags, 0o644)
	if err != nil {
		if !exclusive && (errors.Is(err, os.ErrNotExist) || errors.Is(err, os.ErrPermission)) {
			// No lock file: no kpi ever wrote here, and a reader creates
			// none. One it cannot open: DuckDB still guards the file.
			return &fileLock{}, nil
		}
		return nil, fmt.Errorf("database %s: lock: %w", db, err)
	}
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	if err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB); err != nil {
		holder := readPid(f)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			if holder > 0 {
				return nil, fmt.Errorf("database %s: %w: a kpi run is in progress (pid %d); try again when it ends", db, ErrLocked, holder)
			}
			return nil, fmt.Errorf("database %s: %w: it is being read; try again when the reader ends", db, ErrLocked)
		}
		return nil, fmt.Errorf("database %s: lock: %w", db, err)
	}
	if exclusive {
		// The pid tells a refused process who holds the database.
		if err := f.Truncate(0); err == nil {
			_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
		}
	}
	return &fileLock{f: f}, nil
}

func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}

func readPid(f *os.File) int {
	b := make([]byte, 32)
	n, _ := f.ReadAt(b, 0)
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b[:n])))
	return pid
}

// release drops the lock. The writer empties the pid first, so the file
// never names a process that no longer holds it.
func (l *fileLock) release(exclusive bool) {
	if l == nil || l.f == nil {
		return
	}
	if exclusive {
		_ = l.f.Truncate(0)
	}
	_ = syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	_ = l.f.Close()
}
