package compute

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// checkFacts refuses, naming the file, a fact (of facts, in build order)
// whose query is not one SELECT, reads a fact its header does not list or
// lists one it does not read, does not run on the (empty) input relations,
// or has no day DATE column. The facts are left built,
// empty, for the KPI queries' checks. A fact that reads a refused one is
// not checked.
func checkFacts(ctx context.Context, conn *sql.Conn, facts []Fact) error {
	var bad []error
	refused := map[FactRef]bool{}
	for _, f := range facts {
		if anyRefused(f.Facts, refused) {
			refused[f.Ref()] = true
			continue
		}
		if err := checkFact(ctx, conn, f); err != nil {
			bad = append(bad, err)
			refused[f.Ref()] = true
		}
	}
	return errors.Join(bad...)
}

func anyRefused(refs []FactRef, refused map[FactRef]bool) bool {
	for _, r := range refs {
		if refused[r] {
			return true
		}
	}
	return false
}

// factKeys are the columns every fact has: each row belongs to a day of
// the run of days. A fact of blobs (or events) also has blob, the key of
// kpi_blobs, which the runner does not require.
var factKeys = []column{{"day", "DATE"}}

func checkFact(ctx context.Context, conn *sql.Conn, f Fact) error {
	file := strings.TrimPrefix(f.Path, FactsDir+"/")
	if err := checkSelect(ctx, conn, f.SQL, f.Facts); err != nil {
		return factErr(file, err)
	}
	if _, err := build(ctx, conn, f); err != nil {
		return factErr(file, fmt.Errorf("query does not run on empty input: %w", err))
	}
	cols, err := describe(ctx, conn, "DESCRIBE "+scratch+"."+f.Ref().Table())
	if err != nil {
		return factErr(file, err)
	}
	var missing []string
	for _, k := range factKeys {
		found := false
		for _, c := range cols {
			found = found || c == k
		}
		if !found {
			missing = append(missing, k.name+" "+k.typ)
		}
	}
	if len(missing) > 0 {
		return factErr(file, fmt.Errorf("the query returns (%s); a fact needs the column %s (the day of kpi_blobs or kpi_events its row belongs to)",
			columnList(cols), strings.Join(missing, " and ")))
	}
	return nil
}

// build creates the fact's table in scratch, where every connection sees
// it, from its query over conn's input relations, replacing the table of
// the previous run of days, and says how many rows it holds.
func build(ctx context.Context, conn *sql.Conn, f Fact) (int64, error) {
	r, err := conn.ExecContext(ctx, "CREATE OR REPLACE TABLE "+scratch+"."+f.Ref().Table()+" AS\n"+f.SQL)
	if err != nil {
		return 0, err
	}
	n, err := r.RowsAffected()
	if err != nil {
		return 0, nil // the count is for the log only
	}
	return n, nil
}

// builds sums up what building each fact cost over a computation.
type builds struct {
	list []BuiltFact
}

// of is the entry of f, added on first use.
func (b *builds) of(f Fact) *BuiltFact {
	for i := range b.list {
		if b.list[i].Fact == f.ID && b.list[i].Version == f.Version {
			return &b.list[i]
		}
	}
	b.list = append(b.list, BuiltFact{Fact: f.ID, Version: f.Version})
	return &b.list[len(b.list)-1]
}

// dropFacts drops the tables of facts once a run of days is computed.
func dropFacts(ctx context.Context, conn *sql.Conn, facts []Fact) error {
	for i := len(facts) - 1; i >= 0; i-- {
		if _, err := conn.ExecContext(ctx, "DROP TABLE IF EXISTS "+scratch+"."+facts[i].Ref().Table()); err != nil {
			return fmt.Errorf("compute %s: %w", facts[i].Path, err)
		}
	}
	return nil
}

// readFactStates reads what the facts table remembers of each fact
// version: the hash KPI results were computed with, and when it was
// recorded.
func readFactStates(ctx context.Context, conn *sql.Conn) (map[FactRef]state, error) {
	rows, err := conn.QueryContext(ctx, `SELECT fact, version, coalesce(sha256, ''), computed_at FROM facts`)
	if err != nil {
		return nil, fmt.Errorf("compute: read facts: %w", err)
	}
	defer rows.Close()
	out := map[FactRef]state{}
	for rows.Next() {
		var r FactRef
		var st state
		var at sql.NullTime
		if err := rows.Scan(&r.ID, &r.Version, &st.hash, &at); err != nil {
			return nil, fmt.Errorf("compute: read facts: %w", err)
		}
		st.computedAt = at.Time
		out[r] = st
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("compute: read facts: %w", err)
	}
	return out, nil
}

// registerFacts writes every fact's header fields into the facts table,
// keeping what is recorded of the computations that read it, and records
// the new hash and SQL of a fact computed with a hash its header
// supersedes: the rewrite gives the same rows, so the results stand.
func registerFacts(ctx context.Context, conn *sql.Conn, facts []Fact, log *slog.Logger) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("compute: register facts: %w", err)
	}
	defer tx.Rollback()
	for _, f := range facts {
		reads := jsonList(f.Facts)
		r, err := tx.ExecContext(ctx, `UPDATE facts SET description = ?, reads = CAST(?::JSON AS VARCHAR[]), path = ?
			WHERE fact = ? AND version = ?`, f.Description, reads, f.Path, f.ID, f.Version)
		if err != nil {
			return fmt.Errorf("compute: register %s: %w", f.Path, err)
		}
		if n, err := r.RowsAffected(); err != nil || n == 0 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO facts (fact, version, description, reads, path)
				VALUES (?, ?, ?, CAST(?::JSON AS VARCHAR[]), ?)`, f.ID, f.Version, f.Description, reads, f.Path); err != nil {
				return fmt.Errorf("compute: register %s: %w", f.Path, err)
			}
		}
		recorded, err := recordRewrite(ctx, tx, "facts", "fact", f.ID, f.Version, f.Hash, f.SQL, f.Supersedes)
		if err != nil {
			return fmt.Errorf("compute: register %s: %w", f.Path, err)
		}
		if recorded {
			log.Info("kpi: recorded the rewritten SQL of a fact, whose results stand", "fact", f.ID, "version", f.Version, "sha256", f.Hash)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("compute: register facts: %w", err)
	}
	return nil
}

// recordFirstUse records, in the transaction writing results computed
// with facts, the hash and SQL of those never recorded before, so that a
// later edit of one is refused.
func recordFirstUse(ctx context.Context, tx *sql.Tx, facts []Fact) error {
	for _, f := range facts {
		if _, err := tx.ExecContext(ctx, `UPDATE facts SET sha256 = ?, sql = ?, computed_at = ?
			WHERE fact = ? AND version = ? AND sha256 IS NULL`, f.Hash, f.SQL, time.Now().UTC(), f.ID, f.Version); err != nil {
			return fmt.Errorf("compute %s: record: %w", f.Path, err)
		}
	}
	return nil
}

// recordFacts records, once every version is computed, the new hash and
// SQL of the changed facts Force recomputed, and what building each fact
// cost.
func recordFacts(ctx context.Context, conn *sql.Conn, forced []Fact, built []BuiltFact) error {
	for _, f := range forced {
		if _, err := conn.ExecContext(ctx, `UPDATE facts SET sha256 = ?, sql = ?, computed_at = ? WHERE fact = ? AND version = ?`,
			f.Hash, f.SQL, time.Now().UTC(), f.ID, f.Version); err != nil {
			return fmt.Errorf("compute %s: record: %w", f.Path, err)
		}
	}
	for _, b := range built {
		if _, err := conn.ExecContext(ctx, `UPDATE facts SET last_build_ms = ?, last_build_chunks = ? WHERE fact = ? AND version = ?`,
			b.Elapsed.Milliseconds(), b.Chunks, b.Fact, b.Version); err != nil {
			return fmt.Errorf("compute: record fact %s v%d: %w", b.Fact, b.Version, err)
		}
	}
	return nil
}

// oneThread runs DuckDB on one thread until restore is called. A sum of
// doubles depends on the order it adds them in, and with more threads
// that order depends on which thread took which rows: on one thread a
// version's results are the same on every run, to the last bit. The
// setting is the database's, so it holds on every connection: each
// connection runs its statements on its own goroutine, and two
// connections compute two statements at once (see DefaultConnections).
// restore puts the setting back through the first of conns that still
// works.
func oneThread(ctx context.Context, conns ...*sql.Conn) (restore func(), err error) {
	var threads int64
	if err := conns[0].QueryRowContext(ctx, `SELECT current_setting('threads')`).Scan(&threads); err != nil {
		return nil, fmt.Errorf("compute: threads: %w", err)
	}
	if _, err := conns[0].ExecContext(ctx, `SET threads = 1`); err != nil {
		return nil, fmt.Errorf("compute: threads: %w", err)
	}
	return func() {
		// Best effort: the setting only tunes speed.
		for _, c := range conns {
			if _, err := c.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf("SET threads = %d", threads)); err == nil {
				return
			}
		}
	}, nil
}
