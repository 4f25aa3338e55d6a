package web

import (
	"github.com/gin-gonic/gin"
	"golang.org/x/text/language"

	"mutual/forum/lang"
)

// ContentLanguage is the language the person making the request most
// likely writes in: what the Ask form's language select starts on, and the
// language similar questions prefer when none is named. On a brand that
// offers several languages it is the one the reader reads the pages in
// (chosen in the switch or their settings, or matched from the browser);
// otherwise the best match of the browser's Accept-Language among the
// languages threads are labelled with.
func ContentLanguage(c *gin.Context) string {
	if len(BrandOf(c).Offered()) > 1 {
		if base, _ := language.Make(LocalizerOf(c).Lang()).Base(); lang.Name(base.String()) != "" {
			return base.String()
		}
	}
	return lang.Preferred(c.GetHeader("Accept-Language"))
}
