package pipeline

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/robfig/cron/v3"
)

// Schedule calls job at each time of sched (read in loc) until ctx ends.
// Runs never overlap: the next time is computed after a run ends, so a
// long run delays the next one instead of stacking on it. A failed run is
// logged and the schedule goes on; a run abandoned because ctx ended
// stops it.
func Schedule(ctx context.Context, sched cron.Schedule, loc *time.Location, log *slog.Logger, job func(context.Context) error) error {
	for {
		next := sched.Next(time.Now().In(loc))
		if next.IsZero() {
			return UsageError{errors.New("the cron expression never fires")}
		}
		log.Info("next run scheduled", "at", next.Format(time.RFC3339))
		timer := time.NewTimer(time.Until(next))
		select {
		case <-ctx.Done():
			timer.Stop()
			log.Info("schedule stopped")
			return nil
		case <-timer.C:
		}
		start := time.Now()
		err := job(ctx)
		switch {
		case err == nil:
			log.Info("run succeeded", "elapsed", time.Since(start).Round(time.Millisecond))
		case errors.Is(err, context.Canceled) || ctx.Err() != nil:
			log.Warn("run abandoned: stopping", "elapsed", time.Since(start).Round(time.Millisecond), "error", err)
			return nil
		default:
			// A failed night is logged and retried at the next time; the
			// schedule itself keeps going.
			log.Error("run failed", "elapsed", time.Since(start).Round(time.Millisecond), "error", err)
		}
	}
}
