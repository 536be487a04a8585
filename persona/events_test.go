package persona

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestEventNameFixesTheTypoOnly(t *testing.T) {
	assert.Equal(t, "user.email_confirmed", EventName("user.email_confrimed"))
	assert.Equal(t, "user.email_confirmed", EventName("user.email_confirmed"))
	assert.Equal(t, "screen.rp_info", EventName("screen.rp_info"))
	assert.Equal(t, "", EventName(""))
}

func TestEventNameDropsQueryStringsAndEmailAddresses(t *testing.T) {
	for in, want := range map[string]string{
		"xhr./wsapi/user_creation_status?email=someone%40example.org": "xhr./wsapi/user_creation_status",
		"xhr./wsapi/address_info?email=a@b.org&x=1":                   "xhr./wsapi/address_info",
		"xhr./wsapi/session_context":                                  "xhr./wsapi/session_context",
		"xhr_complete.GET/wsapi/session_context":                      "xhr_complete.GET/wsapi/session_context",
		"xhr./wsapi/someone@example.org/stage":                        "xhr./wsapi/<email>/stage",
		"user.email_confrimed?x":                                      "user.email_confirmed",
	} {
		assert.Equal(t, want, EventName(in), in)
	}
}
