package reports

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readSite(t *testing.T, dir string) map[string]string {
	t.Helper()
	got := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		got[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// leftovers lists what Write may have left beside the site.
func leftovers(t *testing.T, parent string) []string {
	t.Helper()
	entries, err := os.ReadDir(parent)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.Name() != "site" {
			out = append(out, e.Name())
		}
	}
	return out
}

func TestWriteReplacesThePreviousSite(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "site")
	if err := Write(dir, map[string][]byte{"index.html": []byte("old"), "old.csv": []byte("x")}); err != nil {
		t.Fatal(err)
	}
	if err := Write(dir, map[string][]byte{"index.html": []byte("new"), "a/b.txt": []byte("nested")}); err != nil {
		t.Fatal(err)
	}
	got := readSite(t, dir)
	if got["index.html"] != "new" || got["a/b.txt"] != "nested" || got["old.csv"] != "" || got[markerFile] == "" {
		t.Errorf("site after the second write: %v", got)
	}
	if l := leftovers(t, parent); len(l) != 0 {
		t.Errorf("left beside the site: %v", l)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o755 {
		t.Errorf("site directory mode %v, want it readable by a web server", fi.Mode().Perm())
	}
	fi, _ = os.Stat(filepath.Join(dir, "index.html"))
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("file mode %v", fi.Mode().Perm())
	}
}

func TestFailedWriteLeavesThePreviousSite(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "site")
	if err := Write(dir, map[string][]byte{"index.html": []byte("old")}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"../escape.html", "/abs.html", `a\b.html`, ""} {
		err := Write(dir, map[string][]byte{"index.html": []byte("new"), bad: []byte("x")})
		if err == nil {
			t.Fatalf("Write accepted the file name %q", bad)
		}
	}
	if got := readSite(t, dir); got["index.html"] != "old" {
		t.Errorf("the previous site changed: %v", got)
	}
	if l := leftovers(t, parent); len(l) != 0 {
		t.Errorf("left beside the site: %v", l)
	}
	if _, err := os.Stat(filepath.Join(parent, "escape.html")); err == nil {
		t.Error("a file escaped the site directory")
	}
}

func TestWriteRefusesADirectoryItDidNotWrite(t *testing.T) {
	dir := t.TempDir()
	precious := filepath.Join(dir, "thesis.tex")
	if err := os.WriteFile(precious, []byte("years of work"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := Write(dir, map[string][]byte{"index.html": []byte("x")})
	if err == nil || !strings.Contains(err.Error(), "refusing") {
		t.Fatalf("Write over a foreign directory: %v", err)
	}
	if b, _ := os.ReadFile(precious); string(b) != "years of work" {
		t.Error("the foreign directory was changed")
	}
	// An empty directory is fine.
	empty := filepath.Join(t.TempDir(), "empty")
	os.Mkdir(empty, 0o755)
	if err := Write(empty, map[string][]byte{"index.html": []byte("x")}); err != nil {
		t.Errorf("Write into an empty directory: %v", err)
	}
}

func TestHandlerServesTheSiteWithItsPolicy(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "site")
	if err := Write(dir, map[string][]byte{"index.html": []byte("<!DOCTYPE html><title>x</title>")}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(Handler(http.Dir(dir)))
	defer srv.Close()
	res, err := http.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || !strings.Contains(string(b), "<title>x</title>") {
		t.Errorf("GET /: %d %q", res.StatusCode, b)
	}
	if got := res.Header.Get("Content-Security-Policy"); !strings.HasPrefix(got, CSP) {
		t.Errorf("CSP header %q", got)
	}
	if res.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Error("no nosniff header")
	}
}

func TestWriteSweepsWhatAnInterruptedWriteLeftBesideTheSite(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "site")
	if err := Write(dir, map[string][]byte{"index.html": []byte("old")}); err != nil {
		t.Fatal(err)
	}
	// A report killed while writing leaves its new site and the old one
	// beside the site (as this kpi and earlier versions named them); the
	// user's own files and another site's work stay.
	killed := []string{".kpi-tmp-site-123", ".kpi-tmp-site-123.old", ".site.new-456", ".site.old-20260101T000000.000000000"}
	kept := []string{".kpi-tmp-site2-789", ".tmp-photos", "notes.txt"}
	for _, name := range append(append([]string{}, killed...), kept...) {
		if err := os.MkdirAll(filepath.Join(parent, name), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := Write(dir, map[string][]byte{"index.html": []byte("new")}); err != nil {
		t.Fatal(err)
	}
	got := leftovers(t, parent)
	if strings.Join(got, " ") != strings.Join(kept, " ") {
		t.Errorf("beside the site after the next write: %v, want %v", got, kept)
	}
}
