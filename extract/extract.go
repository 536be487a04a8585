package extract

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// ExtractWindows lands each of days from src, fetching it in windows of
// the given hours. A day is committed only when all its windows arrived
// complete; the first window that fails ends the extract with its error,
// and the day it belonged to is left as it was.
func ExtractWindows(ctx context.Context, l Landing, src WindowSource, days []time.Time, hours int, log *slog.Logger) (Result, error) {
	var res Result
	for _, day := range days {
		b, err := l.Begin(day, src.Name())
		if err != nil {
			return res, fmt.Errorf("extract day %s: %w", day.Format(time.DateOnly), err)
		}
		for _, w := range DayWindows(day, hours) {
			if err := b.Window(ctx, src, w); err != nil {
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
		if log != nil {
			log.Info("extracted", "day", day.Format(time.DateOnly), "windows", len(b.manifest.Units), "source", src.Name())
		}
	}
	return res, nil
}
