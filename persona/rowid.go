package persona

import "github.com/zeebo/xxh3"

// IDHash is the hash of a row id that sessions.id_hash keeps beside the
// id: the cross-day dedupe compares these integers over the whole history
// (reading 4.6M text ids took 0.3 s a night at 93 days) and the ids only
// where two hashes meet. It must never change: stored hashes would stop
// meeting new ones.
func IDHash(id string) uint64 { return xxh3.HashString(id) }
