package web

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"mutual/fault"
	"mutual/forum"

	"github.com/gin-gonic/gin"
)

func Itoa(n int64) string { return strconv.FormatInt(n, 10) }

// IDParam reads a positive numeric path parameter; anything else is a 404,
// since no such page exists.
func IDParam(c *gin.Context, name string) (int64, error) {
	n, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || n <= 0 {
		return 0, &fault.Error{Kind: fault.ErrNotFound, Msg: T(c, "error.page_not_found")}
	}
	return n, nil
}

func (s *Site) NotFound(c *gin.Context) {
	s.Fail(c, &fault.Error{Kind: fault.ErrNotFound, Msg: T(c, "error.not_found")})
}

func (s *Site) MethodNotAllowed(c *gin.Context) {
	code := http.StatusMethodNotAllowed
	if IsAPI(c) {
		JSONError(c, code, "method_not_allowed", T(c, "error.method_not_allowed"))
		return
	}
	h := T(c, "heading.not_supported")
	s.Render(c, code, "error", h, struct{ Heading, Message string }{h, T(c, "error.not_supported")})
}

// SafeNext keeps post-sign-in redirects on this site.
func SafeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	if u, err := url.Parse(next); err != nil || u.Host != "" || u.Scheme != "" {
		return "/"
	}
	return next
}

// BindJSON reads a JSON body into dst. Invalid UTF-8 is refused rather than
// silently replaced, and the error names what was wrong.
func BindJSON(c *gin.Context, dst any) error {
	raw, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return &fault.Error{Kind: fault.ErrBadRequest, Msg: T(c, "error.body_too_large")}
		}
		return &fault.Error{Kind: fault.ErrBadRequest, Msg: T(c, "error.body_unreadable")}
	}
	if !utf8.Valid(raw) {
		return &fault.Error{Kind: fault.ErrBadRequest, Msg: T(c, "error.body_not_utf8")}
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return &fault.Error{Kind: fault.ErrBadRequest, Msg: T(c, "error.body_not_json", "Detail", err.Error())}
	}
	return nil
}

func ParseLimit(c *gin.Context, s string) (int, error) {
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' || n > 1000 {
			n = -1
			break
		}
		n = n*10 + int(r-'0')
	}
	if n < 1 || n > 100 {
		return 0, &fault.ValidationError{Fields: map[string]string{"limit": T(c, "apimsg.limit")}}
	}
	return n, nil
}

// CrossOriginDenied answers a refused cross-origin request; API clients get
// the same JSON error shape as every other API error.
func CrossOriginDenied(w http.ResponseWriter, r *http.Request) {
	const msg = "Cross-origin requests that change data are not allowed."
	if strings.HasPrefix(r.URL.Path, "/api/") {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusForbidden)
		_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": "cross_origin", "message": msg}})
		return
	}
	http.Error(w, msg, http.StatusForbidden)
}

// maxBody caps request bodies; a post is at most 20,000 characters, which is
// at most 80 KB of UTF-8, plus form overhead.
const maxBody = 256 << 10

func LimitBody(c *gin.Context) {
	if c.Request.Body != nil {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxBody)
	}
	c.Next()
}

func ClientIP(c *gin.Context) string { return c.ClientIP() }

func UserKey(c *gin.Context) string {
	if a := ActorOf(c); a.SignedIn() {
		return "u" + Itoa(a.UserID)
	}
	return ""
}

// ThreadURL is a thread's canonical path.
func ThreadURL(t forum.Thread) string { return "/t/" + Itoa(t.ID) + "/" + t.Slug }
