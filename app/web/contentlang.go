package web

import (
	"github.com/gin-gonic/gin"

	"mutual/forum/lang"
)

// ContentLanguage is the language the person making the request most
// likely writes in: what the Ask form's language select starts on, and the
// language similar questions prefer when none is named. For now it is the
// best match of the browser's Accept-Language among the languages threads
// are labelled with; once members and brands choose languages, theirs.
func ContentLanguage(c *gin.Context) string {
	return lang.Preferred(c.GetHeader("Accept-Language"))
}
