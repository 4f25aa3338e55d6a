// Package fault is the one shape of error every domain package returns and
// the HTTP layer maps to a status in one place: a kind (the sentinels
// below), a message fit to show the person who caused it, and, for bad
// input, a message per form field so the form can be shown again with what
// was typed.
package fault

import (
	"errors"
	"sort"
	"strings"
	"time"
)

// The kinds of error. errors.Is(err, fault.ErrNotFound) matches an *Error
// of that kind as well as the sentinel itself.
var (
	ErrNotFound        = errors.New("not found")
	ErrForbidden       = errors.New("not allowed")
	ErrConflict        = errors.New("conflict")
	ErrUnauthenticated = errors.New("sign in required")
	ErrBadCredentials  = errors.New("wrong username or password")
	ErrRateLimited     = errors.New("rate limited")
	ErrBadRequest      = errors.New("bad request")
)

// Error is a domain error with a message fit to show the person who caused
// it. errors.Is matches its Kind.
type Error struct {
	Kind error
	Msg  string
	// ID, when set, names Msg's message in the catalogue, so an error made
	// once (a package's sentinel) is worded again in each reader's language.
	ID string
}

func (e *Error) Error() string { return e.Msg }

// Unwrap returns the kind, so errors.Is(err, ErrForbidden) works.
func (e *Error) Unwrap() error { return e.Kind }

// Denied, NotFound and Conflict build the common kinds with a message.
func Denied(msg string) error   { return &Error{Kind: ErrForbidden, Msg: msg} }
func NotFound(msg string) error { return &Error{Kind: ErrNotFound, Msg: msg} }
func Conflict(msg string) error { return &Error{Kind: ErrConflict, Msg: msg} }

// ValidationError carries a message per form field, for showing a form
// again with what the person typed.
type ValidationError struct {
	Fields map[string]string
}

func (e *ValidationError) Error() string {
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, e.Fields[k])
	}
	return strings.Join(parts, "; ")
}

// Invalid is a ValidationError for one field.
func Invalid(field, msg string) error {
	return &ValidationError{Fields: map[string]string{field: msg}}
}

// Validation collects field errors; Err returns nil when there are none.
type Validation map[string]string

// Add keeps the first message given for a field.
func (v Validation) Add(field, msg string) {
	if _, ok := v[field]; !ok {
		v[field] = msg
	}
}

// Err is the collected errors as a *ValidationError, or nil.
func (v Validation) Err() error {
	if len(v) == 0 {
		return nil
	}
	return &ValidationError{Fields: v}
}

// RateLimitError refuses a write for now; RetryAfter says for how long.
type RateLimitError struct {
	Msg        string
	RetryAfter time.Duration
}

func (e *RateLimitError) Error() string { return e.Msg }

// Unwrap returns ErrRateLimited, so errors.Is works.
func (e *RateLimitError) Unwrap() error { return ErrRateLimited }
