package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

var migrationName = regexp.MustCompile(`^(\d{4})_[a-z0-9_]+\.sql$`)

// Migration is one step of the schema: the SQL of a file
// migrations/NNNN_name.sql, applied in one transaction with its record,
// or a Go data migration registered by version (Run set), which does its
// own transactions and is recorded only once it has finished, so that an
// interrupted one goes on where it stopped the next time the store is
// opened for writing.
type Migration struct {
	Version int
	Name    string
	SQL     string
	Run     func(ctx context.Context, db *sql.DB) error
}

// dataMigrations are the Go migrations, by version.
var dataMigrations = []Migration{
	{Version: 7, Name: "0007_fill_event_lists", Run: fillEventLists},
	{Version: 14, Name: "0014_lean_keys", Run: leanKeys},
}

// schema is this kpi's migrations: the embedded files and the Go ones.
func schema() ([]Migration, error) {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	return ReadMigrations(sub, dataMigrations...)
}

// ReadMigrations reads and checks the migration files of fsys and merges
// the Go migrations in: every file must be named NNNN_name.sql, and
// versions must be unique and run 1, 2, 3, ...
func ReadMigrations(fsys fs.FS, code ...Migration) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	var ms []Migration
	seen := map[int]string{}
	for _, m := range code {
		seen[m.Version] = m.Name
		ms = append(ms, m)
	}
	for _, e := range entries {
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil || e.IsDir() {
			return nil, fmt.Errorf("migration %s: name must be NNNN_name.sql (lowercase)", e.Name())
		}
		v, _ := strconv.Atoi(m[1])
		if prev, dup := seen[v]; dup {
			return nil, fmt.Errorf("migration %s: version %d is also used by %s", e.Name(), v, prev)
		}
		seen[v] = e.Name()
		b, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, fmt.Errorf("migration %s: %w", e.Name(), err)
		}
		ms = append(ms, Migration{Version: v, Name: e.Name(), SQL: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migration %s: expected version %04d next, versions must have no gaps", m.Name, i+1)
		}
	}
	return ms, nil
}

const createSchemaMigrations = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)`

// Migrate applies the migrations the database has not seen, in order. A
// database newer than this program is refused.
func Migrate(ctx context.Context, db *sql.DB, ms []Migration) error {
	if _, err := db.ExecContext(ctx, createSchemaMigrations); err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	current, err := schemaVersion(ctx, db)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if current > len(ms) {
		return newerSchema(current, len(ms))
	}
	for _, m := range ms[current:] {
		if err := apply(ctx, db, m); err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
	}
	return nil
}

// apply runs one migration and records it.
func apply(ctx context.Context, db *sql.DB, m Migration) error {
	record := func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations VALUES (?, ?, now())`, m.Version, m.Name)
		return err
	}
	if m.Run != nil {
		if err := m.Run(ctx, db); err != nil {
			return err
		}
		return inTx(ctx, db, record)
	}
	return inTx(ctx, db, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			return err
		}
		return record(tx)
	})
}

// schemaVersion is the last migration applied to db, 0 for none.
func schemaVersion(ctx context.Context, db *sql.DB) (int, error) {
	var v int
	err := db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}

// newerSchema refuses a database migrated by a later kpi.
func newerSchema(current, known int) error {
	return fmt.Errorf("schema version %d is newer than this kpi knows (%d): use a newer kpi", current, known)
}

// ErrForeign means a DuckDB file holds another program's tables: kpi
// neither writes to it nor reads it as its own.
var ErrForeign = errors.New("is not a kpi database")

// checkOwner tells a database kpi may use: one with no tables yet, or
// one whose schema_migrations records kpi's migrations under their
// names. Anything else is another program's: ErrForeign, naming a few of
// its tables. It only reads, so a refused file is left as it was.
func checkOwner(ctx context.Context, db *sql.DB, ms []Migration) error {
	tables, err := queryStrings(ctx, db, `SELECT table_name FROM information_schema.tables
		WHERE table_catalog = current_database() AND table_schema = 'main' ORDER BY table_name`)
	if err != nil {
		return err
	}
	if len(tables) == 0 {
		return nil
	}
	foreign := func(why string) error {
		shown := tables
		if len(shown) > 5 {
			shown = append(shown[:5:5], "…")
		}
		return fmt.Errorf("%w: %s (it has the tables %v)", ErrForeign, why, shown)
	}
	cols, err := queryStrings(ctx, db, `SELECT column_name FROM information_schema.columns
		WHERE table_catalog = current_database() AND table_schema = 'main' AND table_name = 'schema_migrations'
		ORDER BY ordinal_position`)
	if err != nil {
		return err
	}
	if len(cols) == 0 {
		return foreign("it has no schema_migrations table")
	}
	if fmt.Sprint(cols) != "[version name applied_at]" {
		return foreign("its schema_migrations table is another tool's")
	}
	rows, err := db.QueryContext(ctx, `SELECT version, name FROM schema_migrations ORDER BY version`)
	if err != nil {
		return err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var v int
		var name string
		if err := rows.Scan(&v, &name); err != nil {
			return err
		}
		n++
		if v != n || (v <= len(ms) && ms[v-1].Name != name) {
			return foreign(fmt.Sprintf("its schema_migrations records %04d %s, which is not kpi's", v, name))
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if n == 0 && len(tables) > 1 {
		// An empty schema_migrations alone is what a failed first
		// migration leaves.
		return foreign("its schema_migrations table is empty")
	}
	return nil
}

func queryStrings(ctx context.Context, db *sql.DB, q string) ([]string, error) {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// beginner starts transactions: a *sql.DB, or a *sql.Conn where a
// statement needs that connection's state (a registered function).
type beginner interface {
	BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
}

// inTx runs f in a transaction, committed if f succeeds, else rolled back.
func inTx(ctx context.Context, db beginner, f func(*sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := f(tx); err != nil {
		return err
	}
	return tx.Commit()
}
