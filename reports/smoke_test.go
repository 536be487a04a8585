package reports

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/persona-kpi/kpi/config"
	"github.com/persona-kpi/kpi/store"
)

// TestWriteSiteForInspection writes a site to $KPI_SITE_OUT for a person
// (or a screenshot) to look at: from the DuckDB file $KPI_DB if set, else
// from the fixture ($KPI_SITE_HOSTILE=1 for the hostile one). It does
// nothing otherwise.
func TestWriteSiteForInspection(t *testing.T) {
	out := os.Getenv("KPI_SITE_OUT")
	if out == "" {
		t.Skip("set KPI_SITE_OUT=DIR to write a site there")
	}
	ctx := context.Background()
	opt := testOptions()
	var files map[string][]byte
	var err error
	if path := os.Getenv("KPI_DB"); path != "" {
		db, oerr := store.OpenReadOnly(ctx, path)
		if oerr != nil {
			t.Fatal(oerr)
		}
		defer db.Close()
		opt = Options{Config: config.Default(), GeneratedAt: time.Now()}
		start := time.Now()
		files, err = Build(ctx, db.DB, opt)
		t.Logf("built %d files from %s in %v", len(files), path, time.Since(start))
	} else {
		db := newFixtureDB(t, fixture{days: 120, hostile: os.Getenv("KPI_SITE_HOSTILE") != ""})
		files, err = Build(ctx, db, opt)
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := Write(out, files); err != nil {
		t.Fatal(err)
	}
}
