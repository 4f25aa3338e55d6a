package forum

// SameTextQueries are admission's look-ups of recent posts with the same
// text, for the test that they use their index.
var SameTextQueries = []string{sameTextByAuthor, sameTextByOthers}
