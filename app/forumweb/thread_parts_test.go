package forumweb

import (
	"reflect"
	"testing"

	"mutual/forum"
)

// A kept byline or action bar is printed while its sum is unchanged, so the
// sums must cover every field the partials show. A field added to a post or
// a bar fails here until it is put in the sum (thread_parts.go) or listed
// as not shown.
func TestPartSumsCoverWhatTheyShow(t *testing.T) {
	for _, c := range []struct {
		typ          reflect.Type
		summed, left []string
	}{
		{reflect.TypeFor[forum.Post](),
			[]string{"ID", "AuthorName", "AuthorReputation", "AuthorRank", "CreatedAt", "EditedAt", "RevisionCount", "IsStaff", "StaffLabel", "Status", "Merge"},
			// The body is printed by the page itself; the rest is not shown in a byline.
			[]string{"BrandID", "ThreadID", "AuthorID", "IsQuestion", "BodyMD", "BodyHTML", "KudosCount", "MergedFrom", "Repeated"}},
		{reflect.TypeFor[postBar](),
			[]string{"ID", "ThreadID", "KudosCount", "AuthorName", "Status", "CSRF", "Signed", "CanKudos", "Kudoed", "KudosWhy", "Edit",
				"EditOthers", "CanEditOthers", "EditOthersAt", "Accept", "Accepted", "Flag", "Moderate", "Here"},
			// A refused form's message: pages with one are rendered whole.
			[]string{"Refused"}},
	} {
		known := map[string]bool{}
		for _, f := range append(c.summed, c.left...) {
			known[f] = true
		}
		for i := range c.typ.NumField() {
			if f := c.typ.Field(i).Name; !known[f] {
				t.Errorf("%s.%s is neither in its part's sum nor listed as not shown", c.typ, f)
			}
		}
	}
}

// Sums tell apart what differs and nothing else.
func TestPartSumsDiffer(t *testing.T) {
	a := postBar{ID: 1, AuthorName: "ab", Status: "c"}
	b := postBar{ID: 1, AuthorName: "a", Status: "bc"}
	if barSum(a) == barSum(b) {
		t.Error("fields run together: \"ab\",\"c\" and \"a\",\"bc\" have one sum")
	}
	if same := a; barSum(a) != barSum(same) {
		t.Error("a bar's sum is not stable")
	}
	a2 := a
	a2.KudosCount = 1
	if barSum(a) == barSum(a2) {
		t.Error("a kudos more keeps the bar's sum")
	}
}
