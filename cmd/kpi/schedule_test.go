package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
	p.Update("transform", 1, 2, 10, 1000)
	p.Update("transform", 2, 2, 20, 2000)
	p.Clear()
	assert.Empty(t, buf.String(), "a buffer is not a terminal")
	var nilProgress *progress
	nilProgress.Update("load", 1, 1, 1, 1) // options built in tests have none
}
