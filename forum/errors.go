package forum

import (
	"errors"
	"sort"
	"strings"
)

// Sentinel errors. app/ maps them to statuses in one place.
var (
	ErrNotFound        = errors.New("not found")
	ErrForbidden       = errors.New("not allowed")
	ErrConflict        = errors.New("conflict")
	ErrUnauthenticated = errors.New("sign in required")
	ErrBadCredentials  = errors.New("wrong username or password")
)

// ValidationError carries a message per form field, for re-rendering a form
// with what the person typed.
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

// validation collects field errors; err returns nil when there are none.
type validation map[string]string

func (v validation) add(field, msg string) {
	if _, ok := v[field]; !ok {
		v[field] = msg
	}
}

func (v validation) err() error {
	if len(v) == 0 {
		return nil
	}
	return &ValidationError{Fields: v}
}

// Error is a domain error with a message fit to show the person who caused it.
// errors.Is matches its Kind (ErrForbidden, ErrConflict, ...).
type Error struct {
	Kind error
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

// Unwrap returns the kind, so errors.Is(err, ErrForbidden) works.
func (e *Error) Unwrap() error { return e.Kind }

func denied(msg string) error   { return &Error{Kind: ErrForbidden, Msg: msg} }
func notFound(msg string) error { return &Error{Kind: ErrNotFound, Msg: msg} }
