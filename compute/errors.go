package compute

import (
	"errors"
	"fmt"
	"path"
	"time"
)

var (
	// ErrDefinition marks a KPI definition file the runner refuses: bad
	// layout, header, versions, or a query of the wrong shape.
	ErrDefinition = errors.New("bad KPI definition")
	// ErrChanged marks a KPI version whose SQL differs from the SQL it was
	// computed with.
	ErrChanged = errors.New("KPI SQL changed since it was computed")
	// ErrNoKPI marks an Options.KPI or Options.Version that names no
	// definition.
	ErrNoKPI = errors.New("no such KPI")
)

// DefinitionError is a refused definition file.
type DefinitionError struct {
	// Path is the file (or directory) under SourceDir.
	Path string
	Err  error
}

func (e *DefinitionError) Error() string { return e.Path + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *DefinitionError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrDefinition) true.
func (e *DefinitionError) Is(target error) bool { return target == ErrDefinition }

// defErr wraps err for file, a path inside the definitions directory.
func defErr(file string, err error) error {
	return &DefinitionError{Path: path.Join(SourceDir, file), Err: err}
}

// ChangedError is a KPI version whose file no longer holds the SQL it was
// computed with, refused unless Options.Force is set.
type ChangedError struct {
	Path       string
	ComputedAt time.Time
	// Next is the version number a changed definition should take instead.
	Next int
}

func (e *ChangedError) Error() string {
	return fmt.Sprintf("%s changed since it was computed on %s; add v%d.sql instead, or use --force to recompute history",
		e.Path, e.ComputedAt.UTC().Format("2006-01-02 15:04:05 UTC"), e.Next)
}

// Is makes errors.Is(err, ErrChanged) true.
func (e *ChangedError) Is(target error) bool { return target == ErrChanged }
