package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/persona-kpi/kpi/persona"
)

// Config is the whole configuration, validated once by Load or Default.
type Config struct {
	// Source is "generate", a KPIggybank URL, or a file or directory path.
	Source string `json:"source"`
	// Username and Password authenticate to a KPIggybank URL (basic auth);
	// credentials in the URL itself work too. Never logged.
	Username string `json:"username"`
	Password string `json:"password"`

	DB   string `json:"db"`
	Data string `json:"data"`
	Out  string `json:"out"`

	// LookbackDays is how many already loaded days an incremental run
	// fetches again, to catch data that arrived late.
	LookbackDays int `json:"lookback_days"`

	// RawRetentionDays bounds how long the raw landing copies (exactly as
	// received, personal data included: 2012-era event names carry
	// e-mail addresses) are kept: after each run, landed days older than
	// this many days before today are removed. 0 keeps them for ever, so
	// that any day can be rebuilt without the backend.
	RawRetentionDays int `json:"raw_retention_days"`

	HTTP     HTTP     `json:"http"`
	Generate Generate `json:"generate"`

	Segmentations map[string][]string `json:"segmentations"`
	Aliases       map[string]string   `json:"aliases"`
	Flows         map[string][]Step   `json:"flows"`
	Milestones    []Milestone         `json:"milestones"`
}

// HTTP tunes extraction from a KPIggybank server.
type HTTP struct {
	// WindowHours is the length of one fetch window; it must divide 24.
	WindowHours int `json:"window_hours"`
	// Timeout bounds one request, body included.
	Timeout Duration `json:"timeout"`
	// Retries is how many times a failed window is tried again.
	Retries int `json:"retries"`
	// BackoffBase is the first retry's delay; each retry doubles it, with jitter.
	BackoffBase Duration `json:"backoff_base"`
	// BackoffMax caps one retry delay, Retry-After included.
	BackoffMax Duration `json:"backoff_max"`
}

// Generate tunes the built-in generator.
type Generate struct {
	Seed   int64 `json:"seed"`
	PerDay int   `json:"per_day"`
}

// Step is one funnel step: its name and the events that mark it. In the
// file it is written as the original dashboard wrote it: ["name", "event"]
// or ["name", ["event", "event"]].
type Step struct {
	Name   string
	Events []string
}

// Milestone is a labelled day drawn on the charts, as the original
// dashboard wrote it ({"milestone", "date"}), or a range of days such as an
// outage ({"milestone", "from", "to"}). KPIs names the KPI ids it concerns;
// none means every KPI. The original's labels hold HTML entities ("&alpha;
// release"): they are kept as written here and decoded for display.
type Milestone struct {
	Milestone string   `json:"milestone"`
	Date      string   `json:"date,omitempty"`
	From      string   `json:"from,omitempty"`
	To        string   `json:"to,omitempty"`
	KPIs      []string `json:"kpis,omitempty"`
}

// Days is the milestone's first and last day (the same day for a date).
func (m Milestone) Days() (first, last time.Time, err error) {
	day := func(key, v string) (time.Time, error) {
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			return t, fmt.Errorf("%s must be YYYY-MM-DD, got %q", key, v)
		}
		return t, nil
	}
	switch {
	case m.Date != "" && m.From == "" && m.To == "":
		first, err = day("date", m.Date)
		return first, first, err
	case m.Date == "" && m.From != "" && m.To != "":
		if first, err = day("from", m.From); err != nil {
			return first, first, err
		}
		if last, err = day("to", m.To); err != nil {
			return first, last, err
		}
		if last.Before(first) {
			err = fmt.Errorf("from %s is after to %s", m.From, m.To)
		}
		return first, last, err
	}
	return first, last, errors.New(`give either "date", or "from" and "to"`)
}

// Duration is a time.Duration written as "30s" in JSON.
type Duration time.Duration

// UnmarshalJSON reads "90s", "2m" or a number of seconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		v, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("duration %q: %w", s, err)
		}
		*d = Duration(v)
		return nil
	}
	var secs float64
	if err := json.Unmarshal(b, &secs); err != nil {
		return fmt.Errorf("duration must be a string like \"30s\" or a number of seconds, got %s", b)
	}
	*d = Duration(secs * float64(time.Second))
	return nil
}

// MarshalJSON writes the duration as "30s".
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads ["name", "event"] or ["name", ["event", ...]].
func (s *Step) UnmarshalJSON(b []byte) error {
	var pair []json.RawMessage
	if err := json.Unmarshal(b, &pair); err != nil || len(pair) != 2 {
		return fmt.Errorf("flow step must be [\"name\", \"event\"] or [\"name\", [\"event\", ...]], got %s", b)
	}
	if err := json.Unmarshal(pair[0], &s.Name); err != nil {
		return fmt.Errorf("flow step name must be a string, got %s", pair[0])
	}
	if string(bytes.TrimSpace(pair[1])) == "null" {
		s.Events = nil // a step every blob reaches, like "0 - Blob sent"
		return nil
	}
	var one string
	if err := json.Unmarshal(pair[1], &one); err == nil {
		s.Events = []string{one}
		return nil
	}
	if err := json.Unmarshal(pair[1], &s.Events); err != nil {
		return fmt.Errorf("flow step %q: events must be a string or a list of strings, got %s", s.Name, pair[1])
	}
	return nil
}

// MarshalJSON writes the step as the original dashboard did.
func (s Step) MarshalJSON() ([]byte, error) {
	if len(s.Events) == 1 {
		return json.Marshal([]any{s.Name, s.Events[0]})
	}
	events := s.Events
	if events == nil {
		events = []string{}
	}
	return json.Marshal([]any{s.Name, events})
}

// Default returns the configuration of docs/data.md.
func Default() Config {
	return Config{
		Source: "generate",
		DB:     "kpi.duckdb",
		Data:   "data",
		Out:    "site",

		LookbackDays: 2,
		HTTP: HTTP{
			WindowHours: 24,
			Timeout:     Duration(5 * time.Minute),
			Retries:     5,
			BackoffBase: Duration(500 * time.Millisecond),
			BackoffMax:  Duration(60 * time.Second),
		},
		Generate: Generate{Seed: 1, PerDay: 2000},
		Segmentations: map[string][]string{
			persona.OS:        {"Windows 8", "Windows 7", "Windows Vista", "Windows XP", "Macintosh", "Linux", "Android", "iOS", "FirefoxOS"},
			persona.Browser:   {"Firefox", "Chrome", "MSIE", "Safari"},
			persona.Screen:    {"Desktop (>= 1024)", "Tablet Profile", "Mobile (<= 640)"},
			persona.Emails:    {"0", "1", "2", "3+", "Unknown"},
			persona.Locale:    {"English", "Spanish", "Portuguese - Brazil", "Polish", "Dutch", "Italian", "French", "German", "Russian", "Turkish"},
			persona.API:       {"get", "getVerifiedEmail", "watch", "watch with onready", "internal"},
			persona.EmailType: {"IdP", "Fallback"},
		},
		Aliases: map[string]string{
			"Windows NT 6.2": "Windows 8", "Windows NT 6.1": "Windows 7",
			"Windows NT 6.0": "Windows Vista", "Windows NT 5.1": "Windows XP",
			"iPod": "iOS", "iPhone": "iOS", "iPad": "iOS",
			"watch_without_onready": "watch", "watch_with_onready": "watch with onready",
			"en": "English", "es": "Spanish", "pt-BR": "Portuguese - Brazil", "de": "German",
			"fr": "French", "it": "Italian", "pl": "Polish", "tr": "Turkish", "ru": "Russian", "nl": "Dutch",
			"primary": "IdP", "secondary": "Fallback",
		},
		Flows: map[string][]Step{
			"new_user": {
				{"1 - Enter email", []string{persona.ScreenSetPassword}},
				{"2 - Choose password", []string{persona.UserUserStaged}},
				{"3 - Email verified", []string{persona.UserUserConfirmed}},
				{"4 - Logged in (assertion generated)", []string{persona.AssertionGenerated}},
			},
			"password_reset": {
				{"1 - Begin password reset", []string{persona.UserResetPasswordStaged}},
				{"2 - New password confirmed", []string{persona.UserResetPasswordConfirmed}},
				{"3 - Logged in (assertion generated)", []string{persona.AssertionGenerated}},
			},
			"email_addition": {
				{"1 - Add email", []string{persona.UserEmailStaged}},
				{"2 - Email confirmed", []string{persona.UserEmailConfirmed}},
				{"3 - Logged in (assertion generated)", []string{persona.AssertionGenerated}},
			},
			"general_progress": {
				{"0 - Blob sent", nil},
				{"1 - Dialog shown", []string{persona.ScreenRPInfo}},
				{"2 - User engaged", []string{persona.ScreenSetPassword, persona.ScreenPickEmail, persona.ScreenProvisionPrimaryUser,
					persona.ScreenVerifyPrimaryUser, persona.AuthenticateEnterPassword}},
				{"3 - Error screen", []string{"screen.error"}},
				{"4 - Logged in (assertion generated)", []string{persona.AssertionGenerated}},
			},
		},
		Milestones: []Milestone{},
	}
}

// Load reads a JSON configuration file over the defaults. An empty path
// gives the defaults. Unknown keys are an error, so a typo does not pass
// silently.
func Load(path string) (Config, error) {
	cfg := Default()
	if path == "" {
		return cfg, cfg.Validate()
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return cfg, fmt.Errorf("config %s: %w", path, err)
	}
	// Decoding over the defaults keeps every key the file does not name;
	// encoding/json adds to existing maps, so a user can add one alias
	// without restating the others.
	if len(bytes.TrimSpace(b)) == 0 {
		return cfg, fmt.Errorf("config %s: the file is empty; write a JSON object, e.g. {\"lookback_days\": 2}", path)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cfg); err != nil {
		return cfg, fmt.Errorf("config %s: %w", path, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return cfg, fmt.Errorf("config %s: something follows the JSON object at byte %d; the file must hold one object", path, dec.InputOffset())
	}
	if err := cfg.Validate(); err != nil {
		return cfg, fmt.Errorf("config %s: %w", path, err)
	}
	return cfg, nil
}

// Validate checks the values that later stages rely on.
func (c Config) Validate() error {
	var errs []error
	if c.Source == "" {
		errs = append(errs, errors.New("source is empty"))
	}
	if c.HTTP.WindowHours <= 0 || 24%c.HTTP.WindowHours != 0 {
		errs = append(errs, fmt.Errorf("http.window_hours must divide 24, got %d", c.HTTP.WindowHours))
	}
	if c.LookbackDays < 0 {
		errs = append(errs, fmt.Errorf("lookback_days must be 0 or more, got %d", c.LookbackDays))
	}
	if c.RawRetentionDays < 0 {
		errs = append(errs, fmt.Errorf("raw_retention_days must be 0 (keep) or more, got %d", c.RawRetentionDays))
	}
	if c.HTTP.Timeout <= 0 {
		errs = append(errs, errors.New("http.timeout must be positive"))
	}
	if c.HTTP.Retries < 0 {
		errs = append(errs, fmt.Errorf("http.retries must be 0 or more, got %d", c.HTTP.Retries))
	}
	if c.Generate.PerDay <= 0 {
		errs = append(errs, fmt.Errorf("generate.per_day must be positive, got %d", c.Generate.PerDay))
	}
	for name := range c.Segmentations {
		if !slices.Contains(persona.SegmentationNames, name) {
			errs = append(errs, fmt.Errorf("segmentations.%s: no such segmentation (there are %s)", name, strings.Join(persona.SegmentationNames, ", ")))
		}
	}
	for _, name := range persona.SegmentationNames {
		if len(c.Segmentations[name]) == 0 {
			errs = append(errs, fmt.Errorf("segmentations.%s is missing or empty", name))
		}
	}
	for _, m := range c.Milestones {
		if _, _, err := m.Days(); err != nil {
			errs = append(errs, fmt.Errorf("milestone %q: %w", m.Milestone, err))
		}
		if strings.TrimSpace(m.Milestone) == "" {
			errs = append(errs, fmt.Errorf("milestone of %s has no label", m.Date+m.From))
		}
	}
	return errors.Join(errs...)
}
