package extract

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/persona-kpi/kpi/blob"
	"github.com/persona-kpi/kpi/internal/durable"
	"github.com/persona-kpi/kpi/internal/redact"
	"github.com/persona-kpi/kpi/persona"
)

// cutIsEnd reads a compressed file cut short as a plain file cut short:
// its text simply ends, and the element it ends in is rejected alone
// ("the stream ends in the middle"), instead of failing the whole run.
type cutIsEnd struct{ r io.Reader }

func (c cutIsEnd) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if errors.Is(err, io.ErrUnexpectedEOF) {
		err = io.EOF
	}
	return n, err
}

// Files is a Source reading files or directories of files: a JSON array
// of KPIggybank rows, NDJSON of rows, or bare blobs; gzip- or
// zstd-compressed or not.
type Files struct {
	Paths []string
	Log   *slog.Logger // optional
}

// Name is "file:" and the paths.
func (s Files) Name() string { return "file:" + redact.URLs(strings.Join(s.Paths, ",")) }

// ListFiles expands paths into the files they name: a file as is, a
// directory as every regular file inside it (recursively, hidden ones
// skipped), in a stable order.
func ListFiles(paths []string) ([]string, error) {
	var files []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("source %s: %w", p, err)
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if strings.HasPrefix(d.Name(), ".") && path != p {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.Type().IsRegular() {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("source %s: %w", p, err)
		}
		sort.Strings(found)
		if len(found) == 0 {
			return nil, fmt.Errorf("source %s: the directory holds no files", p)
		}
		files = append(files, found...)
	}
	return files, nil
}

// openCompressed opens a file, decompressing it when it starts with
// gzip's or zstd's magic number (whatever its name). A compressed file cut
// short reads like a plain one cut short (see cutIsEnd).
func openCompressed(path string) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	rc, err := decompress(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return readCloser{Reader: cutIsEnd{rc}, close: rc.Close}, nil
}

func (r Request) contains(d time.Time) bool {
	return (r.From.IsZero() || !d.Before(r.From)) && (r.To.IsZero() || !d.After(r.To))
}

// Land lands the elements of the files split by the day of each blob's
// timestamp, one element per line. Elements whose day cannot be read (no
// timestamp, not JSON) go to the earliest day their file contains, so that
// transform rejects them with a reason; elements of days outside
// req.From..req.To are skipped and counted.
func (s Files) Land(ctx context.Context, l Landing, req Request) (Result, error) {
	var res Result
	files, err := ListFiles(s.Paths)
	if err != nil {
		return res, err
	}
	spool, err := durable.MkdirTemp(l.RawDir(), "spool")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(spool)

	ld := newLander(l, s.Name())
	defer ld.abort()
	for _, path := range files {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		if err := spoolFile(path, spool, ld, req, &res, req.now()); err != nil {
			return res, fmt.Errorf("extract %s: %w", path, err)
		}
	}
	days, err := ld.finish()
	if err != nil {
		return res, fmt.Errorf("extract: %w", err)
	}
	for _, d := range days {
		if err := d.commit(); err != nil {
			return res, fmt.Errorf("land day %s: %w", d.day.Format(time.DateOnly), err)
		}
		res.Days = append(res.Days, d.day)
		res.Units++
		res.Elements += d.elements
		res.Bytes += d.size
		if s.Log != nil {
			s.Log.Info("landed", "day", d.day.Format(time.DateOnly), "elements", d.elements, "files", len(d.origins))
		}
	}
	return res, nil
}

// spoolFile routes one file's elements to their days' units. Elements
// without a day wait on disk (so memory stays bounded) until the file's
// first day is known, and then join it.
func spoolFile(path, dir string, ld *lander, r Request, res *Result, now time.Time) error {
	rc, err := openCompressed(path)
	if err != nil {
		return err
	}
	defer rc.Close()
	undated, err := newUndated(dir)
	if err != nil {
		return err
	}
	defer undated.close()
	first, err := routeDated(rc, path, ld, r, res, undated, now)
	if err != nil || undated.n == 0 {
		return err
	}
	home, err := homeDay(path, first, r)
	if err != nil {
		return err
	}
	if !r.contains(home) {
		res.Skipped += undated.n
		return nil
	}
	return undated.replay(func(line []byte) error { return ld.add(home, line, path) })
}

// routeDated lands each element of one file whose day can be read, and
// sets the others aside; it returns the file's earliest day.
func routeDated(rc io.Reader, path string, ld *lander, r Request, res *Result, undated *undated, now time.Time) (first time.Time, err error) {
	var line bytes.Buffer
	el := blob.NewElements(rc)
	for el.Next() {
		raw := el.Raw()
		day, ok := time.Time{}, false
		if el.Invalid() == nil {
			day, ok = blob.ElementDay(raw)
			ok = ok && persona.Plausible(day.UnixMilli(), now) == nil
		}
		oneLine(&line, raw)
		if !ok {
			if err := undated.add(line.Bytes()); err != nil {
				return first, err
			}
			continue
		}
		if first.IsZero() || day.Before(first) {
			first = day
		}
		if !r.contains(day) {
			res.Skipped++
			continue
		}
		if err := ld.add(day, line.Bytes(), path); err != nil {
			return first, err
		}
	}
	return first, el.Err()
}

// homeDay is where a file's elements without a day go: the file's
// earliest day, else the range's start, else the file's modification day.
func homeDay(path string, first time.Time, r Request) (time.Time, error) {
	switch {
	case !first.IsZero():
		return first, nil
	case !r.From.IsZero():
		return r.From, nil
	}
	st, err := os.Stat(path)
	if err != nil {
		return time.Time{}, err
	}
	return persona.DayOfMs(st.ModTime().UnixMilli()), nil
}

// undated holds a file's elements without a day, one per line, in a
// temporary file.
type undated struct {
	f *os.File
	w *bufio.Writer
	n int64
}

func newUndated(dir string) (*undated, error) {
	f, err := os.CreateTemp(dir, "undated-")
	if err != nil {
		return nil, err
	}
	return &undated{f: f, w: bufio.NewWriter(f)}, nil
}

func (u *undated) add(line []byte) error {
	u.n++
	if _, err := u.w.Write(line); err != nil {
		return err
	}
	return u.w.WriteByte('\n')
}

// replay calls fn with each line set aside, in order.
func (u *undated) replay(fn func(line []byte) error) error {
	if err := u.w.Flush(); err != nil {
		return err
	}
	if _, err := u.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	sc := bufio.NewReader(u.f)
	for {
		line, err := sc.ReadBytes('\n')
		if len(line) > 0 {
			if err := fn(bytes.TrimSuffix(line, []byte("\n"))); err != nil {
				return err
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func (u *undated) close() { u.f.Close() }

// oneLine writes raw as a single line: JSON is compacted (only whitespace
// changes), anything else has its line breaks replaced by spaces.
func oneLine(dst *bytes.Buffer, raw []byte) {
	dst.Reset()
	// Two vectorized searches beat one ContainsAny, which goes byte by byte.
	if bytes.IndexByte(raw, '\n') < 0 && bytes.IndexByte(raw, '\r') < 0 {
		dst.Write(raw)
		return
	}
	if err := json.Compact(dst, raw); err == nil {
		return
	}
	dst.Reset()
	for _, c := range raw {
		if c == '\n' || c == '\r' {
			c = ' '
		}
		dst.WriteByte(c)
	}
}
