package transform

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/persona-kpi/kpi/config"
	"github.com/persona-kpi/kpi/persona"
)

func TestSegmentsFollowTheOriginalDashboard(t *testing.T) {
	seg, err := newSegmenter(config.Default())
	require.NoError(t, err)
	tests := []struct {
		name string
		s    session
		idx  int
		want string
	}{
		{"OS alias", session{agent: agent{os: str("Windows NT 6.1")}}, segOS, "Windows 7"},
		{"OS alias iPad", session{agent: agent{os: str("iPad")}}, segOS, "iOS"},
		{"OS in the list as is", session{agent: agent{os: str("Linux")}}, segOS, "Linux"},
		{"OS not in the list", session{agent: agent{os: str("BeOS")}}, segOS, "Other"},
		{"OS alias needs the whole value", session{agent: agent{os: str("Windows NT 6.1; WOW64")}}, segOS, "Other"},
		{"OS missing", session{}, segOS, "Other"},
		{"browser in the list", session{agent: agent{browser: str("Chrome")}}, segBrowser, "Chrome"},
		{"browser not in the list", session{agent: agent{browser: str("Opera")}}, segBrowser, "Other"},
		{"browser missing", session{}, segBrowser, "Other"},
		{"browser is case-sensitive", session{agent: agent{browser: str("firefox")}}, segBrowser, "Other"},
		{"screen 1024 is desktop", session{width: i32(1024)}, segScreen, "Desktop (>= 1024)"},
		{"screen 1023 is tablet", session{width: i32(1023)}, segScreen, "Tablet Profile"},
		{"screen 641 is tablet", session{width: i32(641)}, segScreen, "Tablet Profile"},
		{"screen 640 is mobile", session{width: i32(640)}, segScreen, "Mobile (<= 640)"},
		{"screen 0 is mobile", session{width: i32(0)}, segScreen, "Mobile (<= 640)"},
		{"screen without width is Unknown, not in the list", session{height: i32(800)}, segScreen, "Other"},
		{"emails 0", session{numberEmails: i32(0)}, segEmails, "0"},
		{"emails 2", session{numberEmails: i32(2)}, segEmails, "2"},
		{"emails 3", session{numberEmails: i32(3)}, segEmails, "3+"},
		{"emails 40", session{numberEmails: i32(40)}, segEmails, "3+"},
		{"emails missing is Unknown, which is in the list", session{}, segEmails, "Unknown"},
		{"emails negative", session{numberEmails: i32(-1)}, segEmails, "Other"},
		{"locale alias", session{lang: str("en")}, segLocale, "English"},
		{"locale alias pt-BR", session{lang: str("pt-BR")}, segLocale, "Portuguese - Brazil"},
		{"locale en-US is not en", session{lang: str("en-US")}, segLocale, "Other"},
		{"locale already a list value", session{lang: str("German")}, segLocale, "German"},
		{"locale missing", session{}, segLocale, "Other"},
		{"locale hostile", session{lang: str("<script>")}, segLocale, "Other"},
		{"api alias", session{rpAPI: str("watch_without_onready")}, segAPI, "watch"},
		{"api alias with onready", session{rpAPI: str("watch_with_onready")}, segAPI, "watch with onready"},
		{"api in the list", session{rpAPI: str("getVerifiedEmail")}, segAPI, "getVerifiedEmail"},
		{"api missing is Unknown, not in the list", session{}, segAPI, "Other"},
		{"email type primary", session{emailType: str("primary")}, segEmailType, "IdP"},
		{"email type secondary", session{emailType: str("secondary")}, segEmailType, "Fallback"},
		{"email type unknown value", session{emailType: str("tertiary")}, segEmailType, "Other"},
		{"email type missing", session{}, segEmailType, "Other"},
		{"new-user or reset flow is Fallback whatever email_type says", session{emailType: str("primary"), fallback: true}, segEmailType, "Fallback"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, seg.segments(&tt.s)[tt.idx])
		})
	}
}

func TestSegmentsUseTheConfiguration(t *testing.T) {
	cfg := config.Default()
	cfg.Aliases = map[string]string{"Unknown": "Not known", "Fallback": "Secondary", "en-US": "English"}
	cfg.Segmentations[persona.Screen] = []string{"Not known", "Desktop (>= 1024)"}
	cfg.Segmentations[persona.EmailType] = []string{"IdP"}
	cfg.Segmentations[persona.Locale] = []string{"English"}
	seg, err := newSegmenter(cfg)
	require.NoError(t, err)

	got := seg.segments(&session{lang: str("en-US"), width: i32(700), fallback: true})
	assert.Equal(t, "Not known", seg.segments(&session{})[segScreen], "an alias applies to the computed Unknown")
	assert.Equal(t, "Other", got[segScreen], "Tablet Profile is no longer listed")
	assert.Equal(t, "English", got[segLocale])
	assert.Equal(t, "Other", got[segEmailType], "Fallback goes through aliases and the list too")
	assert.Equal(t, "Other", seg.segments(&session{lang: str("en")})[segLocale], "default aliases replaced")
}

func TestEmailTypeFromTheFlows(t *testing.T) {
	tests := []struct {
		name   string
		events string
		want   string
	}{
		{"returning user", `["screen.rp_info", 0], ["screen.pick_email", 1], ["assertion_generated", 2]`, "IdP"},
		{"new user enters an email", `["screen.rp_info", 0], ["screen.set_password", 1]`, "Fallback"},
		{"set_password after enter_password is a returning user", `["authenticate.enter_password", 0], ["screen.set_password", 1]`, "IdP"},
		{"staging continuation to an assertion", `["staging_continuation", 0], ["assertion_generated", 1]`, "Fallback"},
		{"staging continuation without an assertion has no steps", `["staging_continuation", 0], ["screen.set_password", 1]`, "IdP"},
		{"password reset", `["user.reset_password_staged", 0]`, "Fallback"},
		{"password reset of a returning user", `["authenticate.enter_password", 0], ["user.reset_password_staged", 1]`, "Fallback"},
		{"email addition alone is not Fallback", `["user.email_staged", 0], ["user.email_confrimed", 1]`, "IdP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, rej := normalizeText(t, fmt.Sprintf(`{"timestamp": %d, "email_type": "primary", "event_stream": [%s]}`, tsMs, tt.events))
			require.Nil(t, rej)
			assert.Equal(t, tt.want, s.seg[segEmailType])
		})
	}
}

func TestSegmentOrderMatchesTheColumns(t *testing.T) {
	names := []string{}
	for i := range numSegs {
		names = append(names, sessionsSchema.Field(19+i).Name)
	}
	assert.Equal(t, []string{"seg_os", "seg_browser", "seg_screen", "seg_emails", "seg_locale", "seg_api", "seg_email_type"}, names)
	assert.Equal(t, []string{persona.OS, persona.Browser, persona.Screen, persona.Emails, persona.Locale, persona.API, persona.EmailType}, persona.SegmentationNames)
	for i, name := range map[int]string{segOS: persona.OS, segBrowser: persona.Browser, segScreen: persona.Screen,
		segEmails: persona.Emails, segLocale: persona.Locale, segAPI: persona.API, segEmailType: persona.EmailType} {
		assert.Equal(t, name, persona.Segmentations[i].Name)
		assert.Equal(t, persona.Segmentations[i].Column, sessionsSchema.Field(19+i).Name)
	}
}
