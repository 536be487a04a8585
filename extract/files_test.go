package extract

import (
	"bufio"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func ms(day string, minutes int) int64 {
	d, _ := time.Parse(time.DateOnly, day)
	return d.Add(time.Duration(minutes) * time.Minute).UnixMilli()
}

func row(id string, ts int64) string {
	return fmt.Sprintf(`{"id":"%s","key":%d,"value":{"timestamp":%d,"event_stream":[["screen.rp_info",0]]}}`, id, ts, ts)
}

func writeFile(t *testing.T, path, content string, gz bool) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	f, err := os.Create(path)
	require.NoError(t, err)
	defer f.Close()
	if !gz {
		_, err = f.WriteString(content)
		require.NoError(t, err)
		return
	}
	zw := gzip.NewWriter(f)
	_, err = zw.Write([]byte(content))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
}

// landedLines returns each landed day's lines.
func landedLines(t *testing.T, l Landing) map[string][]string {
	t.Helper()
	days, err := l.Days()
	require.NoError(t, err)
	out := map[string][]string{}
	for _, d := range days {
		m, err := l.Manifest(d)
		require.NoError(t, err)
		for _, u := range m.Units {
			assert.Equal(t, KindLines, u.Kind)
			sc := bufio.NewScanner(strings.NewReader(readUnit(t, l, d, u)))
			for sc.Scan() {
				out[m.Day] = append(out[m.Day], sc.Text())
			}
		}
	}
	return out
}

func TestExtractFilesRoutesElementsByDay(t *testing.T) {
	dir := t.TempDir()
	a1, a2, b1 := row("a1", ms("2013-05-01", 10)), row("a2", ms("2013-05-02", 20)), row("b1", ms("2013-05-01", 30))
	// Seconds instead of ms still land on their day.
	secs := fmt.Sprintf(`{"timestamp":%d,"event_stream":[]}`, ms("2013-05-02", 0)/1000)
	writeFile(t, filepath.Join(dir, "in", "array.json"), "["+a1+",\n"+a2+"]", false)
	writeFile(t, filepath.Join(dir, "in", "rows.ndjson.gz"), b1+"\n"+secs+"\n", true)
	writeFile(t, filepath.Join(dir, "in", ".hidden"), "not data", false)

	l := Landing{Dir: filepath.Join(dir, "data")}
	res, err := Files{Paths: []string{filepath.Join(dir, "in")}}.Land(context.Background(), l, Request{})
	require.NoError(t, err)
	assert.Equal(t, int64(4), res.Elements)
	assert.Zero(t, res.Skipped)
	assert.Len(t, res.Days, 2)
	assert.Equal(t, map[string][]string{
		"2013-05-01": {a1, b1},
		"2013-05-02": {a2, secs},
	}, landedLines(t, l))
	m, err := l.Manifest(res.Days[0])
	require.NoError(t, err)
	assert.Equal(t, "file:"+filepath.Join(dir, "in"), m.Source)
	assert.Equal(t, int64(2), m.Units[0].Elements)
}

func TestExtractFilesKeepsUnreadableElementsOnTheFilesFirstDay(t *testing.T) {
	dir := t.TempDir()
	late, early := row("late", ms("2013-05-03", 0)), row("early", ms("2013-05-02", 0))
	noTS := `{"id":"x","value":{"event_stream":[["a",1]]}}`
	broken := `{"id": "cut`
	writeFile(t, filepath.Join(dir, "f.ndjson"), late+"\n"+noTS+"\n"+broken+"\n"+early+"\n", false)

	l := Landing{Dir: filepath.Join(dir, "data")}
	res, err := Files{Paths: []string{filepath.Join(dir, "f.ndjson")}}.Land(context.Background(), l, Request{})
	require.NoError(t, err)
	assert.Equal(t, int64(4), res.Elements)
	assert.Equal(t, map[string][]string{
		"2013-05-02": {early, noTS, broken},
		"2013-05-03": {late},
	}, landedLines(t, l))
}

func TestExtractFilesSkipsDaysOutsideTheRange(t *testing.T) {
	dir := t.TempDir()
	var rows []string
	for d := 1; d <= 5; d++ {
		rows = append(rows, row(fmt.Sprint(d), ms(fmt.Sprintf("2013-05-%02d", d), 0)))
	}
	writeFile(t, filepath.Join(dir, "f.json"), "[\n  "+strings.Join(rows, ",\n  ")+"\n]\n", false)
	l := Landing{Dir: filepath.Join(dir, "data")}
	from, _ := time.Parse(time.DateOnly, "2013-05-02")
	to, _ := time.Parse(time.DateOnly, "2013-05-03")
	res, err := Files{Paths: []string{filepath.Join(dir, "f.json")}}.Land(context.Background(), l, Request{From: from, To: to})
	require.NoError(t, err)
	assert.Equal(t, int64(2), res.Elements)
	assert.Equal(t, int64(3), res.Skipped)
	assert.Equal(t, map[string][]string{"2013-05-02": {rows[1]}, "2013-05-03": {rows[2]}}, landedLines(t, l))
}

func TestExtractFilesCompactsPrettyPrintedBlobsToOneLine(t *testing.T) {
	dir := t.TempDir()
	pretty := fmt.Sprintf("{\n  \"timestamp\": %d,\n  \"event_stream\": [[\"screen.rp_info\", 0]]\n}\n", ms("2013-05-01", 0))
	writeFile(t, filepath.Join(dir, "blob.json"), pretty+pretty, false)
	l := Landing{Dir: filepath.Join(dir, "data")}
	_, err := Files{Paths: []string{filepath.Join(dir, "blob.json")}}.Land(context.Background(), l, Request{})
	require.NoError(t, err)
	want := fmt.Sprintf(`{"timestamp":%d,"event_stream":[["screen.rp_info",0]]}`, ms("2013-05-01", 0))
	assert.Equal(t, map[string][]string{"2013-05-01": {want, want}}, landedLines(t, l))
}

func TestExtractFilesNamesAMissingPath(t *testing.T) {
	l := Landing{Dir: t.TempDir()}
	_, err := Files{Paths: []string{"/nonexistent/blobs.json"}}.Land(context.Background(), l, Request{})
	require.ErrorContains(t, err, "/nonexistent/blobs.json")
	empty := t.TempDir()
	_, err = Files{Paths: []string{empty}}.Land(context.Background(), l, Request{})
	require.ErrorContains(t, err, "holds no files")
}

func TestExtractFilesInterleavingManyDays(t *testing.T) {
	// More days than the lander keeps blocks and files open for, each
	// element in turn: units become many gzip members, and files are
	// closed and reopened; every day must still hold its lines in order.
	dir := t.TempDir()
	const days = 3*maxOpenFiles + 5
	var sb strings.Builder
	want := map[string][]string{}
	for i := range 40 * days {
		day := fmt.Sprintf("2013-%02d-%02d", 1+(i%days)/28, 1+(i%days)%28)
		r := row(fmt.Sprintf("r%d", i), ms(day, i%1440))
		want[day] = append(want[day], r)
		sb.WriteString(r + "\n")
	}
	writeFile(t, filepath.Join(dir, "f.ndjson"), sb.String(), false)
	l := Landing{Dir: filepath.Join(dir, "data")}
	res, err := Files{Paths: []string{filepath.Join(dir, "f.ndjson")}}.Land(context.Background(), l, Request{})
	require.NoError(t, err)
	assert.Len(t, res.Days, days)
	assert.Equal(t, want, landedLines(t, l))
	for _, d := range res.Days {
		m, err := l.Manifest(d)
		require.NoError(t, err)
		text := strings.Join(want[m.Day], "\n") + "\n"
		assert.Equal(t, sha(text), m.Units[0].SHA256, m.Day)
	}
}
