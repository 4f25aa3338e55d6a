package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"mutual/fault"
)

// Form names a form by where it lives: the page that draws it (as
// registered with Site.Redraws) and that page's id (a thread's), the form's
// name on the page and what it acts on (a post, a thread), and the fields it
// shows messages beside.
type Form struct {
	Page   string
	At     int64
	Name   string
	ID     int64
	Fields []string
}

// Refused is a form the site turned down, for the page it came from to draw
// again: the form open, the message beside each field ("" for the form as
// a whole) and what was typed.
type Refused struct {
	Form   string
	ID     int64
	Fields map[string]string
	Values url.Values

	drawn bool // a template asked For it: the form, and so its message, is on the page
}

// For is r when it is about form on id, else nil: a page with a flag form
// on every post opens only the one that was refused. Nil-safe, like the
// methods below, so templates can ask any page.
func (r *Refused) For(form string, id int64) *Refused {
	if r == nil || r.Form != form || r.ID != id {
		return nil
	}
	r.drawn = true
	return r
}

// All is every message of r as one, for a page that shows the refusal
// above its forms (or, when no template asked For it, Render's fallback).
func (r *Refused) All() string {
	if r == nil {
		return ""
	}
	r.drawn = true
	msgs := []string{}
	for _, m := range r.Fields {
		if m != "" {
			msgs = append(msgs, m)
		}
	}
	slices.Sort(msgs)
	return strings.Join(msgs, " ")
}

// Msg is the message beside field; "" is the form's own.
func (r *Refused) Msg(field string) string {
	if r == nil {
		return ""
	}
	return r.Fields[field]
}

// Value is what was typed in field.
func (r *Refused) Value(field string) string {
	if r == nil {
		return ""
	}
	return r.Values.Get(field)
}

// Chose reports whether value was picked in field (a select or radios).
func (r *Refused) Chose(field string, value any) bool {
	if r == nil {
		return false
	}
	var v string
	switch x := value.(type) {
	case int64:
		v = strconv.FormatInt(x, 10)
	default:
		v, _ = x.(string)
	}
	return slices.Contains(r.Values[field], v)
}

// Redraw draws a page again with a refused form on it, answering code. The
// page's data reaches the template as usual; the refusal reaches it as the
// view's .Refused (RefusedOf in Go).
type Redraw func(c *gin.Context, code int, at int64)

// Redraws registers how to draw a page that has forms on it, by name, for
// Refuse. Call it while building the handlers.
func (s *Site) Redraws(page string, fn Redraw) { s.redraws[page] = fn }

// RefusedOf is the refused form the request is drawing again, or nil.
func RefusedOf(c *gin.Context) *Refused {
	r, _ := c.Get(keyRefused)
	rf, _ := r.(*Refused)
	return rf
}

// inPlace are the statuses of a person's mistake or a refusal, which a form
// answers on its own page: bad input, not allowed, a conflict, too fast.
var inPlace = map[int]bool{http.StatusBadRequest: true, http.StatusForbidden: true, http.StatusConflict: true,
	http.StatusUnprocessableEntity: true, http.StatusTooManyRequests: true}

// Refuse answers a form that failed. A person's mistake or a refusal draws
// the page the form was sent from again, the message beside the form and
// what was typed kept, so nobody lands on a dead end. Everything else (sign
// in first, gone, our own failures) and the API go to Fail.
func (s *Site) Refuse(c *gin.Context, f Form, err error) {
	code, _, msg := StatusIn(LocalizerOf(c), err)
	redraw := s.redraws[f.Page]
	if IsAPI(c) || redraw == nil || !inPlace[code] {
		s.Fail(c, err)
		return
	}
	var rl *fault.RateLimitError
	if errors.As(err, &rl) {
		c.Header("Retry-After", strconv.Itoa(int(rl.RetryAfter.Seconds())+1))
	}
	c.Set(keyRefused, refusal(c, f, err, msg))
	redraw(c, code, f.At)
}

// refusal is what the page shows of err: a validation error's messages
// beside the fields the form shows (the others, and any other error's
// message, for the form as a whole), and what was typed but the token.
func refusal(c *gin.Context, f Form, err error, msg string) *Refused {
	r := &Refused{Form: f.Name, ID: f.ID, Fields: map[string]string{"": msg}, Values: url.Values{}}
	var ve *fault.ValidationError
	if errors.As(err, &ve) {
		var rest []string
		for k, m := range ve.Fields {
			if slices.Contains(f.Fields, k) {
				r.Fields[k] = m
			} else {
				rest = append(rest, m)
			}
		}
		slices.Sort(rest)
		r.Fields[""] = strings.Join(rest, " ")
	}
	_ = c.Request.ParseForm()
	for k, v := range c.Request.PostForm {
		if k != "csrf" {
			r.Values[k] = v
		}
	}
	return r
}
