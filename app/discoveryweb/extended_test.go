package discoveryweb

import (
	"encoding/json"
	"testing"
)

// The extra fields follow the thread's own in one object, escaped as
// encoding/json escapes an embedded struct's.
func TestExtendedFlattens(t *testing.T) {
	type thread struct {
		ID    int64  `json:"id"`
		Title string `json:"title"`
	}
	got, err := json.Marshal([]extended{
		{thread: thread{ID: 7, Title: "<b>"}, more: similar{OpenURL: "/ask/similar/7"}},
		{thread: thread{ID: 8}, more: struct{}{}},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"id":7,"title":"\u003cb\u003e","open_url":"/ask/similar/7"},{"id":8,"title":""}]`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if _, err := json.Marshal(extended{thread: []int{1}, more: similar{}}); err == nil {
		t.Error("a thread that is not an object was accepted")
	}
}
