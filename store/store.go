package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/marcboeker/go-duckdb"
)

// WriterMemoryLimit bounds DuckDB's memory in the writing process; the
// fused ingest and compute lower it while they work on pieces that fit
// less (see pipeline.ingestDuckDBMemory, compute.Options.MemoryLimit).
const WriterMemoryLimit = "512MB"

// ErrNoDatabase means a reader was given a database that does not exist.
var ErrNoDatabase = errors.New("does not exist")

// ErrLocked means another process holds the DuckDB file for writing.
var ErrLocked = errors.New("the database is in use by another kpi process")

// DB is the read-write DuckDB file of one run. It holds a single
// connection, because DuckDB allows one writer and transactions must not
// hop between connections (Checkpoint takes one more, for itself alone).
type DB struct {
	*sql.DB
	Path      string
	lock      *fileLock
	connector *duckdb.Connector
}

// Open opens (creating if needed) the DuckDB file for writing and applies
// pending migrations. A file that holds another program's tables is
// refused (ErrForeign) and left as it was.
func Open(ctx context.Context, path string) (*DB, error) {
	ms, err := schema()
	if err != nil {
		return nil, err
	}
	db, err := open(ctx, path, ms)
	if err != nil {
		return nil, err
	}
	if err := db.abandonStaleRuns(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func open(ctx context.Context, path string, ms []Migration) (*DB, error) {
	lock, err := acquire(path, true)
	if err != nil {
		return nil, err
	}
	if err := inspect(ctx, path, ms); err != nil {
		lock.release(true)
		return nil, err
	}
	db, err := openWriter(ctx, path, ms)
	if err != nil {
		lock.release(true)
		return nil, err
	}
	db.lock = lock
	return db, nil
}

// inspect refuses an existing file that is not kpi's, or is a newer
// kpi's, before it is ever opened for writing: DuckDB would write to it
// on open and close even if nothing else did.
func inspect(ctx context.Context, path string, ms []Migration) error {
	if st, err := os.Stat(path); err != nil || st.Size() == 0 {
		return nil // a new file
	}
	connector, err := duckdb.NewConnector(path+"?access_mode=read_only", nil)
	if err != nil {
		return openError(path, err)
	}
	db := sql.OpenDB(connector)
	defer db.Close()
	current, err := kpiVersion(ctx, db, ms)
	switch {
	case errors.Is(err, ErrForeign):
		return fmt.Errorf("database %s %w; kpi writes only to a new or empty file, or one it created: choose another --db", path, err)
	case err != nil:
		return openError(path, err)
	case current > len(ms):
		return fmt.Errorf("database %s: %w", path, newerSchema(current, len(ms)))
	}
	return nil
}

// kpiVersion is the version of kpi's schema db has: 0 for a database
// without tables, ErrForeign for another program's.
func kpiVersion(ctx context.Context, db *sql.DB, ms []Migration) (int, error) {
	if err := checkOwner(ctx, db, ms); err != nil {
		return 0, err
	}
	var tables int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables
		WHERE table_catalog = current_database() AND table_name = 'schema_migrations'`).Scan(&tables); err != nil || tables == 0 {
		return 0, err
	}
	return schemaVersion(ctx, db)
}

func openWriter(ctx context.Context, path string, ms []Migration) (*DB, error) {
	connector, err := duckdb.NewConnector(path, nil)
	if err != nil {
		return nil, openError(path, err)
	}
	_, walErr := os.Stat(path + ".wal")
	db := sql.OpenDB(connector)
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, openError(path, err)
	}
	// DuckDB keeps what it writes in a buffer pool of up to 80% of RAM, so
	// a writer's memory would grow with the database; a fixed limit keeps
	// it flat (measured: 0.72 GiB peak at 3M blobs instead of 1.04), and a
	// larger checkpoint threshold spares a checkpoint per big day's commit.
	for _, setting := range []string{"SET memory_limit = '" + WriterMemoryLimit + "'", "SET checkpoint_threshold = '1GB'"} {
		if _, err := db.ExecContext(ctx, setting); err != nil {
			db.Close()
			return nil, fmt.Errorf("database %s: %s: %w", path, setting, err)
		}
	}
	// A log left behind by a killed writer may end in a torn commit, which
	// opening replays up to and ignores. DuckDB 1.1.2 does not cut it off,
	// though: what this writer logs would follow the torn bytes, and the
	// next opening would fail on them (a checksum mismatch) or replay them
	// as part of the next commit (rows lost or duplicated). A checkpoint,
	// within the memory limit, first writes the replayed commits into the
	// file and starts an empty log.
	if walErr == nil {
		if _, err := db.ExecContext(ctx, "CHECKPOINT"); err != nil {
			db.Close()
			return nil, fmt.Errorf("database %s: writing the log a stopped run left into the file: %w", path, err)
		}
	}
	if err := Migrate(ctx, db, ms); err != nil {
		db.Close()
		return nil, fmt.Errorf("database %s: %w", path, err)
	}
	return &DB{DB: db, Path: path, connector: connector}, nil
}

// Reader is a read-only handle on the DuckDB file.
type Reader struct {
	*sql.DB
	Path string
	lock *fileLock
}

// CheckSchema refuses a database whose schema is not the one this program
// writes, for readers that depend on its tables: a reader cannot upgrade
// an older one, and would otherwise fail on a missing column.
func (r *Reader) CheckSchema(ctx context.Context) error {
	ms, err := schema()
	if err != nil {
		return err
	}
	current, err := kpiVersion(ctx, r.DB, ms)
	switch {
	case errors.Is(err, ErrForeign):
		return fmt.Errorf("database %s %w", r.Path, err)
	case err != nil:
		return fmt.Errorf("database %s: schema version: %w", r.Path, err)
	case current == 0:
		return fmt.Errorf("database %s %w: it has no tables yet", r.Path, ErrForeign)
	case current < len(ms):
		return fmt.Errorf("database %s has schema version %d, this kpi writes %d: any command that writes it (kpi run, load or compute) upgrades it first", r.Path, current, len(ms))
	case current > len(ms):
		return fmt.Errorf("database %s: %w", r.Path, newerSchema(current, len(ms)))
	}
	return nil
}

// OpenReadOnly opens an existing DuckDB file for reading only. Its
// connection can neither change the database nor touch any other file
// (see ReadOptions); while a run writes the file, readers are refused at
// once with the writer's pid.
func OpenReadOnly(ctx context.Context, path string) (*Reader, error) {
	return OpenReader(ctx, path, ReadOptions{})
}

// ReadOptions widens what a reader's connection may do.
type ReadOptions struct {
	// AllowFiles lets queries read files (read_parquet, read_csv, a path
	// in FROM) anywhere the user can read; nothing can be written either
	// way.
	AllowFiles bool
}

// OpenReader opens an existing DuckDB file read-only (access_mode
// read_only: no statement can change it). DuckDB's own file access is
// switched off unless opt.AllowFiles (no COPY TO, EXPORT, ATTACH,
// INSTALL, and no reading of files), spilling to a temporary directory
// beside the database is off, and the configuration is locked so that no
// query can undo it.
func OpenReader(ctx context.Context, path string, opt ReadOptions) (*Reader, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("database %s %w: run `kpi run` first", path, ErrNoDatabase)
	}
	lock, err := acquire(path, false)
	if err != nil {
		return nil, err
	}
	connector, err := duckdb.NewConnector(path+"?access_mode=read_only", nil)
	if err != nil {
		lock.release(false)
		return nil, openError(path, err)
	}
	db := sql.OpenDB(connector)
	db.SetMaxOpenConns(1)
	settings := []string{"SET temp_directory = ''"}
	if !opt.AllowFiles {
		settings = append(settings, "SET enable_external_access = false")
	}
	settings = append(settings, "SET lock_configuration = true")
	for _, s := range settings {
		if _, err := db.ExecContext(ctx, s); err != nil {
			db.Close()
			lock.release(false)
			return nil, openError(path, err)
		}
	}
	return &Reader{DB: db, Path: path, lock: lock}, nil
}

// Close closes the database and drops the reader's lock.
func (r *Reader) Close() error {
	err := r.DB.Close()
	r.lock.release(false)
	return err
}

func openError(path string, err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "Could not set lock") || strings.Contains(msg, "Conflicting lock"):
		return fmt.Errorf("database %s: %w", path, ErrLocked)
	case strings.Contains(msg, "No such file") || strings.Contains(msg, "does not exist"):
		return fmt.Errorf("database %s does not exist: run `kpi run` first", path)
	case strings.Contains(msg, "replaying WAL"):
		// Written by a DuckDB or a kpi that did not yet checkpoint on
		// opening after a kill (see openWriter). The file without the log
		// is the state of its last checkpoint, which kpi's runs leave whole.
		return fmt.Errorf("database %s: its write-ahead log %s.wal cannot be replayed; with the log moved aside (kpi never deletes it), the database is as its last checkpoint left it and the next kpi run loads again the days it lacks: %w", path, path, err)
	}
	return fmt.Errorf("database %s: %w", path, err)
}

// Checkpoint writes the write-ahead log into the database file, on a
// connection of its own: the DB's connection stays free for reading what
// is committed meanwhile (a checkpoint runs beside read transactions).
func (d *DB) Checkpoint(ctx context.Context) error {
	conn, err := d.connector.Connect(ctx)
	if err != nil {
		return fmt.Errorf("checkpoint %s: %w", d.Path, err)
	}
	defer conn.Close()
	exec, ok := conn.(driver.ExecerContext)
	if !ok {
		return fmt.Errorf("checkpoint %s: the driver's connection cannot execute statements", d.Path)
	}
	if _, err := exec.ExecContext(ctx, "CHECKPOINT", nil); err != nil {
		return fmt.Errorf("checkpoint %s: %w", d.Path, err)
	}
	return nil
}

// Close checkpoints the write-ahead log into the file and closes it, so
// the file is complete on its own.
func (d *DB) Close() error {
	_, cerr := d.ExecContext(context.Background(), "CHECKPOINT")
	defer d.lock.release(true)
	if err := d.DB.Close(); err != nil {
		return fmt.Errorf("close %s: %w", d.Path, err)
	}
	if cerr != nil {
		return fmt.Errorf("checkpoint %s: %w", d.Path, cerr)
	}
	return nil
}

// SetMemoryLimit sets DuckDB's memory limit until restore is called,
// which puts back the writer's (WriterMemoryLimit).
func (d *DB) SetMemoryLimit(ctx context.Context, limit string) (restore func(), err error) {
	return d.setUntil(ctx, "memory limit "+limit, "SET memory_limit = '"+limit+"'", "SET memory_limit = '"+WriterMemoryLimit+"'")
}

// SetThreads sets how many threads DuckDB works with until restore is
// called, which puts back DuckDB's default (one per core).
func (d *DB) SetThreads(ctx context.Context, n int) (restore func(), err error) {
	return d.setUntil(ctx, "threads", fmt.Sprintf("SET threads = %d", n), "RESET threads")
}

// setUntil runs the statement set, and returns restore, which runs undo.
func (d *DB) setUntil(ctx context.Context, what, set, undo string) (restore func(), err error) {
	if _, err := d.ExecContext(ctx, set); err != nil {
		return nil, fmt.Errorf("database %s: %s: %w", d.Path, what, err)
	}
	return func() { d.ExecContext(context.Background(), undo) }, nil
}
