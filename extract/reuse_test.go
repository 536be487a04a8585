package extract

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// whole serves text in pieces of piece bytes; with halfFirst its first
// attempt writes half the text and starts again.
func whole(text string, piece int, halfFirst bool) *bodySource {
	src := &bodySource{body: func(Window) string { return text }, piece: piece}
	if halfFirst {
		src.flaky = 1
	}
	return src
}

// dayText is a day's body of a few hundred kilobytes, so that it spans
// many pieces and comparisons.
func dayText() string {
	var b strings.Builder
	for i := range 6000 {
		fmt.Fprintf(&b, `{"id":"%06d","event_stream":[["screen.rp_info",%d]]}`+"\n", i, i*37)
	}
	return b.String()
}

func landOnce(t *testing.T, l Landing, day time.Time, src fetcher) Unit {
	t.Helper()
	_, err := windowed{fetcher: src, hours: 24, log: slog.New(slog.DiscardHandler)}.Land(context.Background(), l, Request{Days: []time.Time{day}})
	require.NoError(t, err)
	m, err := l.Manifest(day)
	require.NoError(t, err)
	require.Len(t, m.Units, 1)
	return m.Units[0]
}

func sha(text string) string {
	h := sha256.Sum256([]byte(text))
	return hex.EncodeToString(h[:])
}

func unitFileInfo(t *testing.T, l Landing, day time.Time, u Unit) os.FileInfo {
	t.Helper()
	st, err := os.Stat(filepath.Join(l.DayDir(day), u.File))
	require.NoError(t, err)
	return st
}

// A window fetched again keeps the file landed before exactly when its
// text is the same; any other text is landed whole and exactly, whatever
// the pieces it arrives in and wherever it starts to differ.
func TestAWindowFetchedAgainKeepsItsFileOnlyWhenItsTextIsTheSame(t *testing.T) {
	day := time.Date(2013, 5, 1, 0, 0, 0, 0, time.UTC)
	old := dayText()
	bodies := map[string]string{
		"the same":                     old,
		"a byte changed in the middle": old[:len(old)/2] + "X" + old[len(old)/2+1:],
		"a byte changed at the start":  "X" + old[1:],
		"a byte changed at the end":    old[:len(old)-1] + "X",
		"cut short":                    old[:len(old)-100],
		"longer":                       old + `{"id":"late"}` + "\n",
		"empty":                        "",
	}
	for name, body := range bodies {
		for _, piece := range []int{1000, 100 << 10} {
			t.Run(fmt.Sprintf("%s, pieces of %d", name, piece), func(t *testing.T) {
				l := Landing{Dir: t.TempDir()}
				before := landOnce(t, l, day, whole(old, piece, false))
				oldFile := unitFileInfo(t, l, day, before)

				after := landOnce(t, l, day, whole(body, piece, true))
				assert.Equal(t, body, readUnit(t, l, day, after))
				assert.Equal(t, sha(body), after.SHA256)
				newFile := unitFileInfo(t, l, day, after)
				assert.Equal(t, newFile.Size(), after.Bytes)
				if body == old {
					assert.True(t, os.SameFile(oldFile, newFile), "the unit landed before is kept")
					assert.Equal(t, before, after)
				} else {
					assert.False(t, os.SameFile(oldFile, newFile))
				}
			})
		}
	}
}

// A previous unit whose file does not hold what its manifest says (damaged
// on disk, or its text replaced) is never kept: the body is landed anew.
func TestAPreviousUnitThatIsNotWhatItsManifestSaysIsNotKept(t *testing.T) {
	day := time.Date(2013, 5, 1, 0, 0, 0, 0, time.UTC)
	old := dayText()
	zstdOf := func(text string) []byte {
		enc, err := zstd.NewWriter(nil)
		require.NoError(t, err)
		defer enc.Close()
		return enc.EncodeAll([]byte(text), nil)
	}
	damages := map[string]func(text []byte) []byte{
		"cut in the middle":    func(b []byte) []byte { return b[:len(b)/2] },
		"bytes overwritten":    func(b []byte) []byte { c := append([]byte(nil), b...); copy(c[len(c)/2:], "garbage"); return c },
		"an empty file":        func([]byte) []byte { return nil },
		"the text of the body": func([]byte) []byte { return zstdOf(old) },
	}
	for name, damage := range damages {
		t.Run(name, func(t *testing.T) {
			l := Landing{Dir: t.TempDir()}
			landed := landOnce(t, l, day, whole(`["an older text"]`, 1<<20, false))
			path := filepath.Join(l.DayDir(day), landed.File)
			b, err := os.ReadFile(path)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(path, damage(b), 0o644))
			oldFile := unitFileInfo(t, l, day, landed)

			after := landOnce(t, l, day, whole(old, 4096, false))
			assert.Equal(t, old, readUnit(t, l, day, after))
			assert.Equal(t, sha(old), after.SHA256)
			assert.False(t, os.SameFile(oldFile, unitFileInfo(t, l, day, after)))
		})
	}
}

// hookSource writes the first half of its body, calls between, then
// writes the rest.
type hookSource struct {
	body    string
	between func()
}

func (s *hookSource) Name() string { return "test" }

func (s *hookSource) Fetch(_ context.Context, _, _ time.Time, open func() (io.Writer, error)) error {
	dst, err := open()
	if err != nil {
		return err
	}
	if _, err := io.WriteString(dst, s.body[:len(s.body)/2]); err != nil {
		return err
	}
	s.between()
	_, err = io.WriteString(dst, s.body[len(s.body)/2:])
	return err
}

// The text that agreed is read again from the previous unit once the body
// differs; a previous unit gone by then fails the day with an error that
// names it, and the next extract lands the body whole.
func TestAPreviousUnitGoneMidComparisonFailsTheDayNamingIt(t *testing.T) {
	day := time.Date(2013, 5, 1, 0, 0, 0, 0, time.UTC)
	old := dayText()
	l := Landing{Dir: t.TempDir()}
	landed := landOnce(t, l, day, whole(old, 1<<20, false))
	changed := old[:len(old)-1] + "X"
	src := &hookSource{body: changed, between: func() {
		require.NoError(t, os.Remove(filepath.Join(l.DayDir(day), landed.File)))
	}}
	_, err := windowed{fetcher: src, hours: 24, log: slog.New(slog.DiscardHandler)}.Land(context.Background(), l, Request{Days: []time.Time{day}})
	require.ErrorContains(t, err, "extract day 2013-05-01")
	require.ErrorContains(t, err, "read the previous "+landed.File+" again")

	after := landOnce(t, l, day, whole(changed, 4096, false))
	assert.Equal(t, changed, readUnit(t, l, day, after))
	assert.Equal(t, sha(changed), after.SHA256)
}
