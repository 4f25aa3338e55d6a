package main

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The generator reads every kind of answer net/http sends whole, on one
// kept-alive connection, and keeps the start of a refusal's body.
func TestSendReadsEveryAnswerOnOneConnection(t *testing.T) {
	var conns atomic.Int32
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/fixed":
			fmt.Fprint(w, strings.Repeat("a", 5000))
		case "/chunked":
			for range 3 {
				fmt.Fprint(w, strings.Repeat("b", 3000))
				w.(http.Flusher).Flush()
			}
		case "/refused":
			w.WriteHeader(http.StatusUnprocessableEntity)
			fmt.Fprint(w, `{"error": "You already posted   this."}`)
		case "/unchanged":
			w.WriteHeader(http.StatusNotModified)
		}
	}))
	ts.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	ts.Start()
	defer ts.Close()

	paths := []string{"/fixed", "/chunked", "/refused", "/unchanged", "/fixed"}
	jobs := make(chan job, len(paths))
	for i := range paths {
		jobs <- job{n: i, due: time.Now()}
	}
	close(jobs)
	srv := server{addr: ts.Listener.Addr().String(), timeout: 5 * time.Second}
	got := srv.send(jobs, func(n int) []byte { return readRequest(srv.addr, paths[n], false) })

	want := []result{{status: 200, bytes: 5000}, {status: 200, bytes: 9000}, {status: 422, bytes: 39, body: `{"error": "You already posted this."}`},
		{status: 304, body: "(empty)"}, {status: 200, bytes: 5000}}
	if len(got) != len(want) {
		t.Fatalf("%d results, want %d", len(got), len(want))
	}
	for i, w := range want {
		if g := got[i]; g.status != w.status || g.bytes != w.bytes || g.body != w.body {
			t.Errorf("%s: status %d, %d bytes, body %q; want %d, %d, %q", paths[i], g.status, g.bytes, g.body, w.status, w.bytes, w.body)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections opened for %d requests, want 1", n, len(paths))
	}
}

// A request the server does not answer in time is a socket error, counted
// from when it was due, and the next request goes on a new connection.
func TestSendCountsATimeoutFromWhenTheRequestWasDue(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			time.Sleep(300 * time.Millisecond)
		}
	}))
	defer ts.Close()
	jobs := make(chan job, 2)
	due := time.Now().Add(-time.Second)
	jobs <- job{n: 0, due: due}
	jobs <- job{n: 1, due: time.Now()}
	close(jobs)
	srv := server{addr: ts.Listener.Addr().String(), timeout: 100 * time.Millisecond}
	paths := []string{"/slow", "/quick"}
	got := srv.send(jobs, func(n int) []byte { return readRequest(srv.addr, paths[n], true) })
	if got[0].status != 0 || got[0].took < time.Second || !strings.Contains(got[0].body, "timeout") {
		t.Errorf("the slow request: %+v; want a socket error counted from a second before", got[0])
	}
	if got[1].status != 200 {
		t.Errorf("the request after the timeout: %+v", got[1])
	}
}

// Requests due in the warm-up are sent at the same rate but reported on
// their own line; the RESULT line counts only those due after it.
func TestWarmUpIsOfferedButReportedApart(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer ts.Close()
	srv := server{addr: ts.Listener.Addr().String(), timeout: 5 * time.Second}
	s := &stream{name: "readers", rate: 100, request: func(int) []byte { return readRequest(srv.addr, "/", true) }}
	s.offer(srv, 4, time.Now().Add(50*time.Millisecond), 200*time.Millisecond, 300*time.Millisecond)
	var out strings.Builder
	s.report(&out, 200*time.Millisecond, 300*time.Millisecond)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "WARMUP stream=readers") || !strings.HasPrefix(lines[1], "RESULT stream=readers") {
		t.Fatalf("report:\n%s", out.String())
	}
	if !strings.Contains(lines[0], " requests=20 ") || !strings.Contains(lines[1], " requests=30 ") || !strings.Contains(lines[1], " rps=100.0 ") {
		t.Errorf("want 20 requests in the warm-up and 30 after it, at 100/s:\n%s", out.String())
	}
}
