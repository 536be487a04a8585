package kpiggybank

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/persona-kpi/kpi/blob"
)

// Options configures a Client. Zero durations take the defaults
// below; Retries counts attempts after the first, so zero means one try.
type Options struct {
	// Username and Password are sent as basic auth. Credentials in the
	// URL's userinfo work too; a non-empty option wins over the URL.
	Username, Password string
	// Timeout bounds one request, body included (default 5m).
	Timeout time.Duration
	// Retries is the number of extra attempts after the first.
	Retries int
	// BackoffBase is the cap of the first retry delay (default 1s); the cap
	// doubles each retry and the delay is drawn uniformly below it.
	BackoffBase time.Duration
	// BackoffMax caps one delay, a server's Retry-After included
	// (default 1m).
	BackoffMax time.Duration
	// Client is the HTTP client to use (optional). It is copied, not
	// modified.
	Client *http.Client
	// Logger receives retries at Warn (optional).
	Logger *slog.Logger
}

const (
	defaultHTTPTimeout = 5 * time.Minute
	defaultBackoffBase = time.Second
	defaultBackoffMax  = time.Minute
	// smallBodyLimit bounds the ping and count answers and error snippets.
	smallBodyLimit = 512
)

// Client fetches windows from a KPIggybank server's read API.
type Client struct {
	dataURL, pingURL, countURL *url.URL // without userinfo
	name                       string
	user, pass                 string
	auth                       bool
	secrets                    []string // scrubbed from server-provided text
	opt                        Options
	client                     *http.Client
	log                        *slog.Logger

	// sleep waits between attempts and now reads the clock for
	// Retry-After dates; tests replace both to avoid real waiting.
	sleep func(ctx context.Context, d time.Duration) error
	now   func() time.Time
}

// NewClient returns a client for KPIggybank's interaction data endpoint,
// e.g. https://user:pass@kpiggybank.example.org/wsapi/interaction_data.
// The ping and count endpoints are derived from it: <dir>/ping and
// <url>/count.
func NewClient(rawURL string, opt Options) (*Client, error) {
	u, user, pass, err := parseEndpoint(rawURL)
	if err != nil {
		return nil, err
	}
	shown := *u
	shown.RawQuery, shown.ForceQuery = "", false
	name := shown.String()
	if opt, err = opt.withDefaults(name); err != nil {
		return nil, err
	}
	if opt.Username != "" {
		user = opt.Username
	}
	if opt.Password != "" {
		pass = opt.Password
	}
	dir := strings.TrimSuffix(u.Path, "/")
	s := &Client{
		dataURL:  u,
		pingURL:  withPath(shown, path.Join(path.Dir(dir), "ping")),
		countURL: withPath(shown, dir+"/count"),
		name:     name,
		user:     user,
		pass:     pass,
		auth:     user != "" || pass != "",
		opt:      opt,
		log:      opt.Logger,
		sleep:    sleepCtx,
		now:      time.Now,
	}
	s.client = redirectSafeClient(opt.Client, s.log)
	if s.auth {
		// The encoded header too: a server may echo it back.
		token := base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
		for _, secret := range []string{token, pass, user} {
			if secret != "" {
				s.secrets = append(s.secrets, secret)
			}
		}
	}
	return s, nil
}

// parseEndpoint checks the endpoint URL and takes its credentials out of
// it; no error quotes them.
func parseEndpoint(rawURL string) (u *url.URL, user, pass string, err error) {
	u, err = url.Parse(rawURL)
	if err != nil {
		// url.Parse's error quotes the whole input, credentials included.
		msg := err.Error()
		var ue *url.Error
		if errors.As(err, &ue) {
			msg = ue.Err.Error()
		}
		return nil, "", "", fmt.Errorf("source URL %s: %s", redactRawURL(rawURL), scrubUserinfo(msg, rawURL))
	}
	if u.User != nil {
		user = u.User.Username()
		pass, _ = u.User.Password()
	}
	u.User = nil
	u.Fragment, u.RawFragment = "", ""
	shown := *u
	shown.RawQuery, shown.ForceQuery = "", false
	name := shown.String()
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, "", "", fmt.Errorf("source URL %s: scheme must be http or https", name)
	case u.Host == "" || u.Hostname() == "":
		return nil, "", "", fmt.Errorf("source URL %s: no host", name)
	case strings.Trim(u.Path, "/") == "":
		return nil, "", "", fmt.Errorf("source URL %s: no path; expected the interaction data endpoint, e.g. /wsapi/interaction_data", name)
	}
	return u, user, pass, nil
}

// withDefaults checks the options and fills the zero ones.
func (opt Options) withDefaults(name string) (Options, error) {
	switch {
	case opt.Retries < 0:
		return opt, fmt.Errorf("source %s: retries must not be negative", name)
	case opt.Timeout < 0 || opt.BackoffBase < 0 || opt.BackoffMax < 0:
		return opt, fmt.Errorf("source %s: durations must not be negative", name)
	}
	if opt.Timeout == 0 {
		opt.Timeout = defaultHTTPTimeout
	}
	if opt.BackoffBase == 0 {
		opt.BackoffBase = defaultBackoffBase
	}
	if opt.BackoffMax == 0 {
		opt.BackoffMax = defaultBackoffMax
	}
	opt.BackoffBase = min(opt.BackoffBase, opt.BackoffMax)
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	return opt, nil
}

// withPath is u with another path.
func withPath(u url.URL, p string) *url.URL {
	u.Path, u.RawPath = p, ""
	return &u
}

// redirectSafeClient copies c (or a fresh client) with a redirect
// policy that keeps credentials with their origin: the Authorization
// header goes only to the scheme, host and port the request started at
// (Go's own rule ignores the port), userinfo in a Location is never
// used, a redirect from https to http is refused, and every redirect
// followed is logged.
func redirectSafeClient(c *http.Client, log *slog.Logger) *http.Client {
	var cp http.Client
	if c != nil {
		cp = *c
	}
	next := cp.CheckRedirect
	cp.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		req.URL.User = nil
		first := via[0].URL
		if strings.EqualFold(first.Scheme, "https") && !strings.EqualFold(req.URL.Scheme, "https") {
			return fmt.Errorf("%w from https to %s://%s", errDowngrade, req.URL.Scheme, req.URL.Host)
		}
		if !sameOrigin(first, req.URL) {
			req.Header.Del("Authorization")
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		if next != nil {
			if err := next(req, via); err != nil {
				return err
			}
		}
		to := *req.URL
		to.RawQuery, to.Fragment = "", ""
		log.Warn("following a redirect", "from", via[len(via)-1].URL.Host, "to", to.String(),
			"credentials", sameOrigin(first, req.URL))
		return nil
	}
	return &cp
}

// errDowngrade refuses a redirect from https to http; trying again would
// not help.
var errDowngrade = errors.New("refusing a redirect")

// sameOrigin compares scheme, host and port (the default port of the
// scheme when none is written).
func sameOrigin(a, b *url.URL) bool {
	port := func(u *url.URL) string {
		if p := u.Port(); p != "" {
			return p
		}
		if strings.EqualFold(u.Scheme, "https") {
			return "443"
		}
		return "80"
	}
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Hostname(), b.Hostname()) && port(a) == port(b)
}

// Name is the endpoint URL without credentials or query.
func (s *Client) Name() string { return s.name }

// Fetch streams the window's JSON array into a writer from open, checking
// as it goes that the body is one complete array of objects. It retries
// connection errors, timeouts, 408, 429, 5xx and bodies that are cut off
// or not such an array; other 4xx fail at once. The writer is opened only
// once a 2xx status has arrived.
func (s *Client) Fetch(ctx context.Context, start, end time.Time, open func() (io.Writer, error)) error {
	w := window{Start: start, End: end}
	u := *s.dataURL
	q := u.Query()
	q.Set("start", strconv.FormatInt(w.StartMs(), 10))
	q.Set("end", strconv.FormatInt(w.EndMs(), 10))
	u.RawQuery = q.Encode()
	target := u.String()
	op := fmt.Sprintf("fetch %s from %s", w, s.name)
	return s.retry(ctx, op, func(ctx context.Context) error {
		return s.fetchOnce(ctx, target, open)
	})
}

// Ping checks that the server answers its ping endpoint with "pong".
func (s *Client) Ping(ctx context.Context) error {
	target := s.pingURL.String()
	return s.retry(ctx, "ping "+target, func(ctx context.Context) error {
		body, err := s.getSmall(ctx, target)
		if err != nil {
			return err
		}
		if got := strings.TrimSpace(string(body)); got != "pong" {
			return retryable(fmt.Errorf("expected \"pong\", got %s", s.snippet(body)))
		}
		return nil
	})
}

// Count returns the server's total number of rows.
func (s *Client) Count(ctx context.Context) (int64, error) {
	target := s.countURL.String()
	var n int64
	err := s.retry(ctx, "count "+target, func(ctx context.Context) error {
		body, err := s.getSmall(ctx, target)
		if err != nil {
			return err
		}
		// KPIggybank answers with a bare JSON number; accept a quoted one.
		text := strings.Trim(strings.TrimSpace(string(body)), `"`)
		v, perr := strconv.ParseInt(text, 10, 64)
		if perr != nil || v < 0 {
			return retryable(fmt.Errorf("expected a row count, got %s", s.snippet(body)))
		}
		n = v
		return nil
	})
	return n, err
}

// retryableError marks an attempt's failure as worth another try.
type retryableError struct {
	err        error
	after      time.Duration // server's Retry-After
	afterKnown bool
}

func (e *retryableError) Error() string { return e.err.Error() }
func (e *retryableError) Unwrap() error { return e.err }

func retryable(err error) error { return &retryableError{err: err} }

// retry runs attempt until it succeeds, fails for good, runs out of
// attempts or ctx ends. Each attempt gets its own Timeout.
func (s *Client) retry(ctx context.Context, op string, attempt func(context.Context) error) error {
	total := s.opt.Retries + 1
	var last error
	for i := 1; ; i++ {
		actx, cancel := context.WithTimeout(ctx, s.opt.Timeout)
		err := attempt(actx)
		cancel()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("%s: %w", op, context.Cause(ctx))
		}
		var r *retryableError
		if !errors.As(err, &r) {
			return fmt.Errorf("%s: %w", op, err)
		}
		last = r.err
		if i == total {
			break
		}
		d := s.delay(i, r)
		s.log.Warn("retrying", "op", op, "attempt", i, "of", total, "delay", d, "reason", r.err.Error())
		if err := s.sleep(ctx, d); err != nil {
			return fmt.Errorf("%s: %w (after %s)", op, err, attempts(i))
		}
	}
	return fmt.Errorf("%s: %w (after %s)", op, last, attempts(total))
}

func attempts(n int) string {
	if n == 1 {
		return "1 attempt"
	}
	return fmt.Sprintf("%d attempts", n)
}

// delay is the wait before attempt i+1: the server's Retry-After if it
// sent one, else full jitter below BackoffBase·2^(i-1); both capped at
// BackoffMax.
func (s *Client) delay(i int, r *retryableError) time.Duration {
	ceiling := s.opt.BackoffMax
	if r.afterKnown {
		return min(r.after, ceiling)
	}
	c := s.opt.BackoffBase
	for k := 1; k < i && c < ceiling; k++ {
		if c > ceiling/2 {
			c = ceiling
			break
		}
		c *= 2
	}
	c = min(c, ceiling)
	if c <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(c) + 1))
}

// sleepCtx waits for d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// get sends one GET. Its errors are already classified and free of
// credentials: the request URL never carries userinfo and *url.Error is
// unwrapped.
func (s *Client) get(ctx context.Context, target string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	if s.auth {
		req.SetBasicAuth(s.user, s.pass)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "kpi (persona-kpi)")
	resp, err := s.client.Do(req)
	if err == nil {
		return resp, nil
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if ctx.Err() != nil {
		return nil, retryable(fmt.Errorf("timed out after %s waiting for the response", s.opt.Timeout))
	}
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var verifyErr *tls.CertificateVerificationError
	if errors.Is(err, errDowngrade) {
		return nil, err
	}
	if errors.As(err, &unknownCA) || errors.As(err, &hostErr) || errors.As(err, &verifyErr) {
		return nil, fmt.Errorf("TLS certificate not accepted: %v", err)
	}
	return nil, retryable(fmt.Errorf("request failed: %v", err))
}

// checkStatus accepts 2xx; it closes the body of anything else and says
// whether another attempt may help.
func (s *Client) checkStatus(resp *http.Response) error {
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		return nil
	}
	head, _ := io.ReadAll(io.LimitReader(resp.Body, smallBodyLimit))
	resp.Body.Close()
	// The server's own reason phrase is not echoed: it is arbitrary text.
	status := strconv.Itoa(resp.StatusCode)
	if t := http.StatusText(resp.StatusCode); t != "" {
		status += " " + t
	}
	detail := ""
	if len(strings.TrimSpace(string(head))) > 0 {
		detail = ": " + s.snippet(head)
	}
	code := resp.StatusCode
	switch {
	case code == http.StatusTooManyRequests || code == http.StatusRequestTimeout || code >= 500:
		r := &retryableError{err: fmt.Errorf("HTTP %s%s", status, detail)}
		r.after, r.afterKnown = parseRetryAfter(resp.Header.Get("Retry-After"), s.now())
		return r
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return fmt.Errorf("HTTP %s: check the credentials", status)
	case code == http.StatusNotFound:
		return fmt.Errorf("HTTP %s: check the URL", status)
	default:
		return fmt.Errorf("HTTP %s%s", status, detail)
	}
}

// parseRetryAfter reads a Retry-After header: delay seconds or an
// HTTP-date.
func parseRetryAfter(h string, now time.Time) (time.Duration, bool) {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(h, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(1<<62/time.Second) {
			secs = int64(1 << 62 / time.Second)
		}
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// getSmall fetches a short answer (ping, count).
func (s *Client) getSmall(ctx context.Context, target string) ([]byte, error) {
	resp, err := s.get(ctx, target)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if err := s.checkStatus(resp); err != nil {
		return nil, err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, smallBodyLimit))
	if err != nil {
		if ctx.Err() != nil {
			return nil, retryable(fmt.Errorf("timed out after %s reading the body", s.opt.Timeout))
		}
		return nil, retryable(fmt.Errorf("reading the body: %v", err))
	}
	return body, nil
}

// fetchOnce is one attempt at a window: the writer is opened only once a
// 2xx answer has arrived, so failed statuses leave nothing behind.
func (s *Client) fetchOnce(ctx context.Context, target string, open func() (io.Writer, error)) error {
	resp, err := s.get(ctx, target)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := s.checkStatus(resp); err != nil {
		return err
	}
	w, err := open()
	if err != nil {
		return fmt.Errorf("open the landing writer: %w", err)
	}
	out := &writeTap{w: w}
	in := &readTap{r: resp.Body}
	verr := validateJSONArray(io.TeeReader(in, out))
	if verr == nil {
		return nil
	}
	switch {
	case out.err != nil:
		// A local write failure: retrying the network will not help.
		return fmt.Errorf("write the body: %w", out.err)
	case ctx.Err() != nil:
		return retryable(fmt.Errorf("timed out after %s reading the body (%d bytes received)", s.opt.Timeout, in.n))
	case errors.Is(in.err, io.ErrUnexpectedEOF) || errors.Is(verr, io.ErrUnexpectedEOF):
		return retryable(fmt.Errorf("response body cut off after %d bytes", in.n))
	case in.err != nil:
		return retryable(fmt.Errorf("reading the body failed after %d bytes: %v", in.n, in.err))
	}
	ct := resp.Header.Get("Content-Type")
	if ct == "" {
		ct = "none"
	}
	seen := fmt.Sprintf("Content-Type %s, starts %s", s.snippet([]byte(ct)), s.snippet(in.head))
	var shape *shapeError
	var syn *json.SyntaxError
	switch {
	case errors.Is(verr, errEmptyBody):
		return retryable(fmt.Errorf("empty response body (Content-Type %s)", s.snippet([]byte(ct))))
	case errors.As(verr, &shape):
		return retryable(fmt.Errorf("response is not a JSON array of objects: %s (%s)", shape.msg, seen))
	case errors.Is(verr, errNotJSON):
		return retryable(fmt.Errorf("response is not JSON (%s)", seen))
	case errors.As(verr, &syn):
		return retryable(fmt.Errorf("response is not valid JSON at byte %d: %v (%s)", syn.Offset, syn, seen))
	default:
		return retryable(fmt.Errorf("reading the body: %v", verr))
	}
}

var (
	errEmptyBody = errors.New("empty body")
	errNotJSON   = errors.New("not JSON")
)

// shapeError is valid JSON of the wrong shape.
type shapeError struct{ msg string }

func (e *shapeError) Error() string { return e.msg }

// validateJSONArray reads r to its end and checks that it holds exactly
// one complete JSON array, reading it as the transform stage will
// (blob.Elements): the array's structure decides, not each element, so
// an element that is not valid JSON, not an object or nested too deep is
// left for transform to reject alone, exactly as it would be from a
// file, instead of failing the whole window. Memory is bounded by the
// largest element, never the whole body.
func validateJSONArray(r io.Reader) error {
	br := bufio.NewReader(r)
	first, err := firstByte(br)
	switch {
	case errors.Is(err, io.EOF):
		return errEmptyBody
	case err != nil:
		return err
	case first != '[':
		if tok := firstToken(json.RawMessage(peekSome(br))); tok != nil {
			return &shapeError{fmt.Sprintf("the body is %s", describeToken(tok))}
		}
		return errNotJSON
	}
	el := blob.NewElements(br)
	for el.Next() {
		switch inv := el.Invalid(); {
		case errors.Is(inv, blob.ErrCutOff):
			return io.ErrUnexpectedEOF
		case errors.Is(inv, blob.ErrStructure):
			return &shapeError{inv.Error()}
		}
	}
	return el.Err()
}

// firstByte is the first byte of r after whitespace (and a BOM), unread.
func firstByte(br *bufio.Reader) (byte, error) {
	if b, err := br.Peek(3); err == nil && string(b) == "\xef\xbb\xbf" {
		_, _ = br.Discard(3)
	}
	for {
		b, err := br.Peek(1)
		if err != nil {
			return 0, err
		}
		switch b[0] {
		case ' ', '\t', '\n', '\r':
			_, _ = br.Discard(1)
		default:
			return b[0], nil
		}
	}
}

// peekSome is the start of what br holds, unread.
func peekSome(br *bufio.Reader) []byte {
	b, _ := br.Peek(64)
	return b
}

func firstToken(raw json.RawMessage) json.Token {
	tok, _ := json.NewDecoder(strings.NewReader(string(raw[:min(len(raw), 64)]))).Token()
	return tok
}

func describeToken(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			return "an object"
		}
		return "an array"
	case string:
		return "a string"
	case float64, json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return "not a value"
}

// writeTap remembers the writer's error, to tell local failures from
// network ones.
type writeTap struct {
	w   io.Writer
	err error
}

func (t *writeTap) Write(p []byte) (int, error) {
	n, err := t.w.Write(p)
	if err != nil {
		t.err = err
	}
	return n, err
}

// readTap counts the body, keeps its first bytes for error messages and
// remembers a transport error (anything but EOF).
type readTap struct {
	r    io.Reader
	n    int64
	head []byte
	err  error
}

func (t *readTap) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if len(t.head) < 64 {
		t.head = append(t.head, p[:min(n, 64-len(t.head))]...)
	}
	t.n += int64(n)
	if err != nil && err != io.EOF {
		t.err = err
	}
	return n, err
}

// snippet renders server-provided bytes as a short quoted single line,
// with the credentials removed in case the server echoes them.
func (s *Client) snippet(b []byte) string {
	b = b[:min(len(b), smallBodyLimit)]
	var sb strings.Builder
	space := false
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		b = b[size:]
		if unicode.IsSpace(r) || !unicode.IsPrint(r) {
			space = sb.Len() > 0
			continue
		}
		if space {
			sb.WriteByte(' ')
			space = false
		}
		sb.WriteRune(r)
	}
	text := sb.String()
	for _, secret := range s.secrets {
		text = strings.ReplaceAll(text, secret, "***")
	}
	if utf8.RuneCountInString(text) > 80 {
		text = string([]rune(text)[:80]) + "…"
	}
	return strconv.Quote(text)
}

// redactRawURL drops the userinfo of a URL that did not parse, by text.
func redactRawURL(raw string) string {
	rest, scheme := raw, ""
	if i := strings.Index(raw, "://"); i >= 0 {
		scheme, rest = raw[:i+3], raw[i+3:]
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	if at := strings.LastIndex(rest[:end], "@"); at >= 0 {
		rest = rest[at+1:]
	}
	return strconv.Quote(scheme + rest)
}

// scrubUserinfo removes the user and password parts of raw's userinfo
// from msg.
func scrubUserinfo(msg, raw string) string {
	rest := raw
	if i := strings.Index(raw, "://"); i >= 0 {
		rest = raw[i+3:]
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	at := strings.LastIndex(rest[:end], "@")
	if at < 0 {
		return msg
	}
	info := rest[:at]
	parts := append([]string{info}, strings.SplitN(info, ":", 2)...)
	for _, p := range parts {
		if p != "" {
			msg = strings.ReplaceAll(msg, p, "***")
		}
	}
	return msg
}
