package extract

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"
)

// fetcher fetches the raw body of one time window [start, end): the
// generator or a KPIggybank client.
//
// Fetch writes the window's body, exactly as received, to a writer it
// gets from open. Each call to open discards whatever the previous writer
// received, so a fetcher may retry a window after a partial body; Fetch
// returns nil only once a complete body has been written.
type fetcher interface {
	Name() string
	Fetch(ctx context.Context, start, end time.Time, open func() (io.Writer, error)) error
}

// windowed is a Source fetched day by day, in windows of hours.
type windowed struct {
	fetcher fetcher
	hours   int
	log     *slog.Logger
}

func (s windowed) Name() string { return s.fetcher.Name() }

// Land lands each of req.Days, two at a time: fetching a day is mostly
// one core's work (the generator) or waiting (a server), and its landing
// is compressed meanwhile. A day is committed only when all its windows
// arrived complete; the first window that fails stops the days not yet
// started and ends the extract with its error, and the day it belonged
// to is left as it was. Days landed are returned in order.
func (s windowed) Land(ctx context.Context, l Landing, req Request) (Result, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type landed struct {
		bytes int64
		units int
		err   error
		done  bool
	}
	out := make([]landed, len(req.Days))
	slots := make(chan struct{}, landParallel)
	var wg sync.WaitGroup
	for i, day := range req.Days {
		slots <- struct{}{}
		if ctx.Err() != nil {
			<-slots
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			r := &out[i]
			r.bytes, r.units, r.err = s.landDay(ctx, l, day)
			r.done = r.err == nil
			if r.err != nil {
				cancel()
			}
		}()
	}
	wg.Wait()
	var res Result
	var first error
	for i, r := range out {
		if r.done {
			res.Days = append(res.Days, req.Days[i])
			res.Bytes += r.bytes
			res.Units += r.units
		} else if r.err != nil && (first == nil || errors.Is(first, context.Canceled)) {
			first = r.err // the failure itself, not the days it cancelled
		}
	}
	return res, first
}

// landParallel is how many days Land fetches at once.
const landParallel = 2

// landDay lands one day: its bytes and units once committed.
func (s windowed) landDay(ctx context.Context, l Landing, day time.Time) (bytes int64, units int, err error) {
	b, err := l.Begin(day, s.Name())
	if err != nil {
		return 0, 0, fmt.Errorf("extract day %s: %w", day.Format(time.DateOnly), err)
	}
	for _, w := range DayWindows(day, s.hours) {
		if err := b.Window(ctx, s.fetcher, w); err != nil {
			b.Abort()
			return 0, 0, fmt.Errorf("extract day %s: %w", day.Format(time.DateOnly), err)
		}
	}
	for _, u := range b.manifest.Units {
		bytes += u.Bytes
	}
	if err := b.Commit(); err != nil {
		b.Abort()
		return 0, 0, fmt.Errorf("extract day %s: %w", day.Format(time.DateOnly), err)
	}
	s.log.Info("extracted", "day", day.Format(time.DateOnly), "windows", len(b.manifest.Units), "source", s.Name())
	return bytes, len(b.manifest.Units), nil
}
