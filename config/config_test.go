package config

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/persona-kpi/kpi/persona"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kpi.json")
	require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
	return path
}

func TestDefaultsAreValidAndFollowKPISmd(t *testing.T) {
	cfg, err := Load("")
	require.NoError(t, err)
	assert.Equal(t, "generate", cfg.Source)
	assert.Equal(t, 2, cfg.LookbackDays)
	assert.Equal(t, []string{"0", "1", "2", "3+", "Unknown"}, cfg.Segmentations[persona.Emails])
	assert.Equal(t, "Windows 7", cfg.Aliases["Windows NT 6.1"])
	assert.Equal(t, "Fallback", cfg.Aliases["secondary"])
	assert.Len(t, cfg.Flows["new_user"], 4)
	assert.Equal(t, []string{"screen.set_password", "screen.pick_email", "screen.provision_primary_user",
		"screen.verify_primary_user", "authenticate.enter_password"}, cfg.Flows["general_progress"][2].Events)
	for _, name := range persona.SegmentationNames {
		assert.NotEmpty(t, cfg.Segmentations[name], name)
	}
}

func TestAFileOverridesKeyByKey(t *testing.T) {
	path := writeConfig(t, `{
		"source": "https://kpiggybank.example.org/wsapi/interaction_data",
		"lookback_days": 0,
		"http": {"timeout": "30s", "retries": 0},
		"aliases": {"en-US": "English"},
		"segmentations": {"OS": ["Linux", "Other OS"]},
		"flows": {"password_reset": [["1 - Begin", "screen.reset_password"], ["2 - Done", ["a", "b"]]]},
		"milestones": [{"milestone": "Beta", "date": "2013-06-01"},
			{"milestone": "kpiggybank down", "from": "2013-06-03", "to": "2013-06-05", "kpis": ["new_user_flow"]},
			{"milestone": "&alpha; release", "date": "2013-06-10"}]
	}`)
	cfg, err := Load(path)
	require.NoError(t, err)
	assert.Equal(t, "https://kpiggybank.example.org/wsapi/interaction_data", cfg.Source)
	assert.Equal(t, 0, cfg.LookbackDays, "an explicit zero is kept")
	assert.Equal(t, Duration(30*time.Second), cfg.HTTP.Timeout)
	assert.Equal(t, 0, cfg.HTTP.Retries, "an explicit zero is kept")
	assert.Equal(t, 24, cfg.HTTP.WindowHours, "keys the file does not name keep their defaults")
	assert.Equal(t, "English", cfg.Aliases["en-US"])
	assert.Equal(t, "Windows 7", cfg.Aliases["Windows NT 6.1"], "adding an alias keeps the others")
	assert.Equal(t, []string{"Linux", "Other OS"}, cfg.Segmentations[persona.OS])
	assert.Equal(t, Default().Segmentations[persona.Browser], cfg.Segmentations[persona.Browser])
	assert.Equal(t, []Step{{"1 - Begin", []string{"screen.reset_password"}}, {"2 - Done", []string{"a", "b"}}}, cfg.Flows["password_reset"])
	assert.Len(t, cfg.Flows["new_user"], 4)
	assert.Equal(t, []Milestone{
		{Milestone: "Beta", Date: "2013-06-01"},
		{Milestone: "kpiggybank down", From: "2013-06-03", To: "2013-06-05", KPIs: []string{"new_user_flow"}},
		{Milestone: "&alpha; release", Date: "2013-06-10"},
	}, cfg.Milestones, "labels are kept as written; reports decode entities")
	first, last, err := cfg.Milestones[1].Days()
	require.NoError(t, err)
	assert.Equal(t, "2013-06-03 2013-06-05", first.Format(time.DateOnly)+" "+last.Format(time.DateOnly))
	first, last, err = cfg.Milestones[0].Days()
	require.NoError(t, err)
	assert.Equal(t, first, last, "a date is a range of one day")
}

func TestBadFilesAreRefusedWithTheReason(t *testing.T) {
	cases := []struct {
		name, text, want string
	}{
		{"unknown key", `{"sorce": "generate"}`, `unknown field "sorce"`},
		{"not json", `{"source": `, "unexpected EOF"},
		{"bad duration", `{"http": {"timeout": "soon"}}`, `duration "soon"`},
		{"bad window", `{"http": {"window_hours": 5}}`, "http.window_hours must divide 24, got 5"},
		{"negative look-back", `{"lookback_days": -1}`, "lookback_days must be 0 or more"},
		{"empty segment list", `{"segmentations": {"Locale": []}}`, "segmentations.Locale is missing or empty"},
		{"bad step", `{"flows": {"new_user": [["only a name"]]}}`, "flow step must be"},
		{"bad milestone", `{"milestones": [{"milestone": "x", "date": "June"}]}`, `milestone "x": date must be YYYY-MM-DD`},
		{"milestone range backwards", `{"milestones": [{"milestone": "x", "from": "2013-06-05", "to": "2013-06-03"}]}`, `milestone "x": from 2013-06-05 is after to 2013-06-03`},
		{"milestone range bad day", `{"milestones": [{"milestone": "x", "from": "2013-06-05", "to": "2013-6-7"}]}`, `milestone "x": to must be YYYY-MM-DD, got "2013-6-7"`},
		{"milestone half a range", `{"milestones": [{"milestone": "x", "from": "2013-06-05"}]}`, `milestone "x": give either "date", or "from" and "to"`},
		{"milestone date and range", `{"milestones": [{"milestone": "x", "date": "2013-06-01", "from": "2013-06-05", "to": "2013-06-07"}]}`, `give either "date", or "from" and "to"`},
		{"milestone without a label", `{"milestones": [{"milestone": " ", "date": "2013-06-01"}]}`, `milestone of 2013-06-01 has no label`},
		{"milestone typo", `{"milestones": [{"milestone": "x", "form": "2013-06-01"}]}`, `unknown field "form"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := writeConfig(t, c.text)
			_, err := Load(path)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
			assert.Contains(t, err.Error(), path, "the error names the file")
		})
	}
	_, err := Load(filepath.Join(t.TempDir(), "missing.json"))
	assert.ErrorContains(t, err, "missing.json")
}

func TestStepsAndDurationsRoundTrip(t *testing.T) {
	b, err := json.Marshal(Default().Flows["general_progress"][:3])
	require.NoError(t, err)
	assert.JSONEq(t, `[["0 - Blob sent", []], ["1 - Dialog shown", "screen.rp_info"],
		["2 - User engaged", ["screen.set_password", "screen.pick_email", "screen.provision_primary_user", "screen.verify_primary_user", "authenticate.enter_password"]]]`, string(b))
	var back []Step
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Empty(t, back[0].Events, "a step without events reads back without events")
	assert.Equal(t, Default().Flows["general_progress"][1:3], back[1:])
	var null Step
	require.NoError(t, json.Unmarshal([]byte(`["0 - Blob sent", null]`), &null))
	assert.Empty(t, null.Events)

	var d Duration
	require.NoError(t, json.Unmarshal([]byte(`90`), &d))
	assert.Equal(t, Duration(90*time.Second), d, "a number is seconds")
}

func TestLoadRefusesWhatIsNotOneConfiguration(t *testing.T) {
	dir := t.TempDir()
	for name, c := range map[string]struct{ text, want string }{
		"empty":         {"", "the file is empty"},
		"blank":         {" \n\t\n", "the file is empty"},
		"trailing":      {`{"lookback_days": 3} {"lookback_days": 4}`, "something follows the JSON object"},
		"garbage":       {`{"lookback_days": 3} garbage`, "something follows the JSON object"},
		"segmentation":  {`{"segmentations": {"Countries": ["France"]}}`, "segmentations.Countries: no such segmentation"},
		"not an object": {`[1, 2]`, "cannot unmarshal"},
	} {
		path := filepath.Join(dir, name+".json")
		require.NoError(t, os.WriteFile(path, []byte(c.text), 0o644))
		_, err := Load(path)
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), c.want, name)
		assert.Contains(t, err.Error(), path, name)
	}
}
