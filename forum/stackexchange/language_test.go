package stackexchange

import (
	"bytes"
	"context"
	"maps"
	"strings"
	"testing"
)

// TestImportRecordsDetectedLanguage: a dump says nothing of its questions'
// languages, so each imported thread gets the one detected from its title
// and body, and the summary counts them.
func TestImportRecordsDetectedLanguage(t *testing.T) {
	eachStore(t, func(t *testing.T, e env) {
		files := maps.Clone(tinyDump)
		files[PostsFile] = bom + `<?xml version="1.0" encoding="utf-8"?>
<posts>
  <row Id="1" PostTypeId="1" CreationDate="2020-01-01T10:00:00.000" Body="&lt;p&gt;I brewed it for three weeks and it still tastes of cardboard. What did I do wrong?&lt;/p&gt;" OwnerUserId="7" Title="Why does my beer taste like cardboard?" Tags="&lt;taste&gt;" />
  <row Id="2" PostTypeId="1" CreationDate="2020-01-02T10:00:00.000" Body="&lt;p&gt;La dejé fermentar tres semanas y sigue sabiendo a cartón. ¿Qué hice mal?&lt;/p&gt;" OwnerUserId="7" Title="¿Por qué mi cerveza sabe a cartón?" Tags="&lt;taste&gt;" />
</posts>
`
		sum, err := e.run(t, writeDump(t, files), Options{TopTags: 1})
		if err != nil {
			t.Fatal(err)
		}
		for ext, want := range map[string]string{"se:tiny:1": "en", "se:tiny:2": "es"} {
			var got string
			if err := e.db.QueryRow(context.Background(), `SELECT language FROM threads WHERE external_id = ?`, ext).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("%s: language %q, want %q", ext, got, want)
			}
		}
		var out bytes.Buffer
		sum.Write(&out)
		if !strings.Contains(out.String(), "languages   en 1, es 1") {
			t.Errorf("summary does not count the languages:\n%s", out.String())
		}
	})
}
