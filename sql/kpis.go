package kpisql

import (
	"embed"
	"io/fs"
)

// Only the definitions are embedded: a KPI directory also holds its test
// cases (cases/) and the earlier texts of rewritten versions
// (superseded/), and this directory READMEs, which the binary does not
// need.
//
//go:embed kpis/*/*.sql facts/*/*.sql
var defs embed.FS

// KPIs is the directory of versioned KPI definitions: one directory per
// KPI id holding v1.sql, v2.sql, ... (see package compute for the format).
func KPIs() fs.FS { return sub("kpis") }

// Facts is the directory of versioned fact definitions the KPI versions
// read: one directory per fact id holding v1.sql, v2.sql, ... (see package
// compute for the format).
func Facts() fs.FS { return sub("facts") }

func sub(dir string) fs.FS {
	s, err := fs.Sub(defs, dir)
	if err != nil {
		panic(err) // the embedded paths are fixed at build time
	}
	return s
}
