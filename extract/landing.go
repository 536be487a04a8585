package extract

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/persona-kpi/kpi/internal/durable"
	"github.com/persona-kpi/kpi/persona"
)

// ErrNotLanded means a day has no raw landing yet.
var ErrNotLanded = errors.New("not extracted yet")

// Landing is the raw landing area under a data directory. Each extracted
// day is a directory of compressed units (zstd; gzip from kpi versions
// before) and a manifest:
//
//	<data>/raw/day=YYYY-MM-DD/manifest.json
//	<data>/raw/day=YYYY-MM-DD/window-0000-2400.json.zst
//
// A day's directory is replaced as a whole: units are written to a
// temporary directory that is renamed into place only once every window of
// the day has been received, so a failed extract never leaves a partial day.
type Landing struct {
	Dir string // the data directory
}

// Manifest describes one landed day.
type Manifest struct {
	Day         string    `json:"day"`
	Source      string    `json:"source"`
	ExtractedAt time.Time `json:"extracted_at"`
	Units       []Unit    `json:"units"`
}

// Unit is one landed file of a day.
type Unit struct {
	File string `json:"file"` // name inside the day directory
	// Kind is "window" (a window's body exactly as received) or "lines"
	// (elements read from input files, one per line, routed here by day).
	Kind     string   `json:"kind"`
	Start    string   `json:"start,omitempty"` // window bounds, RFC 3339
	End      string   `json:"end,omitempty"`
	Origins  []string `json:"origins,omitempty"` // input files, for kind lines
	Elements int64    `json:"elements,omitempty"`
	Bytes    int64    `json:"bytes"`  // compressed size
	SHA256   string   `json:"sha256"` // of the uncompressed text
}

// ContentHash identifies what a day holds: the same units with the same
// text give the same hash, whenever and however often they were fetched.
func (m Manifest) ContentHash() string {
	h := sha256.New()
	for _, u := range m.Units {
		fmt.Fprintf(h, "%s %s\n", u.File, u.SHA256)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Unit kinds.
const (
	KindWindow = "window"
	KindLines  = "lines"
)

const manifestName = "manifest.json"

// areaMarker marks raw/ as kpi's landing area (see durable.Claim).
const areaMarker = ".kpi-landing"

// RawDir is the root of the landing area.
func (l Landing) RawDir() string { return filepath.Join(l.Dir, "raw") }

// DayDir is the directory of one landed day.
func (l Landing) DayDir(day time.Time) string {
	return filepath.Join(l.RawDir(), persona.Partition(day))
}

// Clean removes what a killed extract left in the landing area: kpi's
// temporary names directly inside it, and those that kpi versions before
// them used (".tmp-day=…" in raw/, ".spool-…" in the data directory).
// Only the holder of the database lock may call it, so no other run is
// writing them. It returns the paths removed.
func (l Landing) Clean() ([]string, error) {
	ours, err := l.claim()
	if err != nil || !ours {
		return nil, err // someone else's directory: nothing of it is kpi's to remove
	}
	removed, err := durable.Clean(l.RawDir(), "")
	if err != nil {
		return removed, err
	}
	legacy := []struct{ dir, prefix string }{{l.RawDir(), ".tmp-day="}, {l.Dir, ".spool-"}}
	for _, g := range legacy {
		entries, err := os.ReadDir(g.dir)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return removed, err
		}
		for _, e := range entries {
			if !e.IsDir() || !strings.HasPrefix(e.Name(), g.prefix) {
				continue
			}
			p := filepath.Join(g.dir, e.Name())
			if err := os.RemoveAll(p); err != nil {
				return removed, err
			}
			removed = append(removed, p)
		}
	}
	return removed, nil
}

// Manifest reads a landed day's manifest; ErrNotLanded if there is none.
func (l Landing) Manifest(day time.Time) (Manifest, error) {
	var m Manifest
	b, err := os.ReadFile(filepath.Join(l.DayDir(day), manifestName))
	if errors.Is(err, fs.ErrNotExist) {
		return m, fmt.Errorf("raw day %s: %w", day.Format(time.DateOnly), ErrNotLanded)
	}
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("raw day %s: manifest: %w", day.Format(time.DateOnly), err)
	}
	return m, nil
}

// Open returns a unit's decompressed text, whichever of kpi's
// compressions it was landed with.
func (l Landing) Open(day time.Time, u Unit) (io.ReadCloser, error) {
	return openText(filepath.Join(l.DayDir(day), u.File))
}

// openText opens a landed file's decompressed text.
func openText(path string) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	rc, err := decompress(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", f.Name(), err)
	}
	return rc, nil
}

// Magic numbers of the compressed formats read: gzip and zstd.
var (
	gzipMagic = []byte{0x1f, 0x8b}
	zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

// decompress reads f decompressed when it starts with gzip's or zstd's
// magic number (whatever its name), as is otherwise. Closing the result
// closes f.
func decompress(f *os.File) (io.ReadCloser, error) {
	br := bufio.NewReaderSize(f, 1<<20)
	magic, _ := br.Peek(4)
	switch {
	case bytes.HasPrefix(magic, gzipMagic):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, err
		}
		zr.Multistream(true)
		return readCloser{Reader: zr, close: func() error { zr.Close(); return f.Close() }}, nil
	case bytes.HasPrefix(magic, zstdMagic):
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, err
		}
		return readCloser{Reader: zr, close: func() error { zr.Close(); return f.Close() }}, nil
	}
	return readCloser{Reader: br, close: f.Close}, nil
}

type readCloser struct {
	io.Reader
	close func() error
}

func (r readCloser) Close() error { return r.close() }

// Days lists the landed days in order.
func (l Landing) Days() ([]time.Time, error) {
	entries, err := os.ReadDir(l.RawDir())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var days []time.Time
	for _, e := range entries {
		d, ok := persona.ParsePartition(e.Name())
		if !e.IsDir() || !ok {
			continue
		}
		if _, err := os.Stat(filepath.Join(l.RawDir(), e.Name(), manifestName)); err == nil {
			days = append(days, d)
		}
	}
	sort.Slice(days, func(i, j int) bool { return days[i].Before(days[j]) })
	return days, nil
}

// claim marks raw/ as kpi's when it is (see durable.Claim): one kpi
// creates, or one holding only what kpi writes.
func (l Landing) claim() (bool, error) {
	return durable.Claim(l.RawDir(), areaMarker, func(name string) bool {
		_, ok := persona.ParsePartition(name)
		return ok || strings.HasPrefix(name, ".tmp-day=")
	})
}

// Prune removes the landed days before the given day and returns them.
// Only the landing's own day directories are touched.
func (l Landing) Prune(before time.Time) ([]time.Time, error) {
	days, err := l.Days()
	if err != nil {
		return nil, err
	}
	var removed []time.Time
	for _, d := range days {
		if !d.Before(before) {
			break
		}
		if err := l.Remove(d); err != nil {
			return removed, err
		}
		removed = append(removed, d)
	}
	return removed, nil
}

// Remove removes a landed day (nothing when it was never landed).
func (l Landing) Remove(day time.Time) error {
	if err := os.RemoveAll(l.DayDir(day)); err != nil {
		return fmt.Errorf("remove raw day %s: %w", day.Format(time.DateOnly), err)
	}
	return nil
}

// DayBuilder collects the units of one day in a temporary directory.
// Commit swaps them into place; Abort discards them.
type DayBuilder struct {
	landing  Landing
	day      time.Time
	tmp      string
	manifest Manifest
	// previous is the day's landing being replaced, if any: a window
	// whose body is what it landed last time keeps that unit's file.
	previous Manifest
}

// Begin starts building a day's landing.
func (l Landing) Begin(day time.Time, source string) (*DayBuilder, error) {
	if _, err := l.claim(); err != nil {
		return nil, err
	}
	tmp, err := durable.MkdirTemp(l.RawDir(), persona.Partition(day))
	if err != nil {
		return nil, err
	}
	// A missing or unreadable previous manifest only means that nothing
	// is reused.
	previous, _ := l.Manifest(day)
	return &DayBuilder{
		landing: l, day: day, tmp: tmp,
		manifest: Manifest{Day: day.Format(time.DateOnly), Source: source},
		previous: previous,
	}, nil
}

// unitFile is a unit being written: a zstd stream over a file that can be
// rewound when a source retries.
type unitFile struct {
	f  *os.File
	zw *packer
	h  hash.Hash
	// same, while set, is the unit landed before under this name, which
	// the body has agreed with so far: nothing is compressed until it
	// differs (see reuse.go).
	same         *sameText
	previous     *Unit
	previousPath string // the previous unit's file
}

func (b *DayBuilder) createUnit(name string) (*unitFile, error) {
	f, err := os.Create(filepath.Join(b.tmp, name))
	if err != nil {
		return nil, err
	}
	return &unitFile{f: f, h: sha256.New()}, nil
}

// rewind discards everything written so far.
func (u *unitFile) rewind() (io.Writer, error) {
	if u.zw != nil {
		_ = u.zw.Close() // its output is truncated below
		u.zw = nil
	}
	u.same.close()
	u.same = nil
	if err := u.f.Truncate(0); err != nil {
		return nil, err
	}
	if _, err := u.f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	u.h.Reset()
	if u.previous != nil {
		if u.same = openSame(u.previousPath); u.same != nil {
			return u, nil
		}
	}
	u.zw = newPacker(u.f)
	return u, nil
}

// Write hashes p and compresses it, unless it is still the text of the
// unit landed before.
func (u *unitFile) Write(p []byte) (int, error) {
	u.h.Write(p)
	if u.same != nil {
		if u.same.agrees(p) {
			return len(p), nil
		}
		if err := u.differ(); err != nil {
			return 0, err
		}
	}
	return u.zw.Write(p)
}

func (u *unitFile) sum() string { return hex.EncodeToString(u.h.Sum(nil)) }

// finish flushes the unit and returns its compressed size.
func (u *unitFile) finish() (int64, error) {
	if u.same != nil {
		if u.same.ended() && u.sum() == u.previous.SHA256 {
			return u.keepPrevious()
		}
		if err := u.differ(); err != nil { // the body stopped short of the previous text
			u.abort()
			return 0, err
		}
	}
	if u.zw == nil { // never opened: an empty stream
		u.zw = newPacker(u.f)
	}
	if err := u.zw.Close(); err != nil {
		u.f.Close()
		return 0, err
	}
	if err := u.f.Sync(); err != nil {
		u.f.Close()
		return 0, err
	}
	st, err := u.f.Stat()
	if err != nil {
		u.f.Close()
		return 0, err
	}
	return st.Size(), u.f.Close()
}

// abort stops the unit's compression after a failure.
func (u *unitFile) abort() {
	if u.zw != nil {
		_ = u.zw.Close()
	}
	u.same.close()
	u.f.Close()
}

// Window fetches one window from src into a new unit.
func (b *DayBuilder) Window(ctx context.Context, src fetcher, w Window) error {
	name := fmt.Sprintf("window-%s-%s.json.zst", clock(b.day, w.Start), clock(b.day, w.End))
	u, err := b.createUnit(name)
	if err != nil {
		return err
	}
	if u.previous = b.previousWindow(name); u.previous != nil {
		u.previousPath = filepath.Join(b.landing.DayDir(b.day), u.previous.File)
	}
	if err := src.Fetch(ctx, w.Start, w.End, u.rewind); err != nil {
		u.abort()
		return err
	}
	size, err := u.finish()
	if err != nil {
		return fmt.Errorf("land %s: %w", name, err)
	}
	b.manifest.Units = append(b.manifest.Units, Unit{
		File: name, Kind: KindWindow, Bytes: size, SHA256: u.sum(),
		Start: w.Start.Format(time.RFC3339), End: w.End.Format(time.RFC3339),
	})
	return nil
}

// Lines lands elements that were read from files: one element per line
// from r (uncompressed NDJSON), compressed into a new unit.
func (b *DayBuilder) Lines(name string, r io.Reader, elements int64, origins []string) error {
	u, err := b.createUnit(name)
	if err != nil {
		return err
	}
	w, err := u.rewind()
	if err == nil {
		_, err = io.Copy(w, r)
	}
	if err != nil {
		u.abort()
		return fmt.Errorf("land %s: %w", name, err)
	}
	size, err := u.finish()
	if err != nil {
		return fmt.Errorf("land %s: %w", name, err)
	}
	b.manifest.Units = append(b.manifest.Units, Unit{
		File: name, Kind: KindLines, Bytes: size, SHA256: u.sum(), Elements: elements, Origins: origins,
	})
	return nil
}

// Commit writes the manifest and swaps the day into place.
func (b *DayBuilder) Commit() error {
	b.manifest.ExtractedAt = time.Now().UTC()
	mb, err := json.MarshalIndent(b.manifest, "", "  ")
	if err != nil {
		return err
	}
	if err := durable.WriteFile(filepath.Join(b.tmp, manifestName), mb); err != nil {
		return err
	}
	return durable.ReplaceDir(b.tmp, b.landing.DayDir(b.day))
}

// Abort discards the day being built.
func (b *DayBuilder) Abort() { os.RemoveAll(b.tmp) }

// clock names a window edge as HHMM within the day ("2400" for its end).
func clock(day, t time.Time) string {
	d := t.Sub(day)
	return fmt.Sprintf("%02d%02d", int(d.Hours()), int(d.Minutes())%60)
}
