package transform

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// FormatVersion changes whenever transform starts writing different
// Parquet for the same input, so that days built by an older kpi are not
// taken as up to date, nor loaded (ReadStats refuses their files).
const FormatVersion = 2

// Days lists the days transformed under outDir (those with a stats file),
// in order.
func Days(outDir string) ([]time.Time, error) {
	entries, err := os.ReadDir(filepath.Join(outDir, "stats"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var days []time.Time
	for _, e := range entries {
		name, ok := strings.CutPrefix(e.Name(), "day=")
		if !ok {
			continue
		}
		if d, err := time.Parse(time.DateOnly, strings.TrimSuffix(name, ".json")); err == nil && strings.HasSuffix(name, ".json") {
			days = append(days, d)
		}
	}
	sort.Slice(days, func(i, j int) bool { return days[i].Before(days[j]) })
	return days, nil
}
