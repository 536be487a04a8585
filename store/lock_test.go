package store

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHoldDatabase is not a test on its own: run as a child process, it
// holds a database open for writing until its stdin closes.
func TestHoldDatabase(t *testing.T) {
	path := os.Getenv("KPI_TEST_HOLD_DB")
	if path == "" {
		t.Skip("helper process for TestAnotherProcessHoldingTheDatabaseIsReportedClearly")
	}
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString("ready\n")
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
	db.Close()
}

func TestAnotherProcessHoldingTheDatabaseIsReportedClearly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kpi.duckdb")
	cmd := exec.Command(os.Args[0], "-test.run=^TestHoldDatabase$")
	cmd.Env = append(os.Environ(), "KPI_TEST_HOLD_DB="+path)
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	defer func() { stdin.Close(); cmd.Wait() }()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "ready\n", line)

	_, err = Open(context.Background(), path)
	require.ErrorIs(t, err, ErrLocked)
	assert.Contains(t, err.Error(), path)
	assert.Contains(t, err.Error(), fmt.Sprintf("a kpi run is in progress (pid %d)", cmd.Process.Pid))
	_, err = OpenReadOnly(context.Background(), path)
	require.ErrorIs(t, err, ErrLocked, "a reader is refused while a writer holds the file")
}

func TestLockIsReleasedWhenTheWriterCloses(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kpi.duckdb")
	db, err := Open(ctx, path)
	require.NoError(t, err)
	require.NoError(t, db.Close())
	r, err := OpenReadOnly(ctx, path)
	require.NoError(t, err)
	r2, err := OpenReadOnly(ctx, path)
	require.NoError(t, err, "readers share the database")
	require.NoError(t, r2.Close())
	_, err = Open(ctx, path)
	require.ErrorIs(t, err, ErrLocked, "a writer waits for no reader")
	require.NoError(t, r.Close())
	db, err = Open(ctx, path)
	require.NoError(t, err)
	require.NoError(t, db.Close())
}
