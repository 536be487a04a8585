package compute

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// DefaultConnections is how many DuckDB connections compute on at once
// when Options.Connections is 0. Each query still runs on one thread
// (oneThread: with threads = 1 DuckDB executes a query on the goroutine
// that runs it), so two connections compute two statements at a time on
// two cores, and each gives the same rows, to the last bit, as it would
// alone.
const DefaultConnections = 2

// scratch is the in-memory database, attached once to the DuckDB instance
// and so seen by all its connections, that holds what the connections
// share: the facts' tables of a run of days, and each version's rows
// (out_<kpi>_v<N>) until the writer copies them into kpi_results.
// Temporary tables would not do: each connection has its own. Its name is
// fixed, so one computation at a time runs on a DuckDB instance (the
// store's writer lock sees to it across processes; a computation detaches
// whatever a failed one left before it attaches its own).
const scratch = "kpi_scratch"

// workers are the connections a computation runs on. The first, the
// writer, also checks the definitions and writes every run of days'
// results, in one transaction as with one connection.
type workers struct {
	conns      []*sql.Conn
	searchPath string // as it was before, restored on close
}

// openWorkers takes n connections of db (raising a pool limited to fewer
// until close), attaches the scratch database, and sets on each a search
// path that finds the fact tables in it after main's tables. close puts
// back the search path and the pool's limit, and detaches scratch, which
// frees what it holds.
func openWorkers(ctx context.Context, db *sql.DB, n int) (*workers, func(), error) {
	restorePool := func() {}
	if max := db.Stats().MaxOpenConnections; max > 0 && max < n {
		db.SetMaxOpenConns(n)
		restorePool = func() { db.SetMaxOpenConns(max) }
	}
	w := &workers{}
	cleanup := func() {
		bg := context.WithoutCancel(ctx)
		// Best effort: a connection left with the search path would fail
		// its queries once scratch is detached, but a leftover attachment
		// is detached by the next computation before it attaches its own.
		// (RESET search_path leaves it as it is in DuckDB 1.1.2; setting
		// '' puts back the default.) A connection whose statement a failure
		// elsewhere interrupted may be left in an aborted transaction: it
		// is rolled back first, and a connection that still cannot be put
		// back is closed rather than returned to the pool.
		for _, c := range w.conns {
			if _, err := c.ExecContext(bg, "SET search_path = "+quote(w.searchPath)); err == nil {
				continue
			}
			_, _ = c.ExecContext(bg, "ROLLBACK")
			if _, err := c.ExecContext(bg, "SET search_path = "+quote(w.searchPath)); err != nil {
				_ = c.Raw(func(any) error { return driver.ErrBadConn })
			}
		}
		for _, c := range w.conns {
			if _, err := c.ExecContext(bg, "DETACH DATABASE IF EXISTS "+scratch); err == nil {
				break
			}
		}
		for _, c := range w.conns {
			c.Close()
		}
		restorePool()
	}
	for i := 0; i < n; i++ {
		c, err := db.Conn(ctx)
		if err != nil {
			cleanup()
			return nil, nil, fmt.Errorf("compute: connection %d: %w", i+1, err)
		}
		w.conns = append(w.conns, c)
	}
	first := w.conns[0]
	var dbName string
	if err := first.QueryRowContext(ctx, `SELECT current_database(), current_setting('search_path')`).Scan(&dbName, &w.searchPath); err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("compute: search path: %w", err)
	}
	for _, s := range []string{"DETACH DATABASE IF EXISTS " + scratch, "ATTACH ':memory:' AS " + scratch} {
		if _, err := first.ExecContext(ctx, s); err != nil {
			cleanup()
			return nil, nil, fmt.Errorf("compute: scratch database: %w", err)
		}
	}
	// main.sessions stays the database's; an unqualified fact_<id>_v<N>
	// is found in scratch.
	path := quoteIdent(dbName) + ".main," + scratch + ".main"
	for i, c := range w.conns {
		if _, err := c.ExecContext(ctx, "SET search_path = "+quote(path)); err != nil {
			cleanup()
			return nil, nil, fmt.Errorf("compute: connection %d: search path: %w", i+1, err)
		}
	}
	return w, cleanup, nil
}

func quote(s string) string      { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// writer is the connection that checks definitions and writes results.
func (w *workers) writer() *sql.Conn { return w.conns[0] }

// outTable is the scratch table holding a version's rows of the run of
// days being computed, until the writer copies them into kpi_results.
func outTable(d Definition) string {
	return fmt.Sprintf("%s.out_%s_v%d", scratch, d.ID, d.Version)
}

// task is a fact to build or a version to compute over a run of days.
type task struct {
	fact *Fact
	job  *job
	// order is the task's place among the run's facts, then its versions
	// in definition order: ties go to the earlier.
	order int
	// cost is what the task is expected to take: the longest versions
	// start first, so that neither connection is left with one long
	// version at the end.
	cost time.Duration
}

// needs are the facts a task reads.
func (t *task) needs() []FactRef {
	if t.fact != nil {
		return t.fact.Facts
	}
	return t.job.def.Facts
}

// runChunk builds facts (in scratch) and computes every job's rows of c
// (into its outTable) on the workers' connections at once: each takes the
// next task whose facts are built, facts first, then the version expected
// to take longest. The first error cancels the other connection's
// statement and is returned once both have stopped.
func runChunk(ctx context.Context, w *workers, jobs []*job, facts []Fact, built *builds, c span, costs map[string]time.Duration) error {
	var tasks []*task
	for i := range facts {
		tasks = append(tasks, &task{fact: &facts[i], order: i})
	}
	for i, j := range jobs {
		tasks = append(tasks, &task{job: j, order: len(facts) + i, cost: costs[j.def.Key()]})
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var mu sync.Mutex
	cond := sync.NewCond(&mu)
	done := map[FactRef]bool{}
	running := 0
	var first error
	ready := func(t *task) bool {
		for _, r := range t.needs() {
			if !done[r] {
				return false
			}
		}
		return true
	}
	// next removes and returns the task to run next; nil if none is ready.
	next := func() *task {
		best := -1
		for i, t := range tasks {
			if !ready(t) {
				continue
			}
			if best < 0 || better(t, tasks[best]) {
				best = i
			}
		}
		if best < 0 {
			return nil
		}
		t := tasks[best]
		tasks = append(tasks[:best], tasks[best+1:]...)
		return t
	}
	work := func(conn *sql.Conn) {
		mu.Lock()
		defer mu.Unlock()
		for first == nil && len(tasks) > 0 {
			t := next()
			if t == nil {
				if running == 0 {
					// Facts are listed after the facts they read, so this
					// cannot happen; refuse rather than wait forever.
					first = errors.New("compute: facts read by the versions were not built")
					break
				}
				cond.Wait()
				continue
			}
			running++
			mu.Unlock()
			start := time.Now()
			var n int64
			var err error
			if t.fact != nil {
				n, err = build(ctx, conn, *t.fact)
				if err != nil {
					err = fmt.Errorf("compute %s: %w", t.fact.Path, err)
				}
			} else {
				n, err = computeOut(ctx, conn, t.job.def, c)
			}
			elapsed := time.Since(start)
			mu.Lock()
			running--
			switch {
			case err != nil:
				if first == nil {
					first = err
					cancel()
				}
			case t.fact != nil:
				done[t.fact.Ref()] = true
				b := built.of(*t.fact)
				b.Chunks++
				b.Rows += n
				b.Elapsed += elapsed
			default:
				t.job.out.Elapsed += elapsed
				t.job.out.Rows += n
			}
			cond.Broadcast()
		}
		cond.Broadcast()
	}
	var wg sync.WaitGroup
	for _, conn := range w.conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			work(conn)
		}()
	}
	wg.Wait()
	return first
}

// better says whether a should run before b: facts first (every version
// waits for them), in build order; then the version expected to take
// longer; ties in definition order.
func better(a, b *task) bool {
	if (a.fact != nil) != (b.fact != nil) {
		return a.fact != nil
	}
	if a.fact == nil && a.cost != b.cost {
		return a.cost > b.cost
	}
	return a.order < b.order
}

// computeOut runs d's query over the run of days c into temp.kpi_out,
// checks its rows, and copies them into d's outTable, in one transaction
// on conn.
func computeOut(ctx context.Context, conn *sql.Conn, d Definition, c span) (rows int64, err error) {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("compute %s: %w", d.Path, err)
	}
	defer tx.Rollback()
	if err := materialize(ctx, conn, tx, d); err != nil {
		if errors.Is(err, ErrDefinition) {
			return 0, err
		}
		return 0, fmt.Errorf("compute %s: %w", d.Path, err)
	}
	if rows, err = checkOutput(ctx, tx, d, c); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, "CREATE OR REPLACE TABLE "+outTable(d)+" AS SELECT * FROM temp.kpi_out"); err != nil {
		return 0, fmt.Errorf("compute %s: %w", d.Path, err)
	}
	if _, err := tx.ExecContext(ctx, `DROP TABLE temp.kpi_out`); err != nil {
		return 0, fmt.Errorf("compute %s: %w", d.Path, err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("compute %s: %w", d.Path, err)
	}
	return rows, nil
}

// dropOuts drops the jobs' outTables once their rows are written.
func dropOuts(ctx context.Context, conn *sql.Conn, jobs []*job) error {
	for _, j := range jobs {
		if _, err := conn.ExecContext(ctx, "DROP TABLE IF EXISTS "+outTable(j.def)); err != nil {
			return fmt.Errorf("compute %s: %w", j.def.Path, err)
		}
	}
	return nil
}
