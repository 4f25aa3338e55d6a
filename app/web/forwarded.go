package web

import (
	"net"
	"strings"

	"github.com/gin-gonic/gin"
)

// Forwarded lets a proxy that speaks RFC 7239 name the client: when a
// request carries a Forwarded header, its for= addresses replace any
// X-Forwarded-For, which is what the router reads. The router still takes
// them only from a trusted proxy, so a visitor who sends the header
// themselves changes nothing; and a visitor cannot slip an
// X-Forwarded-For past a proxy that only appends to Forwarded.
func Forwarded(c *gin.Context) {
	fwd := c.Request.Header.Values("Forwarded")
	if len(fwd) == 0 {
		return
	}
	var hops []string
	for _, v := range fwd {
		for elem := range strings.SplitSeq(v, ",") {
			if ip := forwardedFor(elem); ip != "" {
				hops = append(hops, ip)
			}
		}
	}
	c.Request.Header.Del("X-Real-IP")
	if len(hops) == 0 {
		c.Request.Header.Del("X-Forwarded-For")
		return
	}
	c.Request.Header.Set("X-Forwarded-For", strings.Join(hops, ", "))
}

// forwardedFor is the address in one Forwarded element's for= pair:
// quotes, IPv6 brackets and a port stripped; "" for "unknown", an
// obfuscated name or anything that is not an address.
func forwardedFor(elem string) string {
	for pair := range strings.SplitSeq(elem, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(pair), "=")
		if !ok || !strings.EqualFold(k, "for") {
			continue
		}
		v = strings.Trim(v, `"`)
		if host, _, err := net.SplitHostPort(v); err == nil {
			v = host
		}
		v = strings.Trim(v, "[]")
		if net.ParseIP(v) == nil {
			return ""
		}
		return v
	}
	return ""
}
