package fault

import (
	"errors"
	"testing"
)

func TestKindsMatchThroughErrorsIs(t *testing.T) {
	err := NotFound("There is no such ring here.")
	if !errors.Is(err, ErrNotFound) || errors.Is(err, ErrForbidden) {
		t.Fatalf("errors.Is does not follow the kind: %v", err)
	}
	if err.Error() != "There is no such ring here." {
		t.Fatalf("message = %q", err.Error())
	}
	var rl error = &RateLimitError{Msg: "wait"}
	if !errors.Is(rl, ErrRateLimited) {
		t.Fatal("a RateLimitError is not of kind ErrRateLimited")
	}
}

func TestValidationKeepsTheFirstMessagePerField(t *testing.T) {
	v := Validation{}
	if v.Err() != nil {
		t.Fatal("an empty Validation is an error")
	}
	v.Add("title", "Title is required.")
	v.Add("title", "Title is too long.")
	v.Add("body", "Body is required.")
	var ve *ValidationError
	if !errors.As(v.Err(), &ve) {
		t.Fatalf("Err() = %T, want *ValidationError", v.Err())
	}
	if ve.Fields["title"] != "Title is required." {
		t.Fatalf("title = %q, want the first message", ve.Fields["title"])
	}
	if got := ve.Error(); got != "Body is required.; Title is required." {
		t.Fatalf("Error() = %q, want messages in field order", got)
	}
}
