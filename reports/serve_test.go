package reports

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// previewSite is a small site for the handler tests.
func previewSite() http.FileSystem {
	page := "<!DOCTYPE html><title>x</title>" + strings.Repeat("<p>Persona sign-in KPIs</p>", 200)
	return http.FS(fstest.MapFS{
		"index.html":        {Data: []byte(page), ModTime: time.Date(2024, 5, 31, 6, 0, 0, 0, time.UTC)},
		"new_user_flow.csv": {Data: []byte("kpi,version\nnew_user_flow,1\n")},
		"favicon.svg":       {Data: []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`)},
		"robots.txt":        {Data: []byte("User-agent: *\nDisallow: /\n")},
		".kpi-site":         {Data: []byte("written by kpi report\n")},
		"sub/page.html":     {Data: []byte("sub")},
	})
}

func get(t *testing.T, h http.Handler, method, target string, header map[string]string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func body(t *testing.T, res *http.Response) string {
	t.Helper()
	var r io.Reader = res.Body
	if res.Header.Get("Content-Encoding") == "gzip" {
		gz, err := gzip.NewReader(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		r = gz
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestServeAnswersTheRootWithTheIndexAndNoRedirect(t *testing.T) {
	h := Handler(previewSite())
	for _, target := range []string{"/", "/index.html"} {
		res := get(t, h, "GET", target, nil)
		if res.StatusCode != http.StatusOK || res.Header.Get("Location") != "" {
			t.Errorf("GET %s: %d, Location %q; want 200 and no redirect", target, res.StatusCode, res.Header.Get("Location"))
		}
		if b := body(t, res); !strings.HasPrefix(b, "<!DOCTYPE html>") {
			t.Errorf("GET %s: %.40q is not the index", target, b)
		}
		if ct := res.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("GET %s: Content-Type %q", target, ct)
		}
		for k, want := range map[string]string{
			"Content-Security-Policy": CSP + "; frame-ancestors 'none'",
			"X-Content-Type-Options":  "nosniff",
			"X-Robots-Tag":            "noindex, nofollow",
		} {
			if got := res.Header.Get(k); got != want {
				t.Errorf("GET %s: %s %q, want %q", target, k, got, want)
			}
		}
	}
	if res := get(t, h, "GET", "/sub", nil); res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != "/sub/" {
		t.Errorf("a directory without its slash: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	for _, target := range []string{"/sub/", "/missing.html", "/.kpi-site", "/../index.html/x"} {
		if res := get(t, h, "GET", target, nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", target, res.StatusCode)
		}
	}
	if res := get(t, h, "POST", "/", nil); res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d, want 405", res.StatusCode)
	}
}

func TestServeCompressesTextForClientsThatAcceptGzip(t *testing.T) {
	h := Handler(previewSite())
	plain := body(t, get(t, h, "GET", "/", nil))
	for _, c := range []struct {
		accept string
		gzip   bool
	}{
		{"gzip, deflate, br", true}, {"br;q=1.0, GZIP;q=0.5", true}, {"*", true},
		{"", false}, {"identity", false}, {"gzip;q=0", false}, {"deflate, gzip; q=0.0", false},
	} {
		res := get(t, h, "GET", "/", map[string]string{"Accept-Encoding": c.accept})
		if got := res.Header.Get("Content-Encoding") == "gzip"; got != c.gzip {
			t.Errorf("Accept-Encoding %q: gzip %v, want %v", c.accept, got, c.gzip)
		}
		if v := res.Header.Get("Vary"); v != "Accept-Encoding" {
			t.Errorf("Accept-Encoding %q: Vary %q", c.accept, v)
		}
		if c.gzip && res.Header.Get("Content-Length") != "" {
			t.Errorf("Accept-Encoding %q: a compressed body with the plain Content-Length %s", c.accept, res.Header.Get("Content-Length"))
		}
		if b := body(t, res); b != plain {
			t.Errorf("Accept-Encoding %q: body differs from the plain one", c.accept)
		}
	}
	for _, target := range []string{"/new_user_flow.csv", "/favicon.svg", "/robots.txt"} {
		res := get(t, h, "GET", target, map[string]string{"Accept-Encoding": "gzip"})
		if res.Header.Get("Content-Encoding") != "gzip" {
			t.Errorf("%s (%s) is not compressed", target, res.Header.Get("Content-Type"))
		}
	}
	// A revalidation stays an empty 304, and HEAD announces the encoding.
	res := get(t, h, "GET", "/", map[string]string{"Accept-Encoding": "gzip", "If-Modified-Since": "Fri, 31 May 2024 06:00:00 GMT"})
	if res.StatusCode != http.StatusNotModified || res.Header.Get("Content-Encoding") != "" || body(t, res) != "" {
		t.Errorf("revalidation: %d, Content-Encoding %q", res.StatusCode, res.Header.Get("Content-Encoding"))
	}
	res = get(t, h, "HEAD", "/", map[string]string{"Accept-Encoding": "gzip"})
	if b, _ := io.ReadAll(res.Body); res.StatusCode != http.StatusOK || res.Header.Get("Content-Encoding") != "gzip" || len(b) != 0 {
		t.Errorf("HEAD: %d, Content-Encoding %q", res.StatusCode, res.Header.Get("Content-Encoding"))
	}
	// Without gzip, ranges work as before.
	res = get(t, h, "GET", "/robots.txt", map[string]string{"Range": "bytes=0-9"})
	if res.StatusCode != http.StatusPartialContent || body(t, res) != "User-agent" {
		t.Errorf("range: %d", res.StatusCode)
	}
}
