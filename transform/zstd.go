package transform

import (
	"sync"

	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/klauspost/compress/zstd"
)

// pooledZstd is arrow's zstd codec with its page encoder reused. arrow-go
// v17 builds a new zstd.Encoder for every page it compresses: GOMAXPROCS
// block encoders with their match tables and 8 MiB history each. On a
// day's files that was ~90% of all allocation (about 30 KB per blob) and
// most of the CPU time. The frames written are the same standard zstd
// frames; reading and streaming stay with arrow's codec.
//
// arrow looks codecs up in a process-wide registry, so the replacement is
// registered once, at init, before any writer can run; only this package
// writes Parquet.
type pooledZstd struct {
	compress.Codec
	pools sync.Map // level → *sync.Pool of *zstd.Encoder
}

func init() {
	if orig, err := compress.GetCodec(compress.Codecs.Zstd); err == nil {
		compress.RegisterCodec(compress.Codecs.Zstd, &pooledZstd{Codec: orig})
	}
}

func (z *pooledZstd) Encode(dst, src []byte) []byte {
	return z.EncodeLevel(dst, src, compress.DefaultCompressionLevel)
}

func (z *pooledZstd) EncodeLevel(dst, src []byte, level int) []byte {
	p, ok := z.pools.Load(level)
	if !ok {
		speed := zstd.SpeedDefault
		if level != compress.DefaultCompressionLevel {
			speed = zstd.EncoderLevelFromZstd(level)
		}
		p, _ = z.pools.LoadOrStore(level, &sync.Pool{New: func() any {
			// Options that are valid constants: NewWriter cannot fail.
			enc, _ := zstd.NewWriter(nil, zstd.WithZeroFrames(true), zstd.WithEncoderLevel(speed),
				zstd.WithEncoderConcurrency(1))
			return enc
		}})
	}
	pool := p.(*sync.Pool)
	enc := pool.Get().(*zstd.Encoder)
	out := enc.EncodeAll(src, dst[:0])
	pool.Put(enc)
	return out
}
