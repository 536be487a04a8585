package redact

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestURLsRemovesUserinfoFromAnythingURLLike(t *testing.T) {
	for in, want := range map[string]string{
		"https://u:pw@host/wsapi/interaction_data":         "https://***@host/wsapi/interaction_data",
		"HTTPS://u:pw@host/x":                              "HTTPS://***@host/x",
		"ftp://bob:secret@example.org/x":                   "ftp://***@example.org/x",
		" http://u:pw@127.0.0.1:3435/wsapi":                " http://***@127.0.0.1:3435/wsapi",
		"http:/u:pw@host/x":                                "http:/***@host/x",
		"http//u:pw@host/x":                                "http//***@host/x",
		"file:http//u:pw@host/x":                           "file:http//***@host/x",
		"u:pw@host/path":                                   "***@host/path",
		`source "http://u:p%40ss@h/": no such host`:        `source "http://***@h/": no such host`,
		"open http:/reader:hunter2@h/x: no such file":      "open http:/***@h/x: no such file",
		"https://token@host/x":                             "https://***@host/x",
		"https://host/x?user=a@b":                          "https://host/x?user=a@b",
		"plain text with no URL":                           "plain text with no URL",
		"https://host:8080/wsapi/interaction_data?start=1": "https://host:8080/wsapi/interaction_data?start=1",
	} {
		assert.Equal(t, want, URLs(in), in)
	}
}

func TestEmailsAreMasked(t *testing.T) {
	for in, want := range map[string]string{
		"xhr./wsapi/user_creation_status?email=someone%40example.org":    "xhr./wsapi/user_creation_status?email=<email>",
		`{"n":"xhr./wsapi/address_info?email=a.b+c@mail.example.co.uk"}`: `{"n":"xhr./wsapi/address_info?email=<email>"}`,
		"two: x@y.io and Z%40W.NET":                                      "two: <email> and <email>",
		"screen.rp_info":                                                 "screen.rp_info",
		"@ alone and user@localhost":                                     "@ alone and user@localhost",
	} {
		assert.Equal(t, want, Emails(in), in)
	}
}
