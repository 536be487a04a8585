package pipeline

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// every fires at a fixed interval, finer than cron's minute, for tests.
type every time.Duration

func (e every) Next(t time.Time) time.Time { return t.Add(time.Duration(e)) }

func TestScheduleNeverOverlapsRuns(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var running, maxRunning, runs atomic.Int32
	job := func(ctx context.Context) error {
		n := running.Add(1)
		for {
			m := maxRunning.Load()
			if n <= m || maxRunning.CompareAndSwap(m, n) {
				break
			}
		}
		// Each run outlasts the interval several times over.
		time.Sleep(30 * time.Millisecond)
		running.Add(-1)
		if runs.Add(1) == 4 {
			cancel()
		}
		return nil
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	done := make(chan error, 1)
	go func() { done <- Schedule(ctx, every(5*time.Millisecond), time.UTC, log, job) }()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("the schedule did not stop after its context ended")
	}
	assert.Equal(t, int32(4), runs.Load())
	assert.Equal(t, int32(1), maxRunning.Load(), "never two runs at once")
}

func TestScheduleKeepsGoingAfterAFailedRunAndStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var calls atomic.Int32
	var mu sync.Mutex
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&lockedWriter{w: &logs, mu: &mu}, nil))
	job := func(ctx context.Context) error {
		if calls.Add(1) == 2 {
			cancel()
			<-ctx.Done()
			return ctx.Err() // abandoned mid-run
		}
		return io.ErrUnexpectedEOF
	}
	require.NoError(t, Schedule(ctx, every(time.Millisecond), time.UTC, log, job))
	assert.Equal(t, int32(2), calls.Load())
	mu.Lock()
	defer mu.Unlock()
	assert.Contains(t, logs.String(), "run failed")
	assert.Contains(t, logs.String(), "run abandoned: stopping")
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
