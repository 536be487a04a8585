package extract

import (
	"bytes"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/stretchr/testify/require"
)

func TestPackerWritesOneZstdStream(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, size := range []int{0, 1, blockSize - 1, blockSize, 3*blockSize + 17} {
		in := make([]byte, size)
		const alphabet = "abc{}[]\",:0123456789 \n"
		for i := range in {
			in[i] = alphabet[rng.IntN(len(alphabet))]
		}
		var out bytes.Buffer
		z := newPacker(&out)
		// Uneven writes, across block edges.
		for rest := in; len(rest) > 0; {
			k := min(len(rest), 1+rng.IntN(70_000))
			n, err := z.Write(rest[:k])
			require.NoError(t, err)
			require.Equal(t, k, n)
			rest = rest[k:]
		}
		require.NoError(t, z.Close())
		// A plain stream reader, which reads concatenated frames.
		zr, err := zstd.NewReader(&out)
		require.NoError(t, err, "size %d", size)
		got, err := io.ReadAll(zr)
		require.NoError(t, err)
		require.Equal(t, in, got, "size %d", size)
	}
}
