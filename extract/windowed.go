package extract

import (
	"context"
	"fmt"
	"io"
	"log/slog"
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

// Land lands each of req.Days. A day is committed only when all its
// windows arrived complete; the first window that fails ends the extract
// with its error, and the day it belonged to is left as it was.
func (s windowed) Land(ctx context.Context, l Landing, req Request) (Result, error) {
	var res Result
	for _, day := range req.Days {
		b, err := l.Begin(day, s.Name())
		if err != nil {
			return res, fmt.Errorf("extract day %s: %w", day.Format(time.DateOnly), err)
		}
		for _, w := range DayWindows(day, s.hours) {
			if err := b.Window(ctx, s.fetcher, w); err != nil {
				b.Abort()
				return res, fmt.Errorf("extract day %s: %w", day.Format(time.DateOnly), err)
			}
		}
		for _, u := range b.manifest.Units {
			res.Bytes += u.Bytes
		}
		res.Units += len(b.manifest.Units)
		if err := b.Commit(); err != nil {
			b.Abort()
			return res, fmt.Errorf("extract day %s: %w", day.Format(time.DateOnly), err)
		}
		res.Days = append(res.Days, day)
		s.log.Info("extracted", "day", day.Format(time.DateOnly), "windows", len(b.manifest.Units), "source", s.Name())
	}
	return res, nil
}
