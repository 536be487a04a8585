package kpisql

import (
	"embed"
	"io/fs"
)

// Only the definitions are embedded: a KPI directory also holds its test
// cases (cases/), and this directory its README, which the binary does
// not need.
//
//go:embed kpis/*/*.sql
var kpis embed.FS

// KPIs is the directory of versioned KPI definitions: one directory per
// KPI id holding v1.sql, v2.sql, ... (see package compute for the format).
func KPIs() fs.FS {
	sub, err := fs.Sub(kpis, "kpis")
	if err != nil {
		panic(err) // the embedded path is fixed at build time
	}
	return sub
}
