package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"
)

// conn is one HTTP/1.1 connection that sends a request and reads its answer
// whole: the status, the headers that frame the body, and the body itself,
// counted and dropped (its start kept when the status is a refusal).
type conn struct {
	net.Conn
	r       *bufio.Reader
	scratch []byte
	closing bool // the server said "Connection: close"
}

func (c *conn) roundTrip(req []byte, deadline time.Time) (result, error) {
	if err := c.SetDeadline(deadline); err != nil {
		return result{}, err
	}
	if _, err := c.Write(req); err != nil {
		return result{}, err
	}
	line, err := c.line()
	if err != nil {
		return result{}, err
	}
	var r result
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return r, fmt.Errorf("not an HTTP/1 status line: %q", line)
	}
	if r.status, err = strconv.Atoi(string(line[9:12])); err != nil {
		return r, fmt.Errorf("status line %q: %w", line, err)
	}
	length, chunked, err := c.headers()
	if err != nil {
		return r, err
	}
	var body []byte
	keepBody := r.status < 200 || r.status > 299
	switch {
	case r.status == 204 || r.status == 304 || r.status < 200:
	case chunked:
		body, r.bytes, err = c.chunks(keepBody)
	case length >= 0:
		body, r.bytes, err = c.read(length, keepBody)
	default: // the body runs to the connection's end
		c.closing = true
		body, r.bytes, err = c.read(-1, keepBody)
	}
	if keepBody {
		r.body = string(bytes.Join(bytes.Fields(body), []byte(" ")))
		if r.body == "" {
			r.body = "(empty)"
		}
	}
	return r, err
}

// line is the next header line, without its CRLF.
func (c *conn) line() ([]byte, error) {
	l, err := c.r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		return nil, errors.New("a header line longer than 64 KiB")
	}
	return bytes.TrimRight(l, "\r\n"), err
}

// headers reads the header block: the body's length (-1 if not given),
// whether it is chunked, and whether the server will close.
func (c *conn) headers() (length int, chunked bool, err error) {
	length = -1
	for {
		l, err := c.line()
		if err != nil {
			return 0, false, err
		}
		if len(l) == 0 {
			return length, chunked, nil
		}
		name, value, ok := bytes.Cut(l, []byte(":"))
		if !ok {
			continue
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(value)); err != nil || length < 0 {
				return 0, false, fmt.Errorf("Content-Length %q", value)
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = bytes.EqualFold(value, []byte("chunked"))
		case bytes.EqualFold(name, []byte("Connection")):
			c.closing = c.closing || bytes.EqualFold(value, []byte("close"))
		}
	}
}

// read reads n bytes of body (n < 0: to the connection's end), keeping the
// first ones when keep is set.
func (c *conn) read(n int, keep bool) (kept []byte, total int, err error) {
	for n != 0 {
		buf := c.scratch
		if n > 0 && n < len(buf) {
			buf = buf[:n]
		}
		k, err := c.r.Read(buf)
		if keep && len(kept) < keepLimit {
			kept = append(kept, buf[:min(k, keepLimit-len(kept))]...)
		}
		total += k
		n -= k
		if err == io.EOF && n < 0 {
			return kept, total, nil
		}
		if err != nil {
			return kept, total, err
		}
	}
	return kept, total, nil
}

// chunks reads a chunked body and its trailers.
func (c *conn) chunks(keep bool) (kept []byte, total int, err error) {
	for {
		l, err := c.line()
		if err != nil {
			return kept, total, err
		}
		size, _, _ := bytes.Cut(l, []byte(";"))
		n, err := strconv.ParseInt(string(bytes.TrimSpace(size)), 16, 32)
		if err != nil || n < 0 {
			return kept, total, fmt.Errorf("chunk size %q", l)
		}
		if n == 0 {
			_, _, err := c.headers() // trailers, up to the blank line
			return kept, total, err
		}
		k, got, err := c.read(int(n), keep)
		kept, total = append(kept, k[:min(len(k), keepLimit-len(kept))]...), total+got
		if err != nil {
			return kept, total, err
		}
		if _, err := c.line(); err != nil { // the CRLF after the chunk
			return kept, total, err
		}
	}
}

// keepLimit is how much of a refusal's body the report shows.
const keepLimit = 1500
