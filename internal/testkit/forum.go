package testkit

import (
	"context"
	"errors"
	"testing"

	"mutual/account"
	"mutual/fault"
	"mutual/forum"
)

// Brand creates a brand. Any error fails the test.
func Brand(t testing.TB, brands *forum.Brands, nb forum.NewBrand) forum.Brand {
	t.Helper()
	b, err := brands.Create(context.Background(), nb)
	if err != nil {
		t.Fatalf("create brand %s: %v", nb.Host, err)
	}
	return b
}

// Board creates a board in a brand. Any error fails the test.
func Board(t testing.TB, svc *forum.Service, brandID int64, nb forum.NewBoard) forum.Board {
	t.Helper()
	b, err := svc.CreateBoard(context.Background(), brandID, nb)
	if err != nil {
		t.Fatalf("create board %s: %v", nb.Name, err)
	}
	return b
}

// Ask starts a thread as a. Any error fails the test.
func Ask(t testing.TB, svc *forum.Service, a account.Actor, nt forum.NewThread) forum.Thread {
	t.Helper()
	th, err := svc.Ask(context.Background(), a, nt)
	if err != nil {
		t.Fatalf("ask %q: %v", nt.Title, err)
	}
	return th
}

// Reply adds a reply by a to a thread. Any error fails the test.
func Reply(t testing.TB, svc *forum.Service, a account.Actor, threadID int64, body string) forum.Post {
	t.Helper()
	p, err := svc.Reply(context.Background(), a, threadID, forum.NewReply{Body: body})
	if err != nil {
		t.Fatalf("reply to thread %d: %v", threadID, err)
	}
	return p
}

// Fields returns the field messages of the fault.ValidationError in err's
// chain, or nil when there is none: a test of validation checks that its
// field has a message.
func Fields(err error) map[string]string {
	var ve *fault.ValidationError
	if !errors.As(err, &ve) {
		return nil
	}
	return ve.Fields
}
