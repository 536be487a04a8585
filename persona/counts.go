package persona

import "fmt"

// Counts account for the elements of a day or a run: every element
// fetched was loaded as a dialog session, loaded as one of the server's
// census entries, dropped as a duplicate, or rejected with a reason, so
// Fetched = Loaded + ServerEvents + Duplicates + Rejected (see Check).
type Counts struct {
	// Fetched is every element read, invalid ones and duplicates included.
	Fetched int64
	// Loaded is the number of sessions (dialog blobs) written.
	Loaded int64
	// ServerEvents is the number of the server's census entries written
	// (docs/data.md §1.4): not bad data, but not dialog sessions either.
	ServerEvents int64
	// Duplicates is the number of elements whose row id was already seen
	// (on that day or another: a row id is one blob); they are written
	// nowhere.
	Duplicates int64
	// Rejected is the number of reject rows written.
	Rejected int64
	// Conflicts counts, among the Duplicates, the re-deliveries whose
	// content differed from the copy kept: not a term of the invariant,
	// but worth a look (docs/data.md §1.5).
	Conflicts int64
}

// Add sums two counts.
func (c Counts) Add(o Counts) Counts {
	return Counts{c.Fetched + o.Fetched, c.Loaded + o.Loaded, c.ServerEvents + o.ServerEvents,
		c.Duplicates + o.Duplicates, c.Rejected + o.Rejected, c.Conflicts + o.Conflicts}
}

// Check says, naming every term, when the counts do not add up.
func (c Counts) Check() error {
	if c.Conflicts < 0 || c.Conflicts > c.Duplicates {
		return fmt.Errorf("conflicts %d are not among the duplicates %d", c.Conflicts, c.Duplicates)
	}
	if c.Fetched != c.Loaded+c.ServerEvents+c.Duplicates+c.Rejected {
		return fmt.Errorf("fetched %d != loaded %d + server events %d + duplicates %d + rejected %d",
			c.Fetched, c.Loaded, c.ServerEvents, c.Duplicates, c.Rejected)
	}
	return nil
}

// String is the invariant as the CLI prints it.
func (c Counts) String() string {
	return fmt.Sprintf("fetched %d = loaded %d + server events %d + duplicates %d + rejected %d",
		c.Fetched, c.Loaded, c.ServerEvents, c.Duplicates, c.Rejected)
}
