package main

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/persona-kpi/kpi/store"
)

// TestReadersRefuseAnOlderSchema: report and status need this kpi's
// tables and say how to upgrade a database at an older schema; query
// reads any.
func TestReadersRefuseAnOlderSchema(t *testing.T) {
	e := newEnv(t)
	db, err := store.Open(context.Background(), e.db)
	require.NoError(t, err)
	var latest int
	require.NoError(t, db.QueryRow(`SELECT max(version) FROM schema_migrations`).Scan(&latest))
	// As if the last migration had not been applied yet.
	_, err = db.Exec(`DELETE FROM schema_migrations WHERE version = ?`, latest)
	require.NoError(t, err)
	require.NoError(t, db.Close())

	for _, args := range [][]string{{"status"}, {"report", "--out", e.out}} {
		code, _, errs := e.kpi(append(args, "--db", e.db)...)
		assert.Equal(t, exitFailure, code, args)
		assert.Contains(t, errs, e.db+" has schema version")
		assert.Contains(t, errs, "any command that writes it (kpi run, load or compute) upgrades it first")
		assert.NotContains(t, errs, "Binder Error", "refused before reading a missing column")
	}
	code, out, errs := e.kpi("query", "--db", e.db, "--format", "csv", "select count(*) as n from schema_migrations")
	require.Equal(t, 0, code, errs)
	assert.Equal(t, fmt.Sprintf("n\n%d\n", latest-1), out)
}
