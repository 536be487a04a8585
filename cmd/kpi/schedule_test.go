package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
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
	go func() { done <- scheduleLoop(ctx, every(5*time.Millisecond), time.UTC, log, job) }()
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
	require.NoError(t, scheduleLoop(ctx, every(time.Millisecond), time.UTC, log, job))
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

// TestKPIProcess is not a test on its own: run as a child process, it is
// the kpi command with the arguments in KPI_TEST_ARGS.
func TestKPIProcess(t *testing.T) {
	args := os.Getenv("KPI_TEST_ARGS")
	if args == "" {
		t.Skip("helper process for the tests that signal or kill kpi")
	}
	ctx, stop := signalContext()
	defer stop()
	os.Exit(Main(ctx, append([]string{"kpi"}, strings.Split(args, "\x1f")...), os.Stdout, os.Stderr))
}

// kpiProcess starts the kpi command line in a child process.
func kpiProcess(t *testing.T, args ...string) (*exec.Cmd, *bufio.Reader) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKPIProcess$")
	cmd.Env = append(os.Environ(), "KPI_TEST_ARGS="+strings.Join(args, "\x1f"))
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd, bufio.NewReader(stderr)
}

// waitFor reads lines until one contains want.
func waitFor(t *testing.T, r *bufio.Reader, want string) string {
	t.Helper()
	for {
		line, err := r.ReadString('\n')
		require.NoError(t, err, "waiting for %q", want)
		if strings.Contains(line, want) {
			return line
		}
	}
}

func TestScheduleStopsOnSIGTERM(t *testing.T) {
	e := newEnv(t)
	cmd, stderr := kpiProcess(t, "schedule", "--cron", "0 3 * * *", "--db", e.db, "--data", e.data, "--out", e.out)
	waitFor(t, stderr, "next run scheduled")
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	waitFor(t, stderr, "schedule stopped")
	require.NoError(t, cmd.Wait())
	assert.Equal(t, 0, cmd.ProcessState.ExitCode())
}

func TestProgressIsSilentOffATerminal(t *testing.T) {
	var buf bytes.Buffer
	p := newProgress(&buf, true)
	p.update("transform", 1, 2, 10, 1000)
	p.update("transform", 2, 2, 20, 2000)
	p.clear()
	assert.Empty(t, buf.String(), "a buffer is not a terminal")
	var nilProgress *progress
	nilProgress.update("load", 1, 1, 1, 1) // options built in tests have none
}
