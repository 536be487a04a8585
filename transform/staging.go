package transform

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/persona-kpi/kpi/internal/durable"
	"github.com/persona-kpi/kpi/persona"
	"github.com/persona-kpi/kpi/store"
)

// FormatVersion changes whenever transform starts writing different
// Parquet for the same input, so that days built by an older kpi are not
// taken as up to date, nor loaded (ReadStats refuses their files).
const FormatVersion = 4

// Staging is the Parquet staging area: the project's open lake of
// transformed days, Hive-partitioned so that DuckDB, Spark or any Parquet
// reader can query it, and what the load stage reads.
//
//	<dir>/sessions/day=YYYY-MM-DD/part-0.parquet
//	<dir>/events/day=YYYY-MM-DD/part-0.parquet
//	<dir>/event_lists/day=YYYY-MM-DD/part-0.parquet
//	<dir>/rejects/day=YYYY-MM-DD/part-0.parquet
//	<dir>/server_events/day=YYYY-MM-DD/part-0.parquet
//	<dir>/stats/day=YYYY-MM-DD.json     counts, and the files written with them
//
// A day is written into a temporary directory inside dir and its files
// renamed into place only once all of them are complete, the stats last.
type Staging struct {
	Dir string // e.g. data/parquet
}

// areaMarker marks the staging directory as kpi's (see durable.Claim).
const areaMarker = ".kpi-staging"

// tables are the staged tables, in the order they are published.
var tables = []string{"sessions", "events", "event_lists", "rejects", "server_events"}

func (s Staging) tablePath(table string, day time.Time) string {
	return filepath.Join(s.Dir, table, persona.Partition(day), "part-0.parquet")
}

// SessionsPath is the sessions Parquet file of a day.
func (s Staging) SessionsPath(day time.Time) string { return s.tablePath("sessions", day) }

// EventsPath is the events Parquet file of a day.
func (s Staging) EventsPath(day time.Time) string { return s.tablePath("events", day) }

// EventListsPath is the Parquet file of a day's distinct event lists.
func (s Staging) EventListsPath(day time.Time) string { return s.tablePath("event_lists", day) }

// RejectsPath is the rejects Parquet file of a day.
func (s Staging) RejectsPath(day time.Time) string { return s.tablePath("rejects", day) }

// ServerEventsPath is the Parquet file of a day's census entries.
func (s Staging) ServerEventsPath(day time.Time) string { return s.tablePath("server_events", day) }

// StatsPath is the stats file of a day.
func (s Staging) StatsPath(day time.Time) string {
	return filepath.Join(s.Dir, "stats", persona.Partition(day)+".json")
}

// Days lists the staged days (those with a stats file), in order.
func (s Staging) Days() ([]time.Time, error) {
	entries, err := os.ReadDir(filepath.Join(s.Dir, "stats"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var days []time.Time
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok {
			continue
		}
		if d, ok := persona.ParsePartition(name); ok {
			days = append(days, d)
		}
	}
	sort.Slice(days, func(i, j int) bool { return days[i].Before(days[j]) })
	return days, nil
}

// claim marks the staging directory as kpi's when it is (see
// durable.Claim): one kpi creates, or one holding only what kpi writes.
func (s Staging) claim() (bool, error) {
	return durable.Claim(s.Dir, areaMarker, func(name string) bool {
		return name == "stats" || slices.Contains(tables, name)
	})
}

// Remove removes a staged day, its stats first so that it is never seen
// half removed (nothing when it was never staged).
func (s Staging) Remove(day time.Time) error {
	for _, p := range append([]string{s.StatsPath(day)}, s.tablePaths(day)...) {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove staged day %s: %w", day.Format(time.DateOnly), err)
		}
		if p != s.StatsPath(day) {
			_ = os.Remove(filepath.Dir(p)) // the emptied partition directory
		}
	}
	return nil
}

func (s Staging) tablePaths(day time.Time) []string {
	paths := make([]string, len(tables))
	for i, t := range tables {
		paths[i] = s.tablePath(t, day)
	}
	return paths
}

// Clean removes what a killed transform left: kpi's temporary names
// directly inside the staging area, and the temporary files that kpi
// versions before them wrote beside a day's files. Only the holder of the
// database lock may call it. It returns the paths removed.
func (s Staging) Clean() ([]string, error) {
	ours, err := s.claim()
	if err != nil || !ours {
		return nil, err // someone else's directory: nothing of it is kpi's to remove
	}
	removed, err := durable.Clean(s.Dir, "")
	if err != nil {
		return removed, err
	}
	for _, pattern := range []string{
		filepath.Join(s.Dir, "*", "day=*", ".part-0.parquet.*.tmp"),
		filepath.Join(s.Dir, "stats", ".day=*.json.*.tmp"),
	} {
		legacy, _ := filepath.Glob(pattern) // the patterns are well formed
		for _, p := range legacy {
			if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return removed, err
			}
			removed = append(removed, p)
		}
	}
	return removed, nil
}

// statsFile is the JSON of the stats file. Files records the size of each
// Parquet file written with it: the four renames that publish a day are
// not atomic together, and a crash between them would otherwise pair new
// stats with old data unnoticed.
type statsFile struct {
	Format       int              `json:"format"` // FormatVersion of the files; 0 before it was written
	Day          string           `json:"day"`
	Fetched      int64            `json:"fetched"`
	Loaded       int64            `json:"loaded"`
	ServerEvents int64            `json:"server_events"`
	Duplicates   int64            `json:"duplicates"`
	Rejected     int64            `json:"rejected"`
	Conflicts    int64            `json:"conflicts"` // of the duplicates, re-deliveries of other content
	RejectedBy   map[string]int64 `json:"rejected_by"`
	Files        map[string]int64 `json:"files"`
	// Profiles are the day's profiles as counted; absent from the files
	// of earlier kpi versions and for days past maxProfileRows, whose
	// load queries the day for them.
	Profiles *store.Profiles `json:"profiles,omitempty"`
}

// ReadStats reads the stats file TransformDay wrote for day, and checks
// that the day's Parquet files are the ones written with it.
func (s Staging) ReadStats(day time.Time) (Stats, error) {
	day = persona.Day(day)
	path := s.StatsPath(day)
	b, err := os.ReadFile(path)
	if err != nil {
		return Stats{}, fmt.Errorf("read stats: %w", err)
	}
	var sf statsFile
	if err := json.Unmarshal(b, &sf); err != nil {
		return Stats{}, fmt.Errorf("read stats %s: %w", path, err)
	}
	if sf.Day != day.Format(time.DateOnly) {
		return Stats{}, fmt.Errorf("read stats %s: it is for day %q", path, sf.Day)
	}
	if sf.Format != FormatVersion {
		return Stats{}, fmt.Errorf("read stats %s: the day was transformed by another kpi (format %d, this kpi writes %d); transform the day again", path, sf.Format, FormatVersion)
	}
	st := Stats{Day: day, Counts: persona.Counts{Fetched: sf.Fetched, Loaded: sf.Loaded, ServerEvents: sf.ServerEvents,
		Duplicates: sf.Duplicates, Rejected: sf.Rejected, Conflicts: sf.Conflicts}, RejectedBy: sf.RejectedBy, Profiles: sf.Profiles}
	if st.RejectedBy == nil {
		st.RejectedBy = map[string]int64{}
	}
	if err := st.check(); err != nil {
		return Stats{}, fmt.Errorf("read stats %s: %w", path, err)
	}
	for _, table := range tables {
		p := s.tablePath(table, day)
		want, ok := sf.Files[table]
		fi, err := os.Stat(p)
		if err != nil {
			return Stats{}, fmt.Errorf("read stats %s: %w", path, err)
		}
		if !ok || fi.Size() != want {
			return Stats{}, fmt.Errorf("read stats %s: %s is not the file written with these stats (interrupted transform?); transform the day again", path, p)
		}
	}
	return st, nil
}
