// Package stackexchange imports a Stack Exchange data dump (Posts.xml,
// Users.xml, Votes.xml, Comments.xml, Tags.xml) into one brand of a Mutual
// database: questions become threads, answers and comments replies, accepted
// answers and up-votes become accepted posts and kudos, and reputation is
// earned again through the reputation ledger's rules. Re-running an import
// adds only what is not there yet. The imported content stays under the
// dump's CC BY-SA licence; every row keeps an external_id naming its origin.
package stackexchange

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// The files of a dump this importer reads.
const (
	PostsFile    = "Posts.xml"
	UsersFile    = "Users.xml"
	VotesFile    = "Votes.xml"
	CommentsFile = "Comments.xml"
	TagsFile     = "Tags.xml"
)

// rootOf is the element each file's rows live in; a file with another root
// is the wrong file (a renamed or truncated download).
var rootOf = map[string]string{
	PostsFile: "posts", UsersFile: "users", VotesFile: "votes", CommentsFile: "comments", TagsFile: "tags",
}

// ErrMissingFile is returned (wrapped) when a dump file is absent.
var ErrMissingFile = errors.New("stackexchange: missing dump file")

// ErrMalformed is returned (wrapped) when a dump file is not well-formed XML
// or has the wrong root element.
var ErrMalformed = errors.New("stackexchange: malformed dump file")

// Post types in Posts.xml.
const (
	typeQuestion = "1"
	typeAnswer   = "2"
)

// wikiTypes are the post types that are not questions or answers: tag wiki
// excerpts, tag wikis and privilege wikis are site furniture, not Q&A.
var wikiTypes = map[string]string{
	"3": "orphaned tag wiki", "4": "tag wiki excerpt", "5": "tag wiki",
	"6": "moderator nomination", "7": "wiki placeholder", "8": "privilege wiki",
}

// rawPost is one Posts.xml row as written; fields are parsed later so a bad
// value skips its row instead of failing the file.
type rawPost struct {
	ID               string `xml:"Id,attr"`
	PostTypeID       string `xml:"PostTypeId,attr"`
	ParentID         string `xml:"ParentId,attr"`
	AcceptedAnswerID string `xml:"AcceptedAnswerId,attr"`
	CreationDate     string `xml:"CreationDate,attr"`
	ViewCount        string `xml:"ViewCount,attr"`
	Body             string `xml:"Body,attr"`
	OwnerUserID      string `xml:"OwnerUserId,attr"`
	Title            string `xml:"Title,attr"`
	Tags             string `xml:"Tags,attr"`
}

type rawUser struct {
	ID           string `xml:"Id,attr"`
	DisplayName  string `xml:"DisplayName,attr"`
	CreationDate string `xml:"CreationDate,attr"`
}

type rawVote struct {
	ID           string `xml:"Id,attr"`
	PostID       string `xml:"PostId,attr"`
	VoteTypeID   string `xml:"VoteTypeId,attr"`
	UserID       string `xml:"UserId,attr"`
	CreationDate string `xml:"CreationDate,attr"`
}

type rawComment struct {
	ID           string `xml:"Id,attr"`
	PostID       string `xml:"PostId,attr"`
	Text         string `xml:"Text,attr"`
	CreationDate string `xml:"CreationDate,attr"`
	UserID       string `xml:"UserId,attr"`
}

type rawTag struct {
	TagName string `xml:"TagName,attr"`
	Count   string `xml:"Count,attr"`
}

// CheckDump reports whether dir holds the files an import with the given
// board mode reads, without reading them: an error wrapping ErrMissingFile
// names every absent file.
func CheckDump(dir, boards string) error {
	files := []string{PostsFile, UsersFile, VotesFile, CommentsFile}
	if boards != BoardsOne {
		files = append(files, TagsFile)
	}
	return checkFiles(dir, files...)
}

// checkFiles reports every required file that is missing, in one error, so
// an operator fixes them all at once.
func checkFiles(dir string, names ...string) error {
	st, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("stackexchange: dump folder %s: %w", dir, err)
	}
	if !st.IsDir() {
		return fmt.Errorf("stackexchange: %s is not a folder; give the folder holding Posts.xml", dir)
	}
	var missing []string
	for _, n := range names {
		st, err := os.Stat(filepath.Join(dir, n))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			missing = append(missing, n)
		case err != nil:
			return fmt.Errorf("stackexchange: %s: %w", n, err)
		case st.IsDir():
			return fmt.Errorf("%w: %s in %s is a folder, not a file", ErrMalformed, n, dir)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: %s not found in %s (is it an unpacked Stack Exchange dump?)",
			ErrMissingFile, strings.Join(missing, ", "), dir)
	}
	return nil
}

// readRows streams the <row> elements of one dump file into fn. It skips a
// UTF-8 byte-order mark, checks the root element and reports XML errors with
// the file name and line.
func readRows[T any](dir, name string, fn func(T)) error {
	f, err := os.Open(filepath.Join(dir, name))
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %s not found in %s", ErrMissingFile, name, dir)
	}
	if err != nil {
		return fmt.Errorf("stackexchange: %w", err)
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<16)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte{0xEF, 0xBB, 0xBF}) {
		_, _ = br.Discard(3)
	}
	dec := xml.NewDecoder(br)
	malformed := func(err error) error {
		return fmt.Errorf("%w: %s is not well-formed XML: %v", ErrMalformed, name, err)
	}
	depth, rooted := 0, false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return malformed(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				if rooted {
					return malformed(fmt.Errorf("a second root element <%s>", t.Name.Local))
				}
				if want := rootOf[name]; t.Name.Local != want {
					return fmt.Errorf("%w: %s has root element <%s>, want <%s> (is it the right file?)",
						ErrMalformed, name, t.Name.Local, want)
				}
				rooted = true
				depth++
				continue
			}
			if depth == 1 && t.Name.Local == "row" {
				var row T
				if err := dec.DecodeElement(&row, &t); err != nil {
					return malformed(err)
				}
				fn(row)
				continue
			}
			// Anything else is not part of the dump format; skip it whole.
			if err := dec.Skip(); err != nil {
				return malformed(err)
			}
		case xml.EndElement:
			depth--
		}
	}
	if !rooted {
		return fmt.Errorf("%w: %s has no <%s> element (empty or truncated file?)", ErrMalformed, name, rootOf[name])
	}
	return nil
}

// parseID reads an integer id; ok is false when absent or not a number.
func parseID(s string) (int64, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	return n, err == nil
}

// parseTime reads a dump timestamp. Dumps write UTC without a zone, with or
// without milliseconds; Go accepts the fraction without it being in the layout.
func parseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02T15:04:05", time.RFC3339Nano} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// splitTags reads a post's Tags attribute: "<a><b>" in older dumps, "|a|b|"
// in newer ones.
func splitTags(s string) []string {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	var parts []string
	if strings.HasPrefix(s, "|") {
		parts = strings.Split(s, "|")
	} else {
		parts = strings.FieldsFunc(s, func(r rune) bool { return r == '<' || r == '>' })
	}
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
