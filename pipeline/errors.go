package pipeline

// UsageError is a failure the user fixes in the flags, the configuration
// or a file they wrote (a KPI definition, the --out directory): trying
// again as is will fail the same way.
type UsageError struct{ Err error }

func (e UsageError) Error() string { return e.Err.Error() }
func (e UsageError) Unwrap() error { return e.Err }

// SourceError means the source could not be read: the server or the
// files failed, and a later run may succeed.
type SourceError struct{ Err error }

func (e SourceError) Error() string { return e.Err.Error() }
func (e SourceError) Unwrap() error { return e.Err }
