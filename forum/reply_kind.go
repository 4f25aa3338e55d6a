package forum

// What a reply was where it was first written (posts.reply_kind). Replies
// written here are answers; an imported Stack Exchange comment, usually a
// clarifying question, keeps being a comment, so that a history replayed
// can count first answers apart from first replies of any kind.
const (
	ReplyAnswer  = "answer"
	ReplyComment = "comment"
)
