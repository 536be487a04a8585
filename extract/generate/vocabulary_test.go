package generate

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/persona-kpi/kpi/persona"
)

// TestGeneratorSendsOnlyTheDialogsVocabulary: every event name the
// generator sends in every era, stored as transform stores it
// (persona.EventName), is in the vocabulary the data health page knows,
// except the made-up names of tampered clients, which it must keep
// listing as unrecognised.
func TestGeneratorSendsOnlyTheDialogsVocabulary(t *testing.T) {
	hostile := map[string]bool{}
	for _, v := range hostileValues {
		hostile[persona.EventName(v)] = true
	}
	for _, c := range genEras {
		t.Run(c.name, func(t *testing.T) {
			_, streams := genBlobs(genParse(t, genCollect(t, Generator{Seed: 5, PerDay: 2000}, genDayWindow(c.day))))
			require.NotEmpty(t, streams)
			seen := map[string]bool{}
			for _, ev := range streams {
				for _, e := range ev {
					seen[persona.EventName(e.name)] = true
				}
			}
			var unknown []string
			for name := range seen {
				if !persona.KnownEvent(name) && !hostile[name] {
					unknown = append(unknown, name)
				}
			}
			slices.Sort(unknown)
			assert.Empty(t, unknown, "names outside persona's vocabulary")
			for name := range hostile {
				assert.False(t, persona.KnownEvent(name), name)
			}
		})
	}
}

// TestGeneratorCensusTypesAreTheServers: the generator's census types are
// persona's list, the one the data health page shows, in its order.
func TestGeneratorCensusTypesAreTheServers(t *testing.T) {
	assert.Equal(t, persona.ServerEventTypes, censusNames[cSignin:])
}
