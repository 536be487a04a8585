package extract

import (
	"errors"
	"io"
	"runtime"
	"sync"

	"github.com/klauspost/compress/gzip"
)

// pgzip is a gzip writer that uses every core: it cuts its input into
// blocks, compresses them concurrently, each as a gzip member, and writes
// the members in order. Concatenated members are one valid gzip stream for
// every reader (Landing.Open included). A source that writes a window, the
// generator or an HTTP body, then runs beside its compression.
type pgzip struct {
	dst    io.Writer
	fill   *block
	free   chan *block
	jobs   chan *block
	order  chan *block
	wg     sync.WaitGroup
	werr   chan error
	mu     sync.Mutex
	failed error
	sent   bool // a block was sent
	closed bool
}

func newPgzip(dst io.Writer) *pgzip {
	workers := max(1, runtime.GOMAXPROCS(0))
	blocks := 2*workers + 2
	z := &pgzip{
		dst:   dst,
		free:  make(chan *block, blocks),
		jobs:  make(chan *block, workers),
		order: make(chan *block, blocks),
		werr:  make(chan error, 1),
	}
	for range blocks {
		z.free <- &block{text: make([]byte, 0, blockSize), done: make(chan struct{}, 1)}
	}
	for range workers {
		z.wg.Add(1)
		go func() {
			defer z.wg.Done()
			compressBlocks(z.jobs)
		}()
	}
	go z.write()
	return z
}

// compressBlocks turns blocks into gzip members until jobs is closed
// (BestSpeed: the landing copy must keep pace with the rest of the
// pipeline; it still shrinks JSON about 6×, and klauspost/compress writes
// the same format as compress/gzip about 1.5× as fast).
func compressBlocks(jobs <-chan *block) {
	zw, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed) // a valid level: no error
	for b := range jobs {
		b.gz.Reset()
		zw.Reset(&b.gz)
		_, _ = zw.Write(b.text) // writes to a bytes.Buffer cannot fail
		_ = zw.Close()
		b.done <- struct{}{}
	}
}

func (z *pgzip) write() {
	var err error
	for b := range z.order {
		<-b.done
		if err == nil {
			if _, err = z.dst.Write(b.gz.Bytes()); err != nil {
				z.mu.Lock()
				z.failed = err
				z.mu.Unlock()
			}
		}
		b.text = b.text[:0]
		z.free <- b
	}
	z.werr <- err
}

func (z *pgzip) err() error {
	z.mu.Lock()
	defer z.mu.Unlock()
	return z.failed
}

// Write implements io.Writer.
func (z *pgzip) Write(p []byte) (int, error) {
	if z.closed {
		return 0, errors.New("write to a closed gzip writer")
	}
	n := len(p)
	for len(p) > 0 {
		if z.fill == nil {
			z.fill = <-z.free
		}
		k := min(len(p), blockSize-len(z.fill.text))
		z.fill.text = append(z.fill.text, p[:k]...)
		p = p[k:]
		if len(z.fill.text) == blockSize {
			z.send()
		}
	}
	return n, z.err()
}

func (z *pgzip) send() {
	z.sent = true
	b := z.fill
	z.fill = nil
	z.order <- b
	z.jobs <- b
}

// Close compresses and writes what is left and waits until every member
// is written; it does not close dst. Empty input still makes one (empty)
// member: a gzip file is never zero bytes.
func (z *pgzip) Close() error {
	if z.closed {
		return nil
	}
	if z.fill == nil && !z.sent {
		z.fill = <-z.free
	}
	if z.fill != nil && (len(z.fill.text) > 0 || !z.sent) {
		z.send()
	}
	z.closed = true
	close(z.jobs)
	close(z.order)
	z.wg.Wait()
	return <-z.werr
}
