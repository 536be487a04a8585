package blob

import (
	"fmt"
	"time"
)

var testDay = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)

// tsMs is 2026-11-20 12:30 UTC in milliseconds.
const tsMs = 1795177800000

// minimal is a blob with only the required fields; extra is appended.
func minimal(extra string) string {
	return fmt.Sprintf(`{"timestamp": %d, "event_stream": [["screen.rp_info", 0], ["window.unload", 100]]%s}`, tsMs, extra)
}

// rowText is a KPIggybank row with a full blob, the one transform's tests
// use; extra is appended to the blob (a repeated key overrides the earlier
// one).
func rowText(id, extra string) string {
	return fmt.Sprintf(`{"id": %q, "key": %d, "value": {"timestamp": %d, "sample_rate": 1, "lang": "en", "screen_size": {"width": 1280, "height": 800}, "user_agent": {"os": "Windows NT 6.1", "browser": "Firefox", "version": "17.0"}, "number_emails": 2, "number_sites_signed_in": 4, "number_sites_remembered": 3, "new_account": false, "email_type": "primary", "rp_api": "watch_with_onready", "orphaned": false, "local_timestamp": "secret", "event_stream": [["screen.rp_info", 10], ["screen.pick_email", 200], ["user.email_confrimed", 900], ["assertion_generated", 1000], ["window.unload", 1500]]%s}}`, id, tsMs, tsMs, extra)
}
