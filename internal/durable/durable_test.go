package durable

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func touch(t *testing.T, path string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte("x"), 0o644))
}

func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	sort.Strings(out)
	return out
}

func TestCleanRemovesOnlyKpisOwnTemporaryNamesInTheDirectoryItself(t *testing.T) {
	dir := t.TempDir()
	site, err := MkdirTemp(dir, "site")
	require.NoError(t, err)
	other, err := MkdirTemp(dir, "site-new") // another site's work in progress
	require.NoError(t, err)
	f, err := CreateTemp(dir, "site")
	require.NoError(t, err)
	f.Close()
	require.NoError(t, os.Mkdir(site+".old", 0o755))
	// The user's own files, some with names like temporary ones.
	for _, n := range []string{".tmp-1", ".site.tmp", ".tmp2.old", ".kpi-tmp-site-notdigits", "site", "sub/" + TempName("site") + "123"} {
		touch(t, filepath.Join(dir, n))
	}

	removed, err := Clean(dir, "site")
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{site, site + ".old", f.Name()}, removed)
	assert.Equal(t, []string{filepath.Base(other), ".kpi-tmp-site-notdigits", ".site.tmp", ".tmp-1", ".tmp2.old", "site", "sub"}, names(t, dir))
	assert.FileExists(t, filepath.Join(dir, "sub", TempName("site")+"123"), "Clean never looks below the directory")

	removed, err = Clean(dir, "")
	require.NoError(t, err)
	assert.Len(t, removed, 2, "any of kpi's temporary names")
	assert.Equal(t, []string{".site.tmp", ".tmp-1", ".tmp2.old", "site", "sub"}, names(t, dir))

	removed, err = Clean(filepath.Join(dir, "missing"), "")
	assert.NoError(t, err)
	assert.Empty(t, removed)
}

func TestReplaceDirSwapsAndKeepsTheOldOnFailure(t *testing.T) {
	dir := t.TempDir()
	dst := filepath.Join(dir, "day")
	tmp, err := MkdirTemp(dir, "day")
	require.NoError(t, err)
	touch(t, filepath.Join(tmp, "v1"))
	require.NoError(t, ReplaceDir(tmp, dst), "a missing destination")
	assert.Equal(t, []string{"v1"}, names(t, dst))

	tmp, err = MkdirTemp(dir, "day")
	require.NoError(t, err)
	touch(t, filepath.Join(tmp, "v2"))
	require.NoError(t, ReplaceDir(tmp, dst))
	assert.Equal(t, []string{"v2"}, names(t, dst))
	assert.Equal(t, []string{"day"}, names(t, dir), "nothing left beside it")

	err = ReplaceDir(filepath.Join(dir, TempName("day")+"404"), dst)
	require.Error(t, err, "a temporary directory that is not there")
	assert.Equal(t, []string{"v2"}, names(t, dst), "the previous directory is put back")
}

func TestWriteFileReplacesWholeAndLeavesNoTemporaryFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a", "stats.json")
	require.NoError(t, WriteFile(p, []byte("one")))
	require.NoError(t, WriteFile(p, []byte("two")))
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	assert.Equal(t, "two", string(b))
	assert.Equal(t, []string{"stats.json"}, names(t, filepath.Dir(p)))
}

func TestClaimMarksOnlyADirectoryThatLooksLikeKpis(t *testing.T) {
	dir := t.TempDir()
	ours := func(name string) bool { return strings.HasPrefix(name, "day=") }

	fresh := filepath.Join(dir, "fresh")
	ok, err := Claim(fresh, ".kpi-area", ours)
	require.NoError(t, err)
	assert.True(t, ok, "a new directory is kpi's")
	assert.FileExists(t, filepath.Join(fresh, ".kpi-area"))

	old := filepath.Join(dir, "old")
	touch(t, filepath.Join(old, "day=2013-06-01", "manifest.json"))
	touch(t, filepath.Join(old, TempName("day=2013-06-02")+"1"))
	ok, err = Claim(old, ".kpi-area", ours)
	require.NoError(t, err)
	assert.True(t, ok, "what an older kpi made is kpi's")

	mine := filepath.Join(dir, "mine")
	touch(t, filepath.Join(mine, "day=2013-06-01", "x"))
	touch(t, filepath.Join(mine, "holiday.jpg"))
	ok, err = Claim(mine, ".kpi-area", ours)
	require.NoError(t, err)
	assert.False(t, ok, "a directory with someone else's files is not")
	assert.NoFileExists(t, filepath.Join(mine, ".kpi-area"))
}
