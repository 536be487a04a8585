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
