package reports

import (
	"compress/gzip"
	"errors"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
)

// CSP is the Content-Security-Policy of every page: the site's own
// scripts, styles and images, nothing inline, nothing from elsewhere.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'"

// Handler serves a generated site directory for local preview, with the
// same policy as the pages' meta tag sent as headers (where
// frame-ancestors also takes effect). A directory's path serves its
// index.html, and /index.html serves it too, both without a redirect (the
// pages link to index.html; a redirect costs a round trip). Text is
// compressed with gzip for clients that accept it. Dot files and
// directories without an index are not served.
func Handler(fsys http.FileSystem) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", CSP+"; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Robots-Tag", "noindex, nofollow")
		h.Set("Cache-Control", "no-cache")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		name := path.Clean("/" + r.URL.Path)
		if strings.HasSuffix(r.URL.Path, "/") {
			name = path.Join(name, "index.html")
		}
		if strings.Contains(name, "/.") {
			http.NotFound(w, r)
			return
		}
		f, err := fsys.Open(name)
		if err != nil {
			if errors.Is(err, fs.ErrPermission) {
				http.Error(w, "forbidden", http.StatusForbidden)
				return
			}
			http.NotFound(w, r)
			return
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			http.Error(w, "cannot read "+name, http.StatusInternalServerError)
			return
		}
		if fi.IsDir() {
			http.Redirect(w, r, r.URL.Path+"/", http.StatusMovedPermanently)
			return
		}
		ctype := mime.TypeByExtension(path.Ext(name))
		if ctype == "" {
			ctype = "text/plain; charset=utf-8"
		}
		h.Set("Content-Type", ctype)
		h.Add("Vary", "Accept-Encoding")
		if !compressible(ctype) || !acceptsGzip(r.Header.Get("Accept-Encoding")) {
			http.ServeContent(w, r, name, fi.ModTime(), f)
			return
		}
		// A byte range of the compressed stream is not what ServeContent
		// would compute, so a compressed response is always whole.
		r.Header.Del("Range")
		gw := &gzipResponse{ResponseWriter: w, head: r.Method == http.MethodHead}
		http.ServeContent(gw, r, name, fi.ModTime(), f)
		// An error here means the client went away: nothing left to tell it.
		_ = gw.close()
	})
}

// compressible reports whether a content type is text worth compressing.
func compressible(ctype string) bool {
	t, _, _ := strings.Cut(ctype, ";")
	switch t = strings.TrimSpace(t); {
	case strings.HasPrefix(t, "text/"):
		return true
	case t == "application/javascript", t == "application/json", t == "image/svg+xml":
		return true
	}
	return false
}

// acceptsGzip reads an Accept-Encoding header: gzip (or *) listed without
// q=0.
func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		coding, params, _ := strings.Cut(part, ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		if coding != "gzip" && coding != "x-gzip" && coding != "*" {
			continue
		}
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = f
				}
			}
		}
		return q > 0
	}
	return false
}

// gzipResponse compresses a 200 response's body. Other statuses (304 Not
// Modified, errors) pass through as they are.
type gzipResponse struct {
	http.ResponseWriter
	gz     *gzip.Writer
	head   bool
	status int
}

func (g *gzipResponse) WriteHeader(code int) {
	if g.status != 0 {
		return
	}
	g.status = code
	if code == http.StatusOK {
		h := g.Header()
		h.Del("Content-Length")
		h.Del("Accept-Ranges")
		h.Set("Content-Encoding", "gzip")
		if !g.head {
			g.gz = gzip.NewWriter(g.ResponseWriter)
		}
	}
	g.ResponseWriter.WriteHeader(code)
}

func (g *gzipResponse) Write(b []byte) (int, error) {
	if g.status == 0 {
		g.WriteHeader(http.StatusOK)
	}
	if g.gz == nil {
		return g.ResponseWriter.Write(b)
	}
	return g.gz.Write(b)
}

func (g *gzipResponse) close() error {
	if g.gz == nil {
		return nil
	}
	return g.gz.Close()
}
