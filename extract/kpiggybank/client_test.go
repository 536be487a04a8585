package kpiggybank

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// httpScript answers the n-th request with steps[n]; the last step
// repeats. It records what each request asked for.
type httpScript struct {
	mu      sync.Mutex
	steps   []http.HandlerFunc
	queries []url.Values
	auths   []string
	paths   []string
}

func (sc *httpScript) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sc.mu.Lock()
	i := len(sc.queries)
	sc.queries = append(sc.queries, r.URL.Query())
	sc.auths = append(sc.auths, r.Header.Get("Authorization"))
	sc.paths = append(sc.paths, r.URL.Path)
	step := sc.steps[min(i, len(sc.steps)-1)]
	sc.mu.Unlock()
	step(w, r)
}

func (sc *httpScript) requests() int {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return len(sc.queries)
}

func startScript(t *testing.T, steps ...http.HandlerFunc) (*httptest.Server, *httpScript) {
	t.Helper()
	sc := &httpScript{steps: steps}
	srv := httptest.NewServer(sc)
	t.Cleanup(srv.Close)
	return srv, sc
}

func serveJSON(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, body)
	}
}

func serveStatus(code int, header map[string]string, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for k, v := range header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(code)
		io.WriteString(w, body)
	}
}

// serveRaw writes raw bytes on the bare connection and closes it; with
// reset the close sends a TCP RST instead of a FIN.
func serveRaw(raw string, reset bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(err)
		}
		io.WriteString(conn, raw)
		if tcp, ok := conn.(*net.TCPConn); ok && reset {
			tcp.SetLinger(0)
		}
		conn.Close()
	}
}

// serveStall sends partial (headers and a body start, if any) and then
// hangs until the client gives up.
func serveStall(partial string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if partial != "" {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, partial)
			http.NewResponseController(w).Flush()
		}
		<-r.Context().Done()
	}
}

// landingRecorder keeps every writer Fetch opened.
type landingRecorder struct{ bufs []*bytes.Buffer }

func (l *landingRecorder) open() (io.Writer, error) {
	b := &bytes.Buffer{}
	l.bufs = append(l.bufs, b)
	return b, nil
}

func (l *landingRecorder) last() string {
	if len(l.bufs) == 0 {
		return ""
	}
	return l.bufs[len(l.bufs)-1].String()
}

// newTestHTTP builds a source whose waits are recorded instead of slept
// and whose log goes to a buffer.
func newTestHTTP(t *testing.T, rawURL string, opt Options) (*Client, *[]time.Duration, *bytes.Buffer) {
	t.Helper()
	logs := &bytes.Buffer{}
	opt.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if opt.Timeout == 0 {
		opt.Timeout = 30 * time.Second
	}
	s, err := NewClient(rawURL, opt)
	require.NoError(t, err)
	var delays []time.Duration
	s.sleep = func(ctx context.Context, d time.Duration) error {
		delays = append(delays, d)
		return ctx.Err()
	}
	s.now = func() time.Time { return testNow }
	return s, &delays, logs
}

var (
	testNow    = time.Date(2013, 3, 5, 10, 0, 0, 0, time.UTC)
	testWindow = window{
		Start: time.Date(2013, 3, 1, 6, 0, 0, 0, time.UTC),
		End:   time.Date(2013, 3, 1, 12, 0, 0, 0, time.UTC),
	}
)

// testBody is a valid body of many rows, large enough to take many reads.
func testBody(rows int) string {
	var b strings.Builder
	b.WriteString("[")
	for i := range rows {
		if i > 0 {
			b.WriteString(",\n")
		}
		ts := testWindow.StartMs() + int64(i)*1000
		fmt.Fprintf(&b, `{"id":"r%05d","key":%d,"value":{"timestamp":%d,"lang":"pt-BR","event_stream":[["screen.rp_info",0],["window.unload",%d]]}}`, i, ts, ts, i)
	}
	b.WriteString("]\n")
	return b.String()
}

func TestHTTPFetchLandsExactBodyAndAsksForTheWindow(t *testing.T) {
	body := testBody(20000)
	srv, sc := startScript(t, serveJSON(body))
	s, delays, _ := newTestHTTP(t, "http://reader:hunter2@"+strings.TrimPrefix(srv.URL, "http://")+"/wsapi/interaction_data?src=kpi", Options{})

	var got landingRecorder
	require.NoError(t, s.Fetch(context.Background(), testWindow.Start, testWindow.End, got.open))

	require.Len(t, got.bufs, 1)
	assert.True(t, got.last() == body, "landed body differs from the body served")
	require.Equal(t, 1, sc.requests())
	q := sc.queries[0]
	assert.Equal(t, "1362117600000", q.Get("start"), "06:00 in ms")
	assert.Equal(t, "1362139199999", q.Get("end"), "12:00 minus 1ms: end is inclusive")
	assert.Equal(t, strconv.FormatInt(testWindow.StartMs(), 10), q.Get("start"))
	assert.Equal(t, strconv.FormatInt(testWindow.EndMs(), 10), q.Get("end"))
	assert.Equal(t, "kpi", q.Get("src"), "the URL's own query is kept")
	assert.Equal(t, "/wsapi/interaction_data", sc.paths[0])
	assert.Equal(t, "Basic "+base64.StdEncoding.EncodeToString([]byte("reader:hunter2")), sc.auths[0])
	assert.Empty(t, *delays)
}

func TestHTTPFetchRetriesTransientFailures(t *testing.T) {
	body := testBody(3)
	cutAt := 40
	chunk := body[:cutAt]
	cases := []struct {
		name      string
		fail      http.HandlerFunc
		opt       Options
		reason    string        // regexp the logged retry reason must match
		wantDelay time.Duration // exact delay expected; 0 means jittered
	}{
		{name: "429 with Retry-After seconds", fail: serveStatus(429, map[string]string{"Retry-After": "2"}, "slow down"),
			opt: Options{BackoffMax: 10 * time.Second}, reason: `HTTP 429 Too Many Requests: \\"slow down\\"`, wantDelay: 2 * time.Second},
		{name: "429 Retry-After capped by BackoffMax", fail: serveStatus(429, map[string]string{"Retry-After": "2"}, ""),
			opt: Options{BackoffBase: 100 * time.Millisecond, BackoffMax: 1500 * time.Millisecond}, reason: `HTTP 429`, wantDelay: 1500 * time.Millisecond},
		{name: "429 with Retry-After date", fail: serveStatus(429, map[string]string{"Retry-After": testNow.Add(7 * time.Second).Format(http.TimeFormat)}, ""),
			opt: Options{BackoffMax: time.Minute}, reason: `HTTP 429`, wantDelay: 7 * time.Second},
		{name: "503", fail: serveStatus(503, nil, "<html>maintenance</html>"), reason: `HTTP 503 Service Unavailable: \\"<html>maintenance</html>\\"`},
		{name: "500", fail: serveStatus(500, nil, ""), reason: `HTTP 500 Internal Server Error`},
		{name: "connection reset mid-body", fail: serveRaw("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "+strconv.Itoa(len(body))+"\r\n\r\n"+chunk, true),
			reason: `reset|cut off|request failed`},
		{name: "connection closed before the response", fail: serveRaw("", false), reason: `request failed: .*EOF`},
		{name: "Content-Length longer than the body", fail: serveRaw("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "+strconv.Itoa(len(body))+"\r\n\r\n"+chunk, false),
			reason: fmt.Sprintf(`response body cut off after %d bytes`, cutAt)},
		{name: "chunked body cut short", fail: serveRaw(fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n", cutAt, chunk), false),
			reason: `response body cut off after \d+ bytes`},
		{name: "complete JSON cut inside the array", fail: serveJSON(`[{"id":"a"},`), reason: `cut off after 12 bytes`},
		{name: "HTML error page with 200", fail: serveStatus(200, map[string]string{"Content-Type": "text/html"}, "<!DOCTYPE html><h1>Proxy error</h1>"),
			reason: `response is not JSON \(Content-Type \\"text/html\\", starts \\"<!DOCTYPE html><h1>Proxy error</h1>\\"\)`},
		{name: "JSON object instead of array", fail: serveJSON(`{"error":"Computer says no."}`), reason: `not a JSON array of objects: the body is an object`},
		{name: "data after the array", fail: serveJSON(`[{"id":"a"}] [{"id":"b"}]`), reason: `text after the closing \]`},
		{name: "missing comma between elements", fail: serveJSON(`[{"id":"a"} {"id":"b"}]`), reason: `expected , or \] after element 0`},
		{name: "empty body", fail: serveJSON(""), reason: `empty response body`},
		{name: "stalled before headers", fail: serveStall(""), opt: Options{Timeout: 300 * time.Millisecond},
			reason: `timed out after 300ms waiting for the response`},
		{name: "stalled mid-body", fail: serveStall(chunk), opt: Options{Timeout: 300 * time.Millisecond},
			reason: fmt.Sprintf(`timed out after 300ms reading the body \(%d bytes received\)`, cutAt)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, sc := startScript(t, tc.fail, serveJSON(body))
			opt := tc.opt
			opt.Retries = 3
			if opt.BackoffBase == 0 {
				opt.BackoffBase = 250 * time.Millisecond
			}
			s, delays, logs := newTestHTTP(t, srv.URL+"/wsapi/interaction_data", opt)

			var got landingRecorder
			require.NoError(t, s.Fetch(context.Background(), testWindow.Start, testWindow.End, got.open))

			assert.Equal(t, 2, sc.requests())
			require.NotEmpty(t, got.bufs)
			assert.True(t, got.last() == body, "the last writer holds the full body")
			for i, b := range got.bufs[:len(got.bufs)-1] {
				assert.NotEqual(t, body, b.String(), "writer %d of a failed attempt", i)
			}
			require.Len(t, *delays, 1)
			if tc.wantDelay != 0 {
				assert.Equal(t, tc.wantDelay, (*delays)[0])
			} else {
				assert.GreaterOrEqual(t, (*delays)[0], time.Duration(0))
				assert.LessOrEqual(t, (*delays)[0], opt.BackoffBase)
			}
			assert.Contains(t, logs.String(), "level=WARN msg=retrying")
			assert.Regexp(t, regexp.MustCompile(`reason="?[^\n]*(`+tc.reason+`)`), logs.String())
		})
	}
}

// TestHTTPLeavesABadElementToTransform serves whole arrays holding an
// element that is not an object, not valid JSON, or nested 20,000 deep:
// the window is landed at once, as the same rows from a file would be,
// and transform rejects that element alone.
func TestHTTPLeavesABadElementToTransform(t *testing.T) {
	deep := `[{"id":"a","key":1,"value":{}},{"id":"deep","value":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}]`
	for name, body := range map[string]string{
		"array of non-objects": `[{"id":"a"},3]`,
		"invalid JSON inside":  `[{"id":"a"},{"id":}]`,
		"nested 20,000 deep":   deep,
	} {
		t.Run(name, func(t *testing.T) {
			srv, sc := startScript(t, serveJSON(body))
			s, delays, _ := newTestHTTP(t, srv.URL+"/wsapi/interaction_data", Options{Retries: 3})
			var got landingRecorder
			require.NoError(t, s.Fetch(context.Background(), testWindow.Start, testWindow.End, got.open))
			assert.Equal(t, 1, sc.requests())
			assert.Empty(t, *delays)
			assert.Equal(t, body, got.last())
		})
	}
}

func TestHTTPFetchGivesUpAfterRetries(t *testing.T) {
	srv, sc := startScript(t, serveStatus(200, map[string]string{"Content-Type": "text/html"}, "<html><body>Bad gateway</body></html>"))
	s, delays, _ := newTestHTTP(t, srv.URL+"/wsapi/interaction_data", Options{
		Retries: 4, BackoffBase: time.Second, BackoffMax: 3 * time.Second,
	})

	var got landingRecorder
	err := s.Fetch(context.Background(), testWindow.Start, testWindow.End, got.open)
	require.Error(t, err)

	msg := err.Error()
	assert.True(t, strings.HasPrefix(msg, "fetch "+testWindow.String()+" from "+srv.URL+"/wsapi/interaction_data: response is not JSON"), msg)
	assert.True(t, strings.HasSuffix(msg, "(after 5 attempts)"), msg)
	assert.NotContains(t, msg, "\n")
	assert.Equal(t, 5, sc.requests())
	// Full jitter below a cap that doubles from BackoffBase up to BackoffMax.
	require.Len(t, *delays, 4)
	for i, ceiling := range []time.Duration{time.Second, 2 * time.Second, 3 * time.Second, 3 * time.Second} {
		assert.GreaterOrEqual(t, (*delays)[i], time.Duration(0), "delay %d", i)
		assert.LessOrEqual(t, (*delays)[i], ceiling, "delay %d", i)
	}
}

func TestHTTPFetchFailsAtOnceOnClientErrors(t *testing.T) {
	cases := []struct {
		code int
		body string
		want string
	}{
		{401, "", "HTTP 401 Unauthorized: check the credentials"},
		{403, "go away", "HTTP 403 Forbidden: check the credentials"},
		{404, "Cannot GET /wsapi/interaction_dat", "HTTP 404 Not Found: check the URL"},
		{400, "start must be\na number", `HTTP 400 Bad Request: "start must be a number"`},
		{410, "", "HTTP 410 Gone"},
	}
	for _, tc := range cases {
		t.Run(strconv.Itoa(tc.code), func(t *testing.T) {
			srv, sc := startScript(t, serveStatus(tc.code, nil, tc.body), serveJSON("[]"))
			s, delays, _ := newTestHTTP(t, srv.URL+"/wsapi/interaction_data", Options{Retries: 5})

			var got landingRecorder
			err := s.Fetch(context.Background(), testWindow.Start, testWindow.End, got.open)
			require.Error(t, err)
			assert.Equal(t, "fetch "+testWindow.String()+" from "+s.Name()+": "+tc.want, err.Error())
			assert.Equal(t, 1, sc.requests())
			assert.Empty(t, *delays)
			assert.Empty(t, got.bufs, "nothing is opened for an error status")
		})
	}
}

func TestHTTPFetchLocalWriterFailureIsNotRetried(t *testing.T) {
	srv, sc := startScript(t, serveJSON(testBody(10)))
	s, delays, _ := newTestHTTP(t, srv.URL+"/wsapi/interaction_data", Options{Retries: 3})

	diskFull := errors.New("no space left on device")
	err := s.Fetch(context.Background(), testWindow.Start, testWindow.End, func() (io.Writer, error) { return failingWriter{diskFull}, nil })
	require.ErrorIs(t, err, diskFull)
	assert.Contains(t, err.Error(), "write the body")

	err = s.Fetch(context.Background(), testWindow.Start, testWindow.End, func() (io.Writer, error) { return nil, diskFull })
	require.ErrorIs(t, err, diskFull)
	assert.Contains(t, err.Error(), "open the landing writer")

	assert.Equal(t, 2, sc.requests(), "one request per Fetch")
	assert.Empty(t, *delays)
}

type failingWriter struct{ err error }

func (f failingWriter) Write([]byte) (int, error) { return 0, f.err }

func TestHTTPFetchStopsWhenCancelled(t *testing.T) {
	t.Run("while waiting to retry", func(t *testing.T) {
		srv, sc := startScript(t, serveStatus(503, map[string]string{"Retry-After": "3600"}, ""))
		s, _, _ := newTestHTTP(t, srv.URL+"/wsapi/interaction_data", Options{Retries: 3, BackoffMax: 2 * time.Hour})
		waiting := make(chan time.Duration, 1)
		s.sleep = func(ctx context.Context, d time.Duration) error {
			waiting <- d
			return sleepCtx(ctx, d) // the real wait, which must give way to ctx
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		done := make(chan error, 1)
		go func() { done <- s.Fetch(ctx, testWindow.Start, testWindow.End, (&landingRecorder{}).open) }()

		assert.Equal(t, time.Hour, <-waiting)
		cancel()
		select {
		case err := <-done:
			require.ErrorIs(t, err, context.Canceled)
			assert.Contains(t, err.Error(), "fetch "+testWindow.String())
		case <-time.After(30 * time.Second):
			t.Fatal("Fetch kept waiting after cancel")
		}
		assert.Equal(t, 1, sc.requests())
	})
	t.Run("during a request", func(t *testing.T) {
		arrived := make(chan struct{}, 1)
		srv, sc := startScript(t, func(w http.ResponseWriter, r *http.Request) {
			arrived <- struct{}{}
			<-r.Context().Done()
		})
		s, delays, _ := newTestHTTP(t, srv.URL+"/wsapi/interaction_data", Options{Retries: 3})
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		done := make(chan error, 1)
		go func() { done <- s.Fetch(ctx, testWindow.Start, testWindow.End, (&landingRecorder{}).open) }()

		<-arrived
		cancel()
		select {
		case err := <-done:
			require.ErrorIs(t, err, context.Canceled)
		case <-time.After(30 * time.Second):
			t.Fatal("Fetch kept going after cancel")
		}
		assert.Equal(t, 1, sc.requests())
		assert.Empty(t, *delays)
	})
}

func TestHTTPNeverRevealsCredentials(t *testing.T) {
	const (
		urlUser, urlPass = "urlUserQ1", "urlPassZ7"
		optUser, optPass = "optUserK4", "optPassW9"
	)
	// echo answers with the request's credentials, as a careless proxy's
	// error page might.
	echo := func(code int, ct string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			u, p, _ := r.BasicAuth()
			w.Header().Set("Content-Type", ct)
			w.WriteHeader(code)
			fmt.Fprintf(w, "%s:%s %s", u, p, r.Header.Get("Authorization"))
		}
	}
	scenarios := []struct {
		name  string
		steps func(srvURL string) []http.HandlerFunc
	}{
		{"401", func(string) []http.HandlerFunc { return []http.HandlerFunc{echo(401, "text/plain")} }},
		{"400 echoing", func(string) []http.HandlerFunc { return []http.HandlerFunc{echo(400, "text/plain")} }},
		{"503 exhausted", func(string) []http.HandlerFunc { return []http.HandlerFunc{echo(503, "text/plain")} }},
		{"HTML with 200", func(string) []http.HandlerFunc { return []http.HandlerFunc{echo(200, "text/html")} }},
		{"stalled", func(string) []http.HandlerFunc { return []http.HandlerFunc{serveStall("")} }},
		{"redirect to userinfo URL", func(srvURL string) []http.HandlerFunc {
			loc := strings.Replace(srvURL, "http://", "http://"+urlUser+":"+urlPass+"@", 1) + "/elsewhere"
			return []http.HandlerFunc{
				func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Path == "/elsewhere" {
						echo(500, "text/plain")(w, r)
						return
					}
					http.Redirect(w, r, loc, http.StatusFound)
				},
			}
		}},
		{"redirect to userinfo URL on another host", func(srvURL string) []http.HandlerFunc {
			// Another host: Go drops the Authorization header and would
			// log in with the Location's userinfo if it were kept.
			loc := strings.Replace(srvURL, "http://127.0.0.1", "http://"+urlUser+":"+urlPass+"@localhost", 1) + "/elsewhere"
			return []http.HandlerFunc{
				func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Path == "/elsewhere" {
						echo(500, "text/plain")(w, r)
						return
					}
					http.Redirect(w, r, loc, http.StatusFound)
				},
			}
		}},
		{"connection refused", nil},
	}
	for _, sc := range scenarios {
		for _, inOptions := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/options=%v", sc.name, inOptions), func(t *testing.T) {
				var base string
				if sc.steps == nil {
					ln, err := net.Listen("tcp", "127.0.0.1:0")
					require.NoError(t, err)
					base = "http://" + ln.Addr().String()
					ln.Close()
				} else {
					srv := httptest.NewUnstartedServer(nil)
					srv.Start()
					t.Cleanup(srv.Close)
					base = srv.URL
					srv.Config.Handler = &httpScript{steps: sc.steps(srv.URL)}
				}
				raw := strings.Replace(base, "http://", "http://"+urlUser+":"+urlPass+"@", 1) + "/wsapi/interaction_data"
				opt := Options{Retries: 2, Timeout: 100 * time.Millisecond}
				user, pass := urlUser, urlPass
				if inOptions {
					opt.Username, opt.Password = optUser, optPass
					user, pass = optUser, optPass
				}
				s, _, logs := newTestHTTP(t, raw, opt)

				errs := []error{s.Fetch(context.Background(), testWindow.Start, testWindow.End, (&landingRecorder{}).open), s.Ping(context.Background())}
				_, err := s.Count(context.Background())
				errs = append(errs, err)

				secrets := []string{urlUser, urlPass, optUser, optPass,
					base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))}
				for _, err := range errs {
					require.Error(t, err)
					for _, secret := range secrets {
						assert.NotContains(t, err.Error(), secret)
					}
				}
				for _, secret := range secrets {
					assert.NotContains(t, logs.String(), secret)
					assert.NotContains(t, s.Name(), secret)
				}
			})
		}
	}
}

func TestNewHTTPValidatesTheURL(t *testing.T) {
	cases := []struct {
		raw  string
		opt  Options
		want string
	}{
		{"ftp://bob:secretpw@example.org/wsapi/interaction_data", Options{}, "scheme must be http or https"},
		{"example.org/wsapi/interaction_data", Options{}, "scheme must be http or https"},
		{"http://bob:secretpw@/wsapi/interaction_data", Options{}, "no host"},
		{"https://bob:secretpw@example.org", Options{}, "no path"},
		{"https://bob:secretpw@example.org/", Options{}, "no path"},
		{"http://bob:secretpw@example.org:port/wsapi/interaction_data", Options{}, "invalid port"},
		{"http://bob:secretpw@exa mple.org/x", Options{}, "invalid character"},
		{"http://bob:secretpw@example.org/wsapi/interaction_data", Options{Retries: -1}, "retries must not be negative"},
	}
	for _, tc := range cases {
		t.Run(tc.raw, func(t *testing.T) {
			_, err := NewClient(tc.raw, tc.opt)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), "secretpw")
			assert.NotContains(t, err.Error(), "bob")
		})
	}
}

func TestHTTPNameAndDerivedEndpoints(t *testing.T) {
	s, err := NewClient("https://bob:secretpw@kpiggybank.example.org/wsapi/interaction_data?x=1#frag", Options{})
	require.NoError(t, err)
	assert.Equal(t, "https://kpiggybank.example.org/wsapi/interaction_data", s.Name())
	assert.Equal(t, "https://kpiggybank.example.org/wsapi/ping", s.pingURL.String())
	assert.Equal(t, "https://kpiggybank.example.org/wsapi/interaction_data/count", s.countURL.String())

	s, err = NewClient("http://proxy.example.org/kpi/wsapi/interaction_data/", Options{})
	require.NoError(t, err)
	assert.Equal(t, "http://proxy.example.org/kpi/wsapi/ping", s.pingURL.String())
	assert.Equal(t, "http://proxy.example.org/kpi/wsapi/interaction_data/count", s.countURL.String())
}

func TestOptionsCredentialsWinOverTheURL(t *testing.T) {
	srv, sc := startScript(t, serveJSON("[]"))
	raw := strings.Replace(srv.URL, "http://", "http://urluser:urlpass@", 1) + "/wsapi/interaction_data"

	s, _, _ := newTestHTTP(t, raw, Options{Username: "optuser", Password: "optpass"})
	require.NoError(t, s.Fetch(context.Background(), testWindow.Start, testWindow.End, (&landingRecorder{}).open))
	s, _, _ = newTestHTTP(t, raw, Options{Password: "optpass"})
	require.NoError(t, s.Fetch(context.Background(), testWindow.Start, testWindow.End, (&landingRecorder{}).open))
	s, _, _ = newTestHTTP(t, srv.URL+"/wsapi/interaction_data", Options{})
	require.NoError(t, s.Fetch(context.Background(), testWindow.Start, testWindow.End, (&landingRecorder{}).open))

	basic := func(u, p string) string { return "Basic " + base64.StdEncoding.EncodeToString([]byte(u+":"+p)) }
	assert.Equal(t, []string{basic("optuser", "optpass"), basic("urluser", "optpass"), ""}, sc.auths)
}

func TestHTTPRetryDelays(t *testing.T) {
	s, err := NewClient("http://example.org/wsapi/interaction_data", Options{BackoffBase: time.Second, BackoffMax: 5 * time.Second})
	require.NoError(t, err)
	caps := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second, 5 * time.Second}
	for i, ceiling := range caps {
		var seen time.Duration
		for range 200 {
			d := s.delay(i+1, &retryableError{})
			require.GreaterOrEqual(t, d, time.Duration(0))
			require.LessOrEqual(t, d, ceiling, "retry %d", i+1)
			seen = max(seen, d)
		}
		// 200 uniform draws all in the lower half has odds of 2^-200.
		assert.Greater(t, seen, ceiling/2, "retry %d draws span the range", i+1)
	}
	assert.Equal(t, 5*time.Second, s.delay(1, &retryableError{after: time.Hour, afterKnown: true}))
	assert.Equal(t, 2*time.Second, s.delay(3, &retryableError{after: 2 * time.Second, afterKnown: true}))
	assert.Equal(t, time.Duration(0), s.delay(1, &retryableError{after: 0, afterKnown: true}))
}

func TestParseRetryAfter(t *testing.T) {
	cases := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"2", 2 * time.Second, true},
		{" 120 ", 2 * time.Minute, true},
		{testNow.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{testNow.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"", 0, false},
		{"-3", 0, false},
		{"soon", 0, false},
	}
	for _, tc := range cases {
		d, ok := parseRetryAfter(tc.in, testNow)
		assert.Equal(t, tc.ok, ok, tc.in)
		assert.Equal(t, tc.want, d, tc.in)
	}
}

func TestHTTPPingAndCountErrors(t *testing.T) {
	srv, _ := startScript(t, serveStatus(200, map[string]string{"Content-Type": "text/html"}, "<html>hello</html>"))
	s, delays, _ := newTestHTTP(t, srv.URL+"/wsapi/interaction_data", Options{Retries: 1})

	err := s.Ping(context.Background())
	require.Error(t, err)
	assert.Equal(t, `ping `+srv.URL+`/wsapi/ping: expected "pong", got "<html>hello</html>" (after 2 attempts)`, err.Error())

	_, err = s.Count(context.Background())
	require.Error(t, err)
	assert.Equal(t, `count `+srv.URL+`/wsapi/interaction_data/count: expected a row count, got "<html>hello</html>" (after 2 attempts)`, err.Error())
	assert.Len(t, *delays, 2)
}

// TestCredentialsStayWithTheirOrigin redirects from the source to another
// port of the same host (Go's own rule would send the credentials there),
// and from https to http.
func TestCredentialsStayWithTheirOrigin(t *testing.T) {
	var gotAuth atomic.Value
	gotAuth.Store("")
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAuth.Store(r.Header.Get("Authorization"))
		io.WriteString(w, testBody(3))
	}))
	t.Cleanup(other.Close)
	var sawAuthAtOrigin bool
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _, sawAuthAtOrigin = r.BasicAuth()
		http.Redirect(w, r, other.URL+r.URL.Path+"?"+r.URL.RawQuery, http.StatusFound)
	}))
	t.Cleanup(origin.Close)

	raw := strings.Replace(origin.URL, "http://", "http://reader:hunter2@", 1) + "/wsapi/interaction_data"
	s, _, logs := newTestHTTP(t, raw, Options{})
	var got landingRecorder
	require.NoError(t, s.Fetch(context.Background(), testWindow.Start, testWindow.End, got.open))
	assert.True(t, sawAuthAtOrigin, "the origin gets the credentials")
	assert.Empty(t, gotAuth.Load(), "another port of the same host does not")
	assert.Contains(t, logs.String(), "following a redirect")
	assert.Contains(t, logs.String(), strings.TrimPrefix(other.URL, "http://"))
	assert.NotContains(t, logs.String(), "hunter2")

	t.Run("https to http is refused", func(t *testing.T) {
		tlsOrigin := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+r.URL.Path, http.StatusFound)
		}))
		t.Cleanup(tlsOrigin.Close)
		gotAuth.Store("")
		raw := strings.Replace(tlsOrigin.URL, "https://", "https://reader:hunter2@", 1) + "/wsapi/interaction_data"
		s, _, _ := newTestHTTP(t, raw, Options{Client: tlsOrigin.Client(), Retries: 1})
		err := s.Fetch(context.Background(), testWindow.Start, testWindow.End, (&landingRecorder{}).open)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "refusing a redirect from https to http")
		assert.NotContains(t, err.Error(), "attempts", "not retried")
		assert.NotContains(t, err.Error(), "hunter2")
		assert.Empty(t, gotAuth.Load(), "nothing reached the http server")
	})
}
