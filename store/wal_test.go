package store

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// crash closes db the way a killed process leaves it: the write-ahead log
// stays as it is, with no checkpoint on the way out.
func crash(t *testing.T, db *DB) {
	t.Helper()
	_, err := db.Exec("PRAGMA disable_checkpoint_on_shutdown")
	require.NoError(t, err)
	require.NoError(t, db.DB.Close())
	db.lock.release(true)
}

// probeDB is a new database with an empty table probe, checkpointed and
// open again for writing.
func probeDB(t *testing.T) (string, *DB) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kpi.duckdb")
	db, err := Open(context.Background(), path)
	require.NoError(t, err)
	_, err = db.Exec(`CREATE TABLE probe (k INTEGER PRIMARY KEY, pad VARCHAR)`)
	require.NoError(t, err)
	require.NoError(t, db.Close())
	db, err = Open(context.Background(), path)
	require.NoError(t, err)
	return path, db
}

func walSize(t *testing.T, path string) int64 {
	t.Helper()
	st, err := os.Stat(path + ".wal")
	require.NoError(t, err)
	return st.Size()
}

// TestAWriterAfterAKillMidCommitLeavesAReadableLog tears the log of a
// killed process inside its last commit (mid-entry, and short of the
// commit's flush marker), then writes again and dies again, as a rerun
// killed in turn would: the database opens afterwards with exactly the
// committed rows. DuckDB 1.1.2 appends after a torn tail it replayed
// without truncating it, which turned the tail into a corrupt entry
// (checksum mismatch) or a commit replayed twice (duplicate key).
func TestAWriterAfterAKillMidCommitLeavesAReadableLog(t *testing.T) {
	ctx := context.Background()
	for _, tear := range []struct {
		name string
		cut  func(committed, whole int64) int64
	}{
		{"mid-entry", func(committed, whole int64) int64 { return committed + (whole-committed)/2 }},
		{"short of the flush marker", func(_, whole int64) int64 { return whole - 1 }},
	} {
		t.Run(tear.name, func(t *testing.T) {
			path, db := probeDB(t)
			_, err := db.Exec(`INSERT INTO probe VALUES (1, 'first')`)
			require.NoError(t, err)
			committed := walSize(t, path)
			_, err = db.Exec(`INSERT INTO probe SELECT 2, repeat('x', 100000)`)
			require.NoError(t, err)
			whole := walSize(t, path)
			crash(t, db)
			require.NoError(t, os.Truncate(path+".wal", tear.cut(committed, whole)))

			// The rerun: it finds row 2 missing and writes it again.
			db, err = Open(ctx, path)
			require.NoError(t, err)
			var n int
			require.NoError(t, db.QueryRow(`SELECT count(*) FROM probe`).Scan(&n))
			assert.Equal(t, 1, n, "only the commit that completed is replayed")
			_, err = db.Exec(`INSERT INTO probe VALUES (2, 'again')`)
			require.NoError(t, err)
			crash(t, db)

			r, err := OpenReadOnly(ctx, path)
			require.NoError(t, err, "the log is readable after the second kill")
			defer r.Close()
			var pads []string
			rows, err := r.Query(`SELECT pad FROM probe ORDER BY k`)
			require.NoError(t, err)
			defer rows.Close()
			for rows.Next() {
				var p string
				require.NoError(t, rows.Scan(&p))
				pads = append(pads, p)
			}
			require.NoError(t, rows.Err())
			assert.Equal(t, "first again", strings.Join(pads, " "))
		})
	}
}

// TestADamagedLogIsNamedWithTheWayOut damages a committed entry of the
// log: opening names the log and what moving it aside does, and the
// database opens without it as its last checkpoint left it.
func TestADamagedLogIsNamedWithTheWayOut(t *testing.T) {
	ctx := context.Background()
	path, db := probeDB(t)
	_, err := db.Exec(`INSERT INTO probe SELECT 1, repeat('x', 10000)`)
	require.NoError(t, err)
	crash(t, db)

	log, err := os.ReadFile(path + ".wal")
	require.NoError(t, err)
	log[len(log)/2] ^= 0xff
	require.NoError(t, os.WriteFile(path+".wal", log, 0o644))

	_, err = Open(ctx, path)
	require.Error(t, err)
	assert.Contains(t, err.Error(), path+".wal cannot be replayed")
	assert.NotContains(t, err.Error(), "\n")
	_, err = OpenReadOnly(ctx, path)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "with the log moved aside")

	require.NoError(t, os.Rename(path+".wal", path+".wal.damaged"))
	db, err = Open(ctx, path)
	require.NoError(t, err)
	var n int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM probe`).Scan(&n))
	assert.Zero(t, n, "the file holds its last checkpoint")
	require.NoError(t, db.Close())
}

// TestCheckpointRunsBesideAReader checkpoints while the DB's only
// connection is inside a read transaction: the checkpoint does not wait
// for it, the reader goes on seeing the committed rows, and the log is
// empty afterwards.
func TestCheckpointRunsBesideAReader(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kpi.duckdb")
	db, err := Open(ctx, path)
	require.NoError(t, err)
	defer db.Close()
	_, err = db.Exec(`CREATE TABLE probe AS SELECT range AS k FROM range(200000)`)
	require.NoError(t, err)
	require.Positive(t, walSize(t, path))

	tx, err := db.BeginTx(ctx, nil)
	require.NoError(t, err)
	defer tx.Rollback() // before Close, which needs the connection
	var n int
	require.NoError(t, tx.QueryRow(`SELECT count(*) FROM probe`).Scan(&n))
	timeout, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	require.NoError(t, db.Checkpoint(timeout), "the checkpoint does not wait for the DB's connection")
	require.NoError(t, tx.QueryRow(`SELECT sum(k) FROM probe`).Scan(&n))
	assert.Equal(t, 200000*199999/2, n)
	require.NoError(t, tx.Commit())
	if st, err := os.Stat(path + ".wal"); err == nil {
		assert.Zero(t, st.Size(), "the checkpoint emptied the log")
	}
}
