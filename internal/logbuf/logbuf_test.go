package logbuf_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"mutual/internal/logbuf"
)

// sink is what the log is written to; the flush timer writes from its own
// goroutine.
type sink struct {
	mu     sync.Mutex
	b      bytes.Buffer
	writes int
}

func (s *sink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writes++
	return s.b.Write(p)
}

func (s *sink) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (s *sink) Writes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writes
}

func logger(w *logbuf.Writer) *slog.Logger {
	return slog.New(logbuf.Handler(slog.NewJSONHandler(w, nil), w))
}

func TestInfoLinesWaitForTheIntervalAndGoOutTogether(t *testing.T) {
	out := &sink{}
	w := logbuf.New(out, 200*time.Millisecond)
	log := logger(w)
	for i := range 100 {
		log.Info("request", "n", i)
	}
	if got := out.String(); got != "" {
		t.Fatalf("written before the interval: %q", got)
	}
	deadline := time.Now().Add(5 * time.Second)
	for strings.Count(out.String(), "\n") < 100 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := strings.Count(out.String(), "\n"); n != 100 {
		t.Fatalf("%d lines written after the interval, want 100", n)
	}
	if n := out.Writes(); n != 1 {
		t.Errorf("100 lines took %d writes, want 1", n)
	}
	log.Info("later")
	w.Flush()
	if !strings.HasSuffix(out.String(), `"msg":"later"}`+"\n") {
		t.Errorf("a line logged after the first flush was not flushed: %q", out.String())
	}
}

func TestAWarningGoesOutAtOnceWithWhatCameBefore(t *testing.T) {
	out := &sink{}
	w := logbuf.New(out, time.Hour)
	log := logger(w).With("component", "web")
	log.Info("request", "path", "/")
	log.WithGroup("db").Warn("slow commit", "ms", 120)
	got := out.String()
	if !strings.Contains(got, `"msg":"request"`) || !strings.Contains(got, `"msg":"slow commit"`) || !strings.Contains(got, `"component":"web"`) {
		t.Fatalf("after a warning the log holds %q; want the request line and the warning", got)
	}
	if strings.Index(got, "request") > strings.Index(got, "slow commit") {
		t.Errorf("lines out of order: %q", got)
	}
	log.Error("failed", "err", "disk full")
	if !strings.Contains(out.String(), `"msg":"failed"`) {
		t.Errorf("an error was held back: %q", out.String())
	}
}

func TestAFullBufferIsWrittenWithoutWaiting(t *testing.T) {
	out := &sink{}
	w := logbuf.New(out, time.Hour)
	line := strings.Repeat("x", 999) + "\n"
	for range 200 { // 200 KB: more than the buffer holds
		fmt.Fprint(w, line)
	}
	if got := len(out.String()); got < 128<<10 {
		t.Fatalf("%d bytes written out of 200,000 with the buffer full, want most of them", got)
	}
	w.Flush()
	if got := out.String(); got != strings.Repeat(line, 200) {
		t.Fatalf("after Flush: %d bytes, want every line once and in order (200,000)", len(got))
	}
	huge := strings.Repeat("y", 100<<10) + "\n"
	fmt.Fprint(w, huge)
	if !strings.HasSuffix(out.String(), huge) {
		t.Error("a line larger than the buffer was not written through")
	}
}

func TestLinesFromManyGoroutinesStayWhole(t *testing.T) {
	out := &sink{}
	w := logbuf.New(out, time.Millisecond)
	log := logger(w)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				log.InfoContext(context.Background(), "request", "g", g, "i", i, "pad", strings.Repeat("p", 200))
			}
		})
	}
	wg.Wait()
	w.Flush()
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 4000 {
		t.Fatalf("%d lines, want 4,000", len(lines))
	}
	seen := map[string]bool{}
	for _, l := range lines {
		if !strings.HasPrefix(l, `{"time":`) || !strings.HasSuffix(l, `"}`) {
			t.Fatalf("a torn line: %q", l)
		}
		seen[l[strings.Index(l, `"g":`):strings.Index(l, `,"pad"`)]] = true
	}
	if len(seen) != 4000 {
		t.Errorf("%d distinct lines, want 4,000", len(seen))
	}
}
