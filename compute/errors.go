package compute

import (
	"errors"
	"fmt"
	"time"
)

var (
	// ErrDefinition marks a KPI or fact definition file the runner
	// refuses: bad layout, header, versions, or a query of the wrong shape.
	ErrDefinition = errors.New("bad KPI definition")
	// ErrChanged marks a KPI or fact version whose SQL differs from the
	// SQL it was computed with.
	ErrChanged = errors.New("KPI SQL changed since it was computed")
	// ErrNoKPI marks an Options.KPI or Options.Version that names no
	// definition.
	ErrNoKPI = errors.New("no such KPI")
)

// DefinitionError is a refused definition file.
type DefinitionError struct {
	// Path is the file (or directory), under SourceDir or FactsDir.
	Path string
	Err  error
}

func (e *DefinitionError) Error() string { return e.Path + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *DefinitionError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrDefinition) true.
func (e *DefinitionError) Is(target error) bool { return target == ErrDefinition }

// defErr wraps err for file, a path inside the definitions directory.
func defErr(file string, err error) error { return kpiLayout.err(file, err) }

// ChangedError is a KPI or fact version whose file no longer holds the SQL
// it was computed with, refused unless Options.Force is set.
type ChangedError struct {
	Path       string
	ComputedAt time.Time
	// Next is the version number a changed definition should take instead.
	Next int
	// Fact is set for a fact version: the KPI versions that read it were
	// computed with its earlier SQL.
	Fact bool
}

func (e *ChangedError) Error() string {
	at := e.ComputedAt.UTC().Format("2006-01-02 15:04:05 UTC")
	if e.Fact {
		return fmt.Sprintf("%s changed since KPI results were computed with it on %s; add v%d.sql instead (and new versions of the KPIs that should read it), or use --force to recompute the history of every version that reads it",
			e.Path, at, e.Next)
	}
	return fmt.Sprintf("%s changed since it was computed on %s; add v%d.sql instead, or use --force to recompute history", e.Path, at, e.Next)
}

// Is makes errors.Is(err, ErrChanged) true.
func (e *ChangedError) Is(target error) bool { return target == ErrChanged }
