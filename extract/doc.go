// Package extract owns getting raw interaction data in: the Source
// interface and New, which builds the source the configuration names (the
// built-in generator of package generate, a KPIggybank server through
// package kpiggybank, or files read here), and the raw landing area under
// the data directory, where every window or file element is kept
// compressed exactly as received, so that later stages can be redone
// without the backend.
package extract
