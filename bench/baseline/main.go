// Command baseline is the load bench's yardstick: a bare net/http server that
// answers every GET with the same bytes from memory (the thread page as
// Mutual served it), so Mutual's figures can be given as a share of what Go's
// HTTP stack alone does on this machine. Like Mutual, it sends the bytes
// gzipped (compressed once, at start) to clients that accept gzip.
package main

import (
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18081", "listen address (loopback)")
	file := flag.String("file", "", "the response body to serve")
	ctype := flag.String("type", "text/html; charset=utf-8", "Content-Type of the body")
	flag.Parse()
	body, err := os.ReadFile(*file)
	if err != nil || len(body) == 0 {
		log.Fatalf("baseline: read %q: %v (empty: %v)", *file, err, len(body) == 0)
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil || (host != "127.0.0.1" && host != "localhost" && host != "::1") {
		log.Fatalf("baseline: %s is not a loopback address", *addr)
	}
	size := strconv.Itoa(len(body))
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(body)
	_ = zw.Close()
	gzSize := strconv.Itoa(gz.Len())
	srv := &http.Server{
		Addr:              *addr,
		ReadHeaderTimeout: 10 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			h.Set("Content-Type", *ctype)
			if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
				h.Set("Content-Encoding", "gzip")
				h.Set("Content-Length", gzSize)
				_, _ = w.Write(gz.Bytes())
				return
			}
			h.Set("Content-Length", size)
			_, _ = w.Write(body)
		}),
	}
	fmt.Fprintf(os.Stderr, "baseline: serving %d bytes on http://%s/\n", len(body), *addr)
	log.Fatal(srv.ListenAndServe())
}
