// Package kpisql holds kpi's SQL as embedded files: the schema migrations
// (migrations/NNNN_name.sql) and the versioned KPI definitions. Its import
// path ends in sql; it is named kpisql so it never shadows database/sql.
package kpisql

import (
	"embed"
	"io/fs"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations is the directory of schema migration files, named
// NNNN_name.sql and applied in order of NNNN.
func Migrations() fs.FS {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(err) // the embedded path is fixed at build time
	}
	return sub
}
