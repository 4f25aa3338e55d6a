package forum_test

import (
	"context"
	"strings"
	"testing"

	"mutual/forum"
	"mutual/markup"
)

// TestStoredPostsAreSanitised: what Ask and Reply store is the renderer's
// sanitised HTML (whose safety markup's tests check vector by vector), and
// the markdown source is kept verbatim.
func TestStoredPostsAreSanitised(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		a := f.actor(t, f.brand.ID, "writer")
		src := "Look: <script>alert(1)</script> [x](javascript:alert(2)) <img src=x onerror=alert(3)>"
		th, err := f.svc.Ask(ctx, a, forum.NewThread{BoardID: f.board.ID, Title: "<b>Title</b> with markup", Body: src})
		if err != nil {
			t.Fatal(err)
		}
		pg, err := f.svc.Page(ctx, f.brand.ID, th.ID, 0, forum.Cursor{})
		if err != nil {
			t.Fatal(err)
		}
		if pg.Question.BodyMD != src {
			t.Errorf("markdown source changed: %q", pg.Question.BodyMD)
		}
		want, err := markup.NewRenderer().Render(context.Background(), src)
		if err != nil {
			t.Fatal(err)
		}
		if pg.Question.BodyHTML != want {
			t.Errorf("stored HTML %s\n  is not the renderer's %s", pg.Question.BodyHTML, want)
		}
		if strings.Contains(strings.ToLower(pg.Question.BodyHTML), "<script") {
			t.Errorf("stored HTML keeps a script: %s", pg.Question.BodyHTML)
		}
		if strings.Contains(pg.Question.BodyHTML, "alert") && strings.Contains(strings.ToLower(pg.Question.BodyHTML), "onerror") {
			t.Errorf("stored HTML keeps a handler: %s", pg.Question.BodyHTML)
		}
		// Titles are stored as typed: escaping is the template's job.
		if pg.Thread.Title != "<b>Title</b> with markup" {
			t.Errorf("title stored as %q", pg.Thread.Title)
		}
	})
}
