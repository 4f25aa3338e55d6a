package web

import (
	"bytes"
	"io"
	"strings"

	"github.com/klauspost/compress/gzip"
)

// Kept pages are gzipped with klauspost/compress: the same format as the
// standard library's, written and read two to three times faster, which
// matters because a busy thread's page is compressed again after it changes.
var (
	gzWriters = make(spares[*gzip.Writer], 4)
	gzReaders = make(spares[*gzip.Reader], 4)
)

// spares keeps up to its capacity of values for reuse. Unlike a sync.Pool
// it is not emptied by a collection: near the memory limit the collector
// ran several times a second, and most renders allocated a new gzip writer
// (a quarter of a megabyte each), 56 MB in six seconds of the open-loop run.
type spares[T any] chan T

// get returns a spare, or fresh() when there is none.
func (s spares[T]) get(fresh func() T) T {
	select {
	case v := <-s:
		return v
	default:
		return fresh()
	}
}

// put keeps v unless there are enough spares already.
func (s spares[T]) put(v T) {
	select {
	case s <- v:
	default:
	}
}

func newGzipWriter() *gzip.Writer {
	w, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed) // a valid level: no error
	return w
}

// gzipped returns body compressed.
func gzipped(body []byte) []byte {
	var buf bytes.Buffer
	buf.Grow(len(body)/4 + 64)
	w := gzWriters.get(newGzipWriter)
	defer gzWriters.put(w)
	w.Reset(&buf)
	_, _ = w.Write(body) // writes to memory do not fail
	_ = w.Close()
	return bytes.Clone(buf.Bytes()) // no spare capacity for the cache's bound to miss
}

// gunzipped returns the size bytes that gz holds, for a client that does
// not accept gzip.
func gunzipped(gz []byte, size int) ([]byte, error) {
	r := gzReaders.get(func() *gzip.Reader { return new(gzip.Reader) })
	if err := r.Reset(bytes.NewReader(gz)); err != nil {
		return nil, err
	}
	defer gzReaders.put(r)
	body := make([]byte, size)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, err
	}
	return body, nil
}

// acceptsGzip reports whether an Accept-Encoding header admits gzip (every
// browser's does; "gzip;q=0" refuses it).
func acceptsGzip(header string) bool {
	for part := range strings.SplitSeq(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), "gzip") && strings.TrimSpace(name) != "*" {
			continue
		}
		q := strings.ReplaceAll(params, " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}
