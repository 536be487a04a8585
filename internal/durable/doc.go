// Package durable writes files and directories so that a crash at any
// moment leaves either the old version or the new one: work in progress
// goes to temporary names that only kpi uses, is synced, and is renamed
// into place. It also finds and removes those temporary names, so that a
// storage area can clean up after a killed run without touching anything
// it did not create.
package durable
