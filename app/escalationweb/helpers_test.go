package escalationweb

import (
	"net/http"
	"testing"
	"time"

	"mutual/i18n"
)

func TestFormatLeft(t *testing.T) {
	for d, want := range map[time.Duration]string{
		42 * time.Minute:                "42m left",
		65 * time.Minute:                "1h05m left",
		-(2*time.Hour + 30*time.Second): "breached 2h01m ago",
	} {
		if got := formatLeft(i18n.Base().For("en"), d); got != want {
			t.Errorf("formatLeft(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestParseCursor(t *testing.T) {
	if c, ok := parseCursor("12.34"); !ok || c.At != 12 || c.ID != 34 {
		t.Errorf("parseCursor(12.34) = %+v, %v", c, ok)
	}
	for _, bad := range []string{"12", "x.1", "1.0"} {
		if _, ok := parseCursor(bad); ok {
			t.Errorf("parseCursor(%q) accepted", bad)
		}
	}
}

func TestLoopbackRefusesProxiedCallers(t *testing.T) {
	r := &http.Request{RemoteAddr: "127.0.0.1:5000", Header: http.Header{}}
	if !loopback(r) {
		t.Error("loopback caller refused")
	}
	r.Header.Set("X-Forwarded-For", "203.0.113.9")
	if loopback(r) {
		t.Error("proxied caller served")
	}
	if loopback(&http.Request{RemoteAddr: "203.0.113.9:5000", Header: http.Header{}}) {
		t.Error("remote caller served")
	}
}
