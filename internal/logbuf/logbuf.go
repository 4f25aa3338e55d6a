// Package logbuf holds a log's lines in memory and writes them out many at a
// time, as nginx's access_log does with buffer= and flush=. The server logs
// a line for every request; written one by one they cost a system call each,
// as much CPU as the rest of a cached page's logging. Held back, a line
// waits at most the flush interval. A record at WARN or above goes out at
// once, with everything logged before it, so a problem is never left
// sitting in memory.
//
// What is lost is what a crash catches in the buffer: at most the last
// interval's INFO lines. A clean shutdown flushes them.
package logbuf

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"time"
)

// size is how much the buffer holds before it is written out regardless of
// the interval: a few hundred request lines.
const size = 64 << 10

// Writer buffers what is written to it and writes it to out at most every
// interval later, when the buffer fills, or on Flush.
type Writer struct {
	out   io.Writer
	every time.Duration

	mu      sync.Mutex
	buf     []byte
	timer   *time.Timer
	pending bool // the timer is set to flush what buf holds
}

// New returns a Writer to out that flushes every interval.
func New(out io.Writer, every time.Duration) *Writer {
	w := &Writer{out: out, every: every, buf: make([]byte, 0, size)}
	w.timer = time.AfterFunc(time.Hour, w.Flush)
	w.timer.Stop()
	return w
}

// Write buffers p. It never fails: a failure to write the log out is not
// the caller's to handle, as with slog writing to stderr.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf)+len(p) > size {
		w.flushLocked()
	}
	if len(p) >= size {
		_, _ = w.out.Write(p)
		return len(p), nil
	}
	w.buf = append(w.buf, p...)
	if !w.pending {
		w.pending = true
		w.timer.Reset(w.every)
	}
	return len(p), nil
}

// Flush writes out what the buffer holds.
func (w *Writer) Flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.flushLocked()
}

func (w *Writer) flushLocked() {
	if w.pending {
		w.pending = false
		w.timer.Stop()
	}
	if len(w.buf) == 0 {
		return
	}
	_, _ = w.out.Write(w.buf)
	w.buf = w.buf[:0]
}

// Handler returns h, writing to w, that flushes w after each record at WARN
// or above.
func Handler(h slog.Handler, w *Writer) slog.Handler { return handler{h, w} }

type handler struct {
	slog.Handler
	w *Writer
}

func (h handler) Handle(ctx context.Context, r slog.Record) error {
	err := h.Handler.Handle(ctx, r)
	if r.Level >= slog.LevelWarn {
		h.w.Flush()
	}
	return err
}

func (h handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return handler{h.Handler.WithAttrs(attrs), h.w}
}

func (h handler) WithGroup(name string) slog.Handler {
	return handler{h.Handler.WithGroup(name), h.w}
}
