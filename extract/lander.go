package extract

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"time"
)

// filesUnit is the name of the unit that holds a day's file elements.
const filesUnit = "files.ndjson.zst"

// Sizes of the lander's work. A block is a run of one day's lines
// compressed as one zstd frame: frames of 512 KiB compress within 1% of
// one long stream, and concurrently. Memory stays bounded by the block
// count whatever the input: maxOpenBlocks days may hold a partly filled
// block (the least recently used is sent off early when another day needs
// one), and a few more blocks are being compressed or written.
const (
	blockSize     = 512 << 10
	maxOpenBlocks = 16
	maxOpenFiles  = 32
)

// lander writes the elements of file sources to each day's landing unit
// as they are read, without a second copy on disk: the reading goroutine
// routes lines to per-day blocks, compressor goroutines turn full blocks
// into zstd frames, and one writer goroutine appends the frames to
// their day's unit in the order the blocks were filled, hashing the text
// as it goes. A unit is then a concatenation of zstd frames, which every
// zstd reader (Landing.Open included) reads as one stream.
type lander struct {
	l      Landing
	source string
	days   map[time.Time]*dayUnit
	open   []*dayUnit // days with a partly filled block, least recently used first

	free   chan *block // blocks to fill
	jobs   chan *block // blocks to compress
	order  chan *block // blocks to write, in the order they were filled
	wg     sync.WaitGroup
	werr   chan error // the writer's result
	failed error      // the writer's error, seen by the reader
	mu     sync.Mutex // guards failed
	closed bool
}

// dayUnit is one day's unit being written.
type dayUnit struct {
	day      time.Time
	b        *DayBuilder
	path     string
	fill     *block // the block being filled, or nil
	elements int64
	origins  []string

	// Written by the writer goroutine only.
	f    *os.File // open handle, or nil
	used int64    // when f was last used, for closing the least recent
	h    hash.Hash
	size int64
}

// block is a run of one day's lines and, once compressed, its zstd frame.
type block struct {
	d      *dayUnit
	text   []byte
	packed []byte
	done   chan struct{}
}

func newLander(l Landing, source string) *lander {
	workers := max(1, runtime.GOMAXPROCS(0))
	blocks := maxOpenBlocks + 2*workers + 2
	ld := &lander{
		l: l, source: source, days: map[time.Time]*dayUnit{},
		free:  make(chan *block, blocks),
		jobs:  make(chan *block, workers),
		order: make(chan *block, blocks),
		werr:  make(chan error, 1),
	}
	for range blocks {
		ld.free <- &block{text: make([]byte, 0, blockSize+4096), done: make(chan struct{}, 1)}
	}
	for range workers {
		ld.wg.Add(1)
		go func() {
			defer ld.wg.Done()
			compressBlocks(ld.jobs)
		}()
	}
	go ld.write()
	return ld
}

// write appends compressed blocks to their units in fill order. After a
// failure it keeps draining, so that the reader never blocks.
func (ld *lander) write() {
	var err error
	var files []*dayUnit // units with an open handle
	tick := int64(0)
	for b := range ld.order {
		<-b.done
		if err == nil {
			tick++
			if err = ld.writeBlock(b, &files, tick); err != nil {
				ld.mu.Lock()
				ld.failed = err
				ld.mu.Unlock()
			}
		}
		b.text, b.d = b.text[:0], nil
		ld.free <- b
	}
	for _, d := range files {
		if cerr := d.f.Close(); err == nil && cerr != nil {
			err = cerr
		}
		d.f = nil
	}
	ld.werr <- err
}

func (ld *lander) writeBlock(b *block, files *[]*dayUnit, tick int64) error {
	d := b.d
	if d.f == nil {
		if len(*files) >= maxOpenFiles {
			// Close the least recently used handle; its unit is reopened
			// for appending if it gets more lines.
			sort.Slice(*files, func(i, j int) bool { return (*files)[i].used < (*files)[j].used })
			old := (*files)[0]
			*files = (*files)[1:]
			if err := old.f.Close(); err != nil {
				return fmt.Errorf("land %s: %w", old.path, err)
			}
			old.f = nil
		}
		f, err := os.OpenFile(d.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			return fmt.Errorf("land %s: %w", d.path, err)
		}
		d.f = f
		*files = append(*files, d)
	}
	d.used = tick
	if _, err := d.f.Write(b.packed); err != nil {
		return fmt.Errorf("land %s: %w", d.path, err)
	}
	d.h.Write(b.text)
	d.size += int64(len(b.packed))
	return nil
}

func (ld *lander) err() error {
	ld.mu.Lock()
	defer ld.mu.Unlock()
	return ld.failed
}

// add appends one element, already on one line, to its day's unit.
func (ld *lander) add(day time.Time, line []byte, origin string) error {
	d, err := ld.unit(day)
	if err != nil {
		return err
	}
	if n := len(d.origins); n == 0 || d.origins[n-1] != origin {
		d.origins = append(d.origins, origin)
	}
	d.elements++
	if d.fill == nil {
		if len(ld.open) >= maxOpenBlocks {
			if err := ld.send(ld.open[0]); err != nil {
				return err
			}
		}
		d.fill = <-ld.free
		d.fill.d = d
		ld.open = append(ld.open, d)
	} else if last := len(ld.open) - 1; ld.open[last] != d {
		// Keep the open list in least-recently-used order.
		for i, o := range ld.open {
			if o == d {
				copy(ld.open[i:], ld.open[i+1:])
				ld.open[last] = d
				break
			}
		}
	}
	d.fill.text = append(append(d.fill.text, line...), '\n')
	if len(d.fill.text) >= blockSize {
		return ld.send(d)
	}
	return nil
}

// send hands a day's block to the compressors and the writer.
func (ld *lander) send(d *dayUnit) error {
	for i, o := range ld.open {
		if o == d {
			ld.open = append(ld.open[:i], ld.open[i+1:]...)
			break
		}
	}
	b := d.fill
	d.fill = nil
	ld.order <- b
	ld.jobs <- b
	return ld.err()
}

// unit returns the day's unit, starting the day's landing on first use.
func (ld *lander) unit(day time.Time) (*dayUnit, error) {
	if d, ok := ld.days[day]; ok {
		return d, nil
	}
	b, err := ld.l.Begin(day, ld.source)
	if err != nil {
		return nil, err
	}
	d := &dayUnit{day: day, b: b, path: filepath.Join(b.tmp, filesUnit), h: sha256.New()}
	ld.days[day] = d
	return d, nil
}

// finish sends the last blocks and waits until every unit is written and
// synced. It returns the days in order.
func (ld *lander) finish() ([]*dayUnit, error) {
	var err error
	for len(ld.open) > 0 && err == nil {
		err = ld.send(ld.open[0])
	}
	if cerr := ld.stop(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	days := make([]*dayUnit, 0, len(ld.days))
	for _, d := range ld.days {
		days = append(days, d)
	}
	sort.Slice(days, func(i, j int) bool { return days[i].day.Before(days[j].day) })
	for _, d := range days {
		if err := syncFile(d.path); err != nil {
			return nil, fmt.Errorf("land %s: %w", d.path, err)
		}
	}
	return days, nil
}

// stop ends the goroutines once every sent block is written.
func (ld *lander) stop() error {
	if ld.closed {
		return nil
	}
	ld.closed = true
	close(ld.jobs)
	close(ld.order)
	ld.wg.Wait()
	return <-ld.werr
}

// abort stops the goroutines and discards every day not committed.
func (ld *lander) abort() {
	_ = ld.stop()
	for _, d := range ld.days {
		if d.b != nil {
			d.b.Abort()
		}
	}
}

// commit publishes one finished day.
func (d *dayUnit) commit() error {
	d.b.manifest.Units = append(d.b.manifest.Units, Unit{
		File: filesUnit, Kind: KindLines, Bytes: d.size, SHA256: hex.EncodeToString(d.h.Sum(nil)),
		Elements: d.elements, Origins: d.origins,
	})
	if err := d.b.Commit(); err != nil {
		return err
	}
	d.b = nil
	return nil
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
