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
// late this program itself sent requests (it counts in the latencies: a
// request's clock starts when it was due).
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
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
	conns := flag.Int("conns", 64, "at most this many connections; a request due while all are busy waits for one, its clock running (0: a new connection whenever none is free)")
	flag.Parse()
	if *duration <= 0 || *duration > 15*time.Second {
		log.Fatal("openloop: --duration must be within 15s")
	}
	// A bounded pool, as wrk2 keeps: opening a connection for every request
	// due while the server is slow made both sides spend their CPU on new
	// connections, and a pause of the server grew into a collapse of the
	// generator (it fell 8 s behind at 8,000 page reads a second, with no
	// writes at all).
	client := &http.Client{Timeout: *timeout, Transport: &http.Transport{
		MaxIdleConns: 2048, MaxIdleConnsPerHost: 2048, MaxConnsPerHost: *conns, DisableCompression: true, IdleConnTimeout: time.Minute}}
	var streams []*stream
	if *readRate > 0 {
		paths, err := lines(*reads)
		if err != nil {
			log.Fatal(err)
		}
		if *warm {
			warmUp(client, *base, paths)
		}
		streams = append(streams, &stream{name: "readers", rate: *readRate, next: func(int) (*http.Request, error) {
			r, err := http.NewRequest(http.MethodGet, *base+paths[rand.IntN(len(paths))], nil)
			if err == nil && *gzipped {
				// As a browser asks; the body is read, not decompressed
				// (DisableCompression), so the generator's CPU stays small.
				r.Header.Set("Accept-Encoding", "gzip")
			}
			return r, err
		}})
	}
	if *writeRate > 0 {
		toks, ths := split(*tokens), split(*threads)
		if len(toks) == 0 || len(ths) == 0 {
			log.Fatal("openloop: writers need --tokens and --threads")
		}
		streams = append(streams, &stream{name: "writers", rate: *writeRate, next: func(n int) (*http.Request, error) {
			body := fmt.Sprintf(`{"body":"Open-loop reply %d of run %s: restart the phone, then **reset network settings** under *Settings*.","client_key":"%s-%d"}`,
				n, *nonce, *nonce, n)
			r, err := http.NewRequest(http.MethodPost, *base+"/api/v1/threads/"+ths[n%len(ths)]+"/posts", strings.NewReader(body))
			if err == nil {
				r.Header.Set("Authorization", "Bearer "+toks[n%len(toks)])
				r.Header.Set("Content-Type", "application/json")
			}
			return r, err
		}})
	}
	if len(streams) == 0 {
		log.Fatal("openloop: nothing to offer: set --read-rate or --write-rate")
	}
	start := time.Now().Add(50 * time.Millisecond)
	var wg sync.WaitGroup
	for _, s := range streams {
		wg.Go(func() { s.offer(client, start, *duration) })
	}
	wg.Wait()
	for _, s := range streams {
		s.report(os.Stdout, *duration)
	}
}

// stream is one kind of request offered at a fixed rate, and what came of it.
type stream struct {
	name string
	rate float64
	next func(n int) (*http.Request, error)

	mu          sync.Mutex
	latencies   []time.Duration // from when each request was due to its answer
	lags        []time.Duration // from when each was due to when it was sent
	answered    int
	non2xx      int
	statusErrs  int // answers of 400 and above, as wrk counts them
	sockErrs    int
	bytes       int64
	firstStatus int
	firstBody   string
}

// offer sends request n at start + n/rate, each on its own goroutine, so a
// slow answer delays nothing that follows, and waits for the answers.
func (s *stream) offer(client *http.Client, start time.Time, d time.Duration) {
	interval := time.Duration(float64(time.Second) / s.rate)
	var wg sync.WaitGroup
	for n := 0; ; n++ {
		due := start.Add(time.Duration(n) * interval)
		if due.Sub(start) >= d {
			break
		}
		if w := time.Until(due); w > 0 {
			time.Sleep(w)
		}
		wg.Go(func() { s.do(client, n, due) })
	}
	wg.Wait()
}

func (s *stream) do(client *http.Client, n int, due time.Time) {
	req, err := s.next(n)
	if err != nil {
		log.Fatal(err)
	}
	sent := time.Now()
	resp, err := client.Do(req)
	var body []byte
	if err == nil {
		body, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	took := time.Since(due)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lags = append(s.lags, sent.Sub(due))
	s.latencies = append(s.latencies, took) // a request that failed counts for as long as it waited
	if err != nil {
		s.sockErrs++
		if s.firstStatus == 0 && !errors.Is(err, context.Canceled) {
			s.firstStatus, s.firstBody = -1, err.Error()
		}
		return
	}
	s.answered++
	s.bytes += int64(len(body))
	if resp.StatusCode >= 400 {
		s.statusErrs++
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		s.non2xx++
		if s.firstStatus == 0 {
			s.firstStatus, s.firstBody = resp.StatusCode, string(bytes.Join(bytes.Fields(body[:min(len(body), 1500)]), []byte(" ")))
		}
	}
}

// report prints the stream's RESULT line, in common.lua's form.
func (s *stream) report(w io.Writer, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	slices.Sort(s.latencies)
	slices.Sort(s.lags)
	secs := d.Seconds()
	fmt.Fprintf(w, "RESULT stream=%s offered=%.1f rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d requests=%d seconds=%.2f status_errors=%d socket_errors=%d bytes=%d non2xx=%d lag_p99_us=%d\n",
		s.name, s.rate, float64(s.answered)/secs, pct(s.latencies, 50), pct(s.latencies, 90), pct(s.latencies, 99), pct(s.latencies, 100),
		s.answered, secs, s.statusErrs, s.sockErrs, s.bytes, s.non2xx, pct(s.lags, 99))
	if s.firstStatus != 0 {
		fmt.Fprintf(w, "FIRST_REFUSAL stream=%s status=%d body=%s\n", s.name, s.firstStatus, s.firstBody)
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
func warmUp(client *http.Client, base string, paths []string) {
	ch := make(chan string)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for p := range ch {
				if resp, err := client.Get(base + p); err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}
		})
	}
	for _, p := range paths {
		ch <- p
	}
	close(ch)
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
