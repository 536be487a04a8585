package persona

// Segmentation names, as the configuration keys its segment lists and
// kpi_results.segmentation stores them.
const (
	OS        = "OS"
	Browser   = "Browser"
	Screen    = "Screen"
	Emails    = "Emails"
	Locale    = "Locale"
	API       = "API"
	EmailType = "EmailType"
)

// Other is the segment of a value that is missing or not in its
// segmentation's list.
const Other = "Other"

// Segmentation is one way of splitting sessions (docs/data.md §2.2): each
// session's segment is derived from one raw value of its blob.
type Segmentation struct {
	// Name is the segmentation's name, one of the constants above.
	Name string
	// RawField is the blob field the raw value comes from.
	RawField string
	// RawColumn is the sessions column that keeps the raw value.
	RawColumn string
	// Column is the sessions column that holds the segment.
	Column string
}

// Segmentations are the segmentations in display order, which is also
// the order of their columns in sessions.
var Segmentations = [...]Segmentation{
	{OS, "user_agent.os", "os", "seg_os"},
	{Browser, "user_agent.browser", "browser", "seg_browser"},
	{Screen, "screen_size.width", "screen_width", "seg_screen"},
	{Emails, "number_emails", "number_emails", "seg_emails"},
	{Locale, "lang", "lang", "seg_locale"},
	{API, "rp_api", "rp_api", "seg_api"},
	{EmailType, "email_type", "email_type", "seg_email_type"},
}

// SegmentationNames are the names of Segmentations, in display order.
var SegmentationNames = func() []string {
	names := make([]string, len(Segmentations))
	for i, s := range Segmentations {
		names[i] = s.Name
	}
	return names
}()
