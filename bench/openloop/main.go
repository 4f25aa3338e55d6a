// Command openloop offers Mutual a constant rate of requests, whether or not
// earlier ones have been answered, and measures each request's latency from
// the moment it was due: readers of popular thread pages and writers of
// replies at once. A closed-loop tool (wrk) sends a connection's next
// request only after the last answer, so when the server stalls it stops
// asking, and the stall shows as one slow request instead of the many a
// steady stream of members would have met (coordinated omission).
//
//	openloop --url http://127.0.0.1:18080 --reads reads.txt --read-rate 5000 \
//	    --write-rate 500 --tokens t1,t2 --threads 12,34 --duration 15s
//
// It prints one RESULT line per stream, in the form bench/wrk/common.lua
// prints for wrk, with stream=readers or stream=writers, and the first
// refusal's status and body. Latencies are in microseconds; lag_p99_us is how
// late this program itself queued requests (it counts in the latencies: a
// request's clock starts when it was due). With --warmup, requests are
// offered at the same rates for that long first and reported apart, on a
// WARMUP line, as wrk2 leaves its calibration out of what it records: the
// RESULT line is the server under a steady load, and the WARMUP line how it
// met the load's first seconds.
//
// It runs on the server's own cores, so it speaks HTTP/1.1 itself over a
// fixed pool of keep-alive connections per stream, as wrk2 does: net/http's
// client cost about 0.2 ms of CPU a request, as much as the server's answer
// from its page cache, and took that CPU from the server it measured.
package main

import (
	"bufio"
	"cmp"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:18080", "the server")
	reads := flag.String("reads", "", "file of paths to read, one per line (the most viewed thread pages)")
	readRate := flag.Float64("read-rate", 0, "page reads offered per second")
	writeRate := flag.Float64("write-rate", 0, "replies offered per second")
	tokens := flag.String("tokens", "", "comma-separated bearer tokens of the writers")
	threads := flag.String("threads", "", "comma-separated thread ids replies go to (the most read)")
	nonce := flag.String("nonce", fmt.Sprint(time.Now().UnixNano()), "makes every reply's text and client_key unique to the run")
	duration := flag.Duration("duration", 15*time.Second, "how long requests are offered")
	timeout := flag.Duration("timeout", 5*time.Second, "a request not answered by then counts as a socket error")
	warm := flag.Bool("warm", true, "read every path once before the run, as a running server would have")
	gzipped := flag.Bool("gzip", true, "readers accept gzip, as every browser does")
	conns := flag.Int("conns", 64, "connections per stream, opened before the first request is due; a request due while all are busy waits for one, its clock running")
	warmup := flag.Duration("warmup", 0, "offer the same load this long first, reported apart on a WARMUP line (at most 10s, wrk2's calibration)")
	flag.Parse()
	if *duration <= 0 || *duration > 15*time.Second {
		log.Fatal("openloop: --duration must be within 15s")
	}
	if *warmup < 0 || *warmup > 10*time.Second {
		log.Fatal("openloop: --warmup must be within 10s")
	}
	if *conns < 1 {
		log.Fatal("openloop: --conns must be at least 1")
	}
	u, err := url.Parse(*base)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		log.Fatalf("openloop: --url %q: want http://host:port", *base)
	}
	srv := server{addr: u.Host, timeout: *timeout}
	var streams []*stream
	if *readRate > 0 {
		paths, err := lines(*reads)
		if err != nil {
			log.Fatal(err)
		}
		if *warm {
			srv.warmUp(paths)
		}
		gets := make([][]byte, len(paths))
		for i, p := range paths {
			gets[i] = readRequest(u.Host, p, *gzipped)
		}
		streams = append(streams, &stream{name: "readers", rate: *readRate, request: func(int) []byte { return gets[rand.IntN(len(gets))] }})
	}
	if *writeRate > 0 {
		toks, ths := split(*tokens), split(*threads)
		if len(toks) == 0 || len(ths) == 0 {
			log.Fatal("openloop: writers need --tokens and --threads")
		}
		streams = append(streams, &stream{name: "writers", rate: *writeRate, request: func(n int) []byte {
			body := fmt.Sprintf(`{"body":"Open-loop reply %d of run %s: restart the phone, then **reset network settings** under *Settings*.","client_key":"%s-%d"}`,
				n, *nonce, *nonce, n)
			return fmt.Appendf(nil, "POST /api/v1/threads/%s/posts HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
				ths[n%len(ths)], u.Host, userAgent, toks[n%len(toks)], len(body), body)
		}})
	}
	if len(streams) == 0 {
		log.Fatal("openloop: nothing to offer: set --read-rate or --write-rate")
	}
	start := time.Now().Add(200 * time.Millisecond) // time to open the connections
	var wg sync.WaitGroup
	for _, s := range streams {
		wg.Go(func() { s.offer(srv, *conns, start, *warmup, *duration) })
	}
	wg.Wait()
	for _, s := range streams {
		s.report(os.Stdout, *warmup, *duration)
	}
}

// userAgent names this program. Page views it makes are counted as a
// visitor's are (deflection's robot filter does not know it), so a read
// costs the server what a person's does.
const userAgent = "Mozilla/5.0 (mutual-openloop)"

func readRequest(host, path string, gzipped bool) []byte {
	enc := ""
	if gzipped {
		// As a browser asks; the body is counted, not decompressed.
		enc = "Accept-Encoding: gzip\r\n"
	}
	return fmt.Appendf(nil, "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\n%s\r\n", path, host, userAgent, enc)
}

// stream is one kind of request offered at a fixed rate, and what came of it.
type stream struct {
	name    string
	rate    float64
	request func(n int) []byte // request n, whole, as it goes on the wire

	mu      sync.Mutex
	results []result
	lags    []time.Duration // from when each measured request was due to when it was queued
}

// job is request n, due at due; warm when it falls in the warm-up.
type job struct {
	n    int
	due  time.Time
	warm bool
}

// offer queues request n at start + n/rate, for a pool of conns connections
// to send as each comes free, so a slow answer delays nothing but the
// requests that find every connection busy, and waits for the answers.
func (s *stream) offer(srv server, conns int, start time.Time, warmup, d time.Duration) {
	interval := time.Duration(float64(time.Second) / s.rate)
	total := int((warmup + d) / interval)
	measured := start.Add(warmup)
	jobs := make(chan job, total)
	var wg sync.WaitGroup
	for range conns {
		wg.Go(func() {
			rs := srv.send(jobs, s.request)
			s.mu.Lock()
			s.results = append(s.results, rs...)
			s.mu.Unlock()
		})
	}
	lags := make([]time.Duration, 0, total)
	for n := 0; n < total; {
		now := time.Now()
		for ; n < total && !start.Add(time.Duration(n)*interval).After(now); n++ {
			due := start.Add(time.Duration(n) * interval)
			warm := due.Before(measured)
			if !warm {
				lags = append(lags, now.Sub(due))
			}
			jobs <- job{n: n, due: due, warm: warm}
		}
		// Waking for every request at 10,000 a second would cost the
		// server's CPU; a quarter of a millisecond late is within noise.
		time.Sleep(max(time.Until(start.Add(time.Duration(n)*interval)), 250*time.Microsecond))
	}
	close(jobs)
	wg.Wait()
	s.lags = lags
}

// result is one request's answer, or its failure.
type result struct {
	took   time.Duration // from when it was due to its answer, or its failure
	status int           // 0: no answer (a socket error or the timeout)
	bytes  int
	body   string // the start of a refusal's body, or the error
	warm   bool   // due in the warm-up
}

// report prints the stream's WARMUP line (with a warm-up) and RESULT line,
// in common.lua's form.
func (s *stream) report(w io.Writer, warmup, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var warm, measured []result
	for _, r := range s.results {
		if r.warm {
			warm = append(warm, r)
		} else {
			measured = append(measured, r)
		}
	}
	if warmup > 0 {
		s.line(w, "WARMUP", warm, nil, warmup)
	}
	s.line(w, "RESULT", measured, s.lags, d)
}

// line prints one line of results over d, and the first refusal among them.
func (s *stream) line(w io.Writer, label string, results []result, lags []time.Duration, d time.Duration) {
	slices.SortFunc(results, func(a, b result) int { return cmp.Compare(a.took, b.took) })
	latencies := make([]time.Duration, len(results))
	answered, non2xx, statusErrs, sockErrs, bytes := 0, 0, 0, 0, int64(0)
	var first *result
	for i, r := range results {
		latencies[i] = r.took // a request that failed counts for as long as it waited
		switch {
		case r.status == 0:
			sockErrs++
		case r.status >= 400:
			statusErrs++
		}
		if r.status != 0 {
			answered++
			bytes += int64(r.bytes)
		}
		if r.status != 0 && (r.status < 200 || r.status > 299) {
			non2xx++
		}
		if r.body != "" && first == nil {
			first = &results[i]
		}
	}
	slices.Sort(lags)
	secs := d.Seconds()
	fmt.Fprintf(w, "%s stream=%s offered=%.1f rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d requests=%d seconds=%.2f status_errors=%d socket_errors=%d bytes=%d non2xx=%d lag_p99_us=%d\n",
		label, s.name, s.rate, float64(answered)/secs, pct(latencies, 50), pct(latencies, 90), pct(latencies, 99), pct(latencies, 100),
		answered, secs, statusErrs, sockErrs, bytes, non2xx, pct(lags, 99))
	if first != nil {
		status := first.status
		if status == 0 {
			status = -1
		}
		fmt.Fprintf(w, "FIRST_REFUSAL stream=%s in=%s status=%d body=%s\n", s.name, label, status, first.body)
	}
}

// pct is the p-th percentile of sorted, in microseconds (nearest rank).
func pct(sorted []time.Duration, p float64) int64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p/100+0.5) - 1
	return sorted[max(0, min(i, len(sorted)-1))].Microseconds()
}

// warmUp reads every path once, four at a time.
func (srv server) warmUp(paths []string) {
	jobs := make(chan job, len(paths))
	for i := range paths {
		jobs <- job{n: i, due: time.Now()}
	}
	close(jobs)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() { srv.send(jobs, func(n int) []byte { return readRequest(srv.addr, paths[n], true) }) })
	}
	wg.Wait()
}

func lines(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			out = append(out, l)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("openloop: no paths in %s", path)
	}
	return out, sc.Err()
}

func split(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// server is where requests go: one keep-alive HTTP/1.1 connection per
// sender, opened again after an error or a "Connection: close".
type server struct {
	addr    string
	timeout time.Duration
}

// send sends each job's request on one connection in turn, until jobs is
// closed, and returns what came of them. The connection is opened before
// the first job, as wrk2 connects before its clock starts: 128 connections
// opened at the first due requests were part of the run's first second.
func (srv server) send(jobs <-chan job, request func(n int) []byte) []result {
	var out []result
	c, _ := srv.dial() // on failure, the first job dials again and reports it
	for j := range jobs {
		var r result
		var err error
		if c == nil {
			c, err = srv.dial()
		}
		if err == nil {
			r, err = c.roundTrip(request(j.n), time.Now().Add(srv.timeout))
		}
		r.took, r.warm = time.Since(j.due), j.warm
		if err != nil {
			r.status, r.body = 0, err.Error()
		}
		if err != nil || c.closing {
			if c != nil {
				c.Close()
			}
			c = nil
		}
		out = append(out, r)
	}
	if c != nil {
		c.Close()
	}
	return out
}

func (srv server) dial() (*conn, error) {
	nc, err := net.DialTimeout("tcp", srv.addr, srv.timeout)
	if err != nil {
		return nil, err
	}
	return &conn{Conn: nc, r: bufio.NewReaderSize(nc, 64<<10), scratch: make([]byte, 32<<10)}, nil
}
