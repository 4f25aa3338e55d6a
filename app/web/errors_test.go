package web

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"mutual/sqldb"
)

// lockedBuffer collects log lines from the handler's goroutine.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) lines(t *testing.T) []map[string]any {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(l.b.String()), "\n") {
		m := map[string]any{}
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

// A client that closes the connection while its request is in the database
// is logged as having gone away (499, INFO), not as a server error; a real
// failure in the same handler is still a 500 at ERROR.
func TestClientGoneMidRequestIsNotAServerError(t *testing.T) {
	db, err := sqldb.Open(context.Background(), filepath.Join(t.TempDir(), "gone.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	logs := &lockedBuffer{}
	s := NewSite(slog.New(slog.NewJSONHandler(logs, nil)), nil, nil, nil, nil, 1<<20, time.Minute)
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(s.RequestLog, s.Recover)
	started := make(chan struct{})
	// A query long enough that the client leaves while it runs.
	slow := func(c *gin.Context) {
		close(started)
		var n int64
		err := db.QueryRow(c.Request.Context(), `WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 1000000000) SELECT COUNT(*) FROM k`).Scan(&n)
		if err == nil {
			err = errors.New("the query finished before the client left")
		}
		s.Fail(c, err)
	}
	r.GET("/api/v1/slow", slow)
	r.GET("/api/v1/slower", slow)
	r.GET("/api/v1/broken", func(c *gin.Context) { s.Fail(c, errors.New("disk on fire")) })

	for _, path := range []string{"/api/v1/slow", "/api/v1/slower"} {
		started = make(chan struct{})
		ctx, cancel := context.WithCancel(context.Background())
		req := httptest.NewRequest(http.MethodGet, path, nil).WithContext(ctx)
		rec := httptest.NewRecorder()
		done := make(chan struct{})
		go func() { r.ServeHTTP(rec, req); close(done) }()
		<-started
		time.Sleep(20 * time.Millisecond)
		cancel() // the client goes away mid-query
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: the handler did not stop when its client left", path)
		}
		if rec.Code != 499 {
			t.Errorf("%s: status %d, want %d", path, rec.Code, 499)
		}
		if strings.Contains(rec.Body.String(), "Something went wrong") {
			t.Errorf("%s: answered a gone client with an error page: %q", path, rec.Body.String())
		}
	}
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/broken", nil))
	if rec.Code != http.StatusInternalServerError {
		t.Fatalf("a real failure answered %d, want 500", rec.Code)
	}

	var requests []map[string]any
	for _, l := range logs.lines(t) {
		if l["msg"] == "request" {
			requests = append(requests, l)
			continue
		}
		if l["level"] == "ERROR" && l["err"] != "disk on fire" {
			t.Errorf("logged as an error: %v", l)
		}
	}
	if len(requests) != 3 {
		t.Fatalf("request lines = %v, want 3", requests)
	}
	for _, l := range requests[:2] {
		if l["status"] != float64(499) || l["level"] != "INFO" || l["client"] != "went away" {
			t.Errorf("gone client logged as %v, want status 499 at INFO, client went away", l)
		}
	}
	if l := requests[2]; l["status"] != float64(500) || l["level"] != "ERROR" {
		t.Errorf("real failure logged as %v, want status 500 at ERROR", l)
	}
}
