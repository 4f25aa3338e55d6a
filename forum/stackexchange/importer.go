package stackexchange

import (
	"context"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/JohannesKaufmann/html-to-markdown/v2/converter"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/base"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/commonmark"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/strikethrough"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/table"

	"mutual/fault"
	"mutual/forum"
	"mutual/markup"
	"mutual/search"
	"mutual/sqldb"
)

// Board modes.
const (
	BoardsByTag = "tags" // a board per top tag, plus "General"
	BoardsOne   = "one"  // every question in one board
)

// Options say what to import and where.
type Options struct {
	Dir       string // the unpacked dump folder (holding Posts.xml)
	BrandID   int64  // the brand that receives the content
	Site      string // key in external ids ("beer"); derived from Dir's name when empty
	Boards    string // BoardsByTag (default) or BoardsOne
	TopTags   int    // how many of the most used tags get a board (default 6)
	BatchSize int    // rows per transaction (default 2000)
	// Now stamps what the dump has no time for: boards and placeholder
	// accounts. Default time.Now.
	Now func() time.Time
	// Progress, when set, is told how far each stage has got.
	Progress func(stage string, done, total int)
}

// Summary is what an import did. Counts are of rows added by this run;
// AlreadyImported counts rows an earlier run had added.
type Summary struct {
	Site, Host          string
	Boards              []string // the boards new threads went to
	BoardsCreated       int
	Members             int // imported authors (unclaimed accounts)
	Placeholders        int // deleted-user, community and placeholder voter accounts
	Threads             int
	Languages           map[string]int // language code -> new threads asked in it (detected)
	Answers             int
	Comments            int
	Accepted            int
	Kudos               int
	ReputationEvents    int
	AlreadyImported     map[string]int // kind -> rows found from an earlier run
	Skipped             map[string]int // "File: reason" -> rows not imported
	Substituted         map[string]int // "File: what" -> rows imported with a stand-in
	MaxPlaceholderVoter int
}

// Replies is answers plus comments: both are replies in Mutual.
func (s *Summary) Replies() int { return s.Answers + s.Comments }

// SkippedTotal is every row not imported, over all reasons.
func (s *Summary) SkippedTotal() int {
	n := 0
	for _, v := range s.Skipped {
		n += v
	}
	return n
}

func (s *Summary) skip(file, reason string) { s.Skipped[file+": "+reason]++ }

// languages lists the new threads' languages, most threads first: "en 120, es 3".
func (s *Summary) languages() string {
	codes := slices.Collect(maps.Keys(s.Languages))
	slices.SortFunc(codes, func(a, b string) int {
		if d := s.Languages[b] - s.Languages[a]; d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	parts := make([]string, len(codes))
	for i, c := range codes {
		parts[i] = fmt.Sprintf("%s %d", c, s.Languages[c])
	}
	return strings.Join(parts, ", ")
}

// Write prints the summary for a person.
func (s *Summary) Write(w io.Writer) {
	fmt.Fprintf(w, "Imported %s (external ids se:%s:...)\n", s.Host, s.Site)
	if len(s.Boards) > 0 {
		fmt.Fprintf(w, "  boards      %d for new threads (%d created): %s\n", len(s.Boards), s.BoardsCreated, strings.Join(s.Boards, ", "))
	}
	fmt.Fprintf(w, "  members     %d new (no password: each can claim their account)\n", s.Members)
	fmt.Fprintf(w, "  threads     %d new\n", s.Threads)
	if len(s.Languages) > 0 {
		fmt.Fprintf(w, "  languages   %s (detected from each question)\n", s.languages())
	}
	fmt.Fprintf(w, "  replies     %d new (%d answers, %d comments)\n", s.Replies(), s.Answers, s.Comments)
	fmt.Fprintf(w, "  accepted    %d new\n", s.Accepted)
	fmt.Fprintf(w, "  kudos       %d new (from up-votes)\n", s.Kudos)
	fmt.Fprintf(w, "  reputation  %d ledger events\n", s.ReputationEvents)
	if s.Placeholders > 0 {
		fmt.Fprintf(w, "  stand-ins   %d placeholder accounts created\n", s.Placeholders)
	}
	printMap(w, "Already imported by an earlier run (left as they are):", s.AlreadyImported)
	printMap(w, "Imported with a stand-in:", s.Substituted)
	printMap(w, fmt.Sprintf("Skipped rows by reason (%d in all):", s.SkippedTotal()), s.Skipped)
	fmt.Fprintf(w, "Content from %s is licensed CC BY-SA by its authors; keep the attribution.\n", s.Host)
}

func printMap(w io.Writer, title string, m map[string]int) {
	if len(m) == 0 {
		return
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Fprintln(w, title)
	for _, k := range keys {
		fmt.Fprintf(w, "  %-70s %6d\n", k, m[k])
	}
}

// Owners that are not members of the dump.
const (
	ownerDeleted   int64 = 0  // no OwnerUserId, or one not in Users.xml
	ownerCommunity int64 = -1 // Stack Exchange's built-in "Community" bot
)

type question struct {
	id, owner, accepted, views int64
	created                    time.Time
	title, html, md, out       string
	tags                       []string
}

type answer struct {
	id, parent, owner int64
	created           time.Time
	html, md, out     string
}

type comment struct {
	id, post, owner int64
	created         time.Time
	text            string
}

type upvote struct {
	id, post, user int64 // user 0: anonymous in the dump
	at             time.Time
	slot           int // placeholder voter number for anonymous votes
}

type dumpUser struct {
	name    string
	created time.Time
}

type threadRef struct {
	id, author, accepted int64
	slug                 string
}

type postRef struct {
	id, thread, author int64
	created            time.Time
}

type importer struct {
	db   *sqldb.DB
	md   *markup.Renderer
	conv *converter.Converter
	opt  Options
	sum  *Summary
	pfx  string // "se:beer:"

	dumpUsers  map[int64]dumpUser
	questions  []*question
	qByID      map[int64]*question
	answers    []*answer
	aByID      map[int64]*answer
	comments   []*comment
	votes      []*upvote
	acceptedAt map[int64]time.Time // answer id -> accept vote day
	tagCounts  map[string]int64

	users         map[int64]int64  // dump user id (or owner constant) -> local user id
	names         map[int64]string // local user id -> username
	placeholder   map[int64]bool   // local ids that earn no reputation
	voters        map[int]int64    // placeholder voter slot -> local user id
	taken         map[string]bool  // username keys in the brand
	threads       map[int64]threadRef
	posts         map[int64]postRef
	doneComment   map[int64]bool
	boards        map[string]int64 // tag ("" for General / the one board) -> board id
	refs          map[int64]bool   // dump users that wrote or up-voted something imported
	eventsAtStart int64
	converted     int // bodies converted so far, of toConvert
	toConvert     int
}

var siteKeyRe = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{0,62}$`)

// SiteKey derives the external-id key from a dump folder's name:
// "beer.stackexchange.com" gives "beer", "stackoverflow.com" "stackoverflow".
func SiteKey(dir string) string {
	s := strings.ToLower(filepath.Base(filepath.Clean(dir)))
	s = strings.TrimSuffix(s, ".stackexchange.com")
	s = strings.TrimSuffix(s, ".com")
	return s
}

// Import reads the dump in opt.Dir and writes what is not already there into
// the brand. It returns an error wrapping ErrMissingFile or ErrMalformed when
// a file is absent or not XML; rows it cannot use are counted in
// Summary.Skipped instead. Bodies are converted to markdown and rendered
// through md, so no HTML from the dump reaches a page unsanitised.
func Import(ctx context.Context, db *sqldb.DB, md *markup.Renderer, opt Options) (*Summary, error) {
	if opt.Boards == "" {
		opt.Boards = BoardsByTag
	}
	if opt.Boards != BoardsByTag && opt.Boards != BoardsOne {
		return nil, fmt.Errorf("stackexchange: boards must be %q or %q, not %q", BoardsByTag, BoardsOne, opt.Boards)
	}
	if opt.TopTags <= 0 {
		opt.TopTags = 6
	}
	if opt.BatchSize <= 0 {
		opt.BatchSize = 2000
	}
	if opt.Now == nil {
		opt.Now = func() time.Time { return time.Now().UTC() }
	}
	if opt.Site == "" {
		opt.Site = SiteKey(opt.Dir)
	}
	if !siteKeyRe.MatchString(opt.Site) {
		return nil, fmt.Errorf("stackexchange: cannot use %q as the site key (lower-case letters, digits, dots and dashes)", opt.Site)
	}
	if err := CheckDump(opt.Dir, opt.Boards); err != nil {
		return nil, err
	}
	host := filepath.Base(filepath.Clean(opt.Dir))
	if !strings.Contains(host, ".") {
		host = opt.Site + ".stackexchange.com"
	}
	im := &importer{
		db: db, md: md, opt: opt, pfx: "se:" + opt.Site + ":",
		conv: converter.NewConverter(converter.WithPlugins(
			base.NewBasePlugin(), commonmark.NewCommonmarkPlugin(),
			table.NewTablePlugin(), strikethrough.NewStrikethroughPlugin())),
		sum: &Summary{Site: opt.Site, Host: host, AlreadyImported: map[string]int{}, Languages: map[string]int{},
			Skipped: map[string]int{}, Substituted: map[string]int{}},
	}
	if err := im.read(); err != nil {
		return nil, err
	}
	if err := im.load(ctx); err != nil {
		return nil, err
	}
	if err := im.plan(); err != nil {
		return nil, err
	}
	steps := []func(context.Context) error{im.writeAccounts, im.writeQuestions, im.writeAnswers,
		im.writeComments, im.writeAccepted, im.writeKudos, im.finish}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return im.sum, err
		}
	}
	// Make the imported posts searchable now rather than leaving the
	// backlog to a running server.
	if _, err := search.IndexAll(ctx, db); err != nil {
		return im.sum, err
	}
	return im.sum, nil
}

// read parses every file into memory, counting rows it cannot use.
//
// It stays long: one case per dump file, each turning that file's rows into the
// importer's maps.
func (im *importer) read() error {
	s := im.sum
	files := 4
	if im.opt.Boards == BoardsByTag {
		files = 5
	}
	im.progress("reading", 0, files)
	im.dumpUsers = map[int64]dumpUser{}
	err := readRows(im.opt.Dir, UsersFile, func(r rawUser) {
		id, ok := parseID(r.ID)
		switch {
		case !ok:
			s.skip(UsersFile, "bad or missing Id")
			return
		case id == ownerCommunity:
			s.skip(UsersFile, `built-in Community account (Id -1): its posts go to the "community" stand-in`)
			return
		}
		created, _ := parseTime(r.CreationDate)
		im.dumpUsers[id] = dumpUser{name: strings.TrimSpace(r.DisplayName), created: created}
	})
	if err != nil {
		return err
	}
	im.progress("reading", 1, files)
	im.qByID, im.aByID = map[int64]*question{}, map[int64]*answer{}
	err = readRows(im.opt.Dir, PostsFile, func(r rawPost) {
		id, ok := parseID(r.ID)
		if !ok {
			s.skip(PostsFile, "bad or missing Id")
			return
		}
		if r.PostTypeID != typeQuestion && r.PostTypeID != typeAnswer {
			if name, wiki := wikiTypes[r.PostTypeID]; wiki {
				s.skip(PostsFile, fmt.Sprintf("%s (PostTypeId %s)", name, r.PostTypeID))
			} else {
				s.skip(PostsFile, "unknown PostTypeId "+strconv.Quote(r.PostTypeID))
			}
			return
		}
		created, ok := parseTime(r.CreationDate)
		if !ok {
			s.skip(PostsFile, "bad or missing CreationDate")
			return
		}
		if strings.TrimSpace(r.Body) == "" {
			s.skip(PostsFile, "empty Body")
			return
		}
		owner := im.owner(PostsFile, r.OwnerUserID)
		if r.PostTypeID == typeQuestion {
			q := &question{id: id, owner: owner, created: created, html: r.Body, tags: splitTags(r.Tags)}
			q.title = strings.Join(strings.Fields(r.Title), " ")
			if q.title == "" {
				q.title = fmt.Sprintf("Untitled question %d", id)
				s.Substituted[PostsFile+": question without Title (titled by its id)"]++
			}
			if utf8.RuneCountInString(q.title) > forum.MaxTitleLen {
				q.title = string([]rune(q.title)[:forum.MaxTitleLen-1]) + "…"
			}
			q.accepted, _ = parseID(r.AcceptedAnswerID)
			q.views, _ = parseID(r.ViewCount)
			im.questions = append(im.questions, q)
			im.qByID[id] = q
			return
		}
		parent, ok := parseID(r.ParentID)
		if !ok {
			s.skip(PostsFile, "answer without ParentId")
			return
		}
		a := &answer{id: id, parent: parent, owner: owner, created: created, html: r.Body}
		im.answers = append(im.answers, a)
		im.aByID[id] = a
	})
	if err != nil {
		return err
	}
	im.progress("reading", 2, files)
	err = readRows(im.opt.Dir, CommentsFile, func(r rawComment) {
		id, ok1 := parseID(r.ID)
		post, ok2 := parseID(r.PostID)
		created, ok3 := parseTime(r.CreationDate)
		switch {
		case !ok1 || !ok2:
			s.skip(CommentsFile, "bad or missing Id or PostId")
		case !ok3:
			s.skip(CommentsFile, "bad or missing CreationDate")
		case strings.TrimSpace(r.Text) == "":
			s.skip(CommentsFile, "empty Text")
		default:
			im.comments = append(im.comments, &comment{id: id, post: post, created: created,
				owner: im.owner(CommentsFile, r.UserID), text: strings.TrimSpace(r.Text)})
		}
	})
	if err != nil {
		return err
	}
	im.progress("reading", 3, files)
	im.acceptedAt = map[int64]time.Time{}
	err = readRows(im.opt.Dir, VotesFile, func(r rawVote) {
		id, ok1 := parseID(r.ID)
		post, ok2 := parseID(r.PostID)
		if !ok1 || !ok2 {
			s.skip(VotesFile, "bad or missing Id or PostId")
			return
		}
		at, _ := parseTime(r.CreationDate)
		switch r.VoteTypeID {
		case "2":
			user, _ := parseID(r.UserID)
			im.votes = append(im.votes, &upvote{id: id, post: post, user: user, at: at})
		case "1":
			// The acceptance itself comes from AcceptedAnswerId; this vote
			// only dates it.
			if at.After(im.acceptedAt[post]) {
				im.acceptedAt[post] = at
			}
			s.skip(VotesFile, "accept vote (VoteTypeId 1): dates the accepted answer, which comes from AcceptedAnswerId")
		default:
			s.skip(VotesFile, fmt.Sprintf("VoteTypeId %s (%s) is not imported", r.VoteTypeID, voteName(r.VoteTypeID)))
		}
	})
	if err != nil {
		return err
	}
	im.progress("reading", 4, files)
	if im.opt.Boards == BoardsByTag {
		im.tagCounts = map[string]int64{}
		err = readRows(im.opt.Dir, TagsFile, func(r rawTag) {
			n, ok := parseID(r.Count)
			if name := strings.TrimSpace(r.TagName); name != "" && ok {
				im.tagCounts[name] = n
			} else {
				s.skip(TagsFile, "bad or missing TagName or Count")
			}
		})
		im.progress("reading", files, files)
	}
	return err
}

// owner maps an OwnerUserId or UserId attribute to a dump user, the
// Community constant, or ownerDeleted.
func (im *importer) owner(file, attr string) int64 {
	if strings.TrimSpace(attr) == "" {
		im.sum.Substituted[file+": no owner (attributed to deleted-user)"]++
		return ownerDeleted
	}
	id, ok := parseID(attr)
	switch {
	case ok && id == ownerCommunity:
		im.sum.Substituted[file+": Community account -1 (attributed to community)"]++
		return ownerCommunity
	case !ok || id == ownerDeleted:
		im.sum.Substituted[file+": unreadable owner id (attributed to deleted-user)"]++
		return ownerDeleted
	}
	// Users.xml is read first, so a missing user is known here.
	if _, known := im.dumpUsers[id]; !known {
		im.sum.Substituted[file+": owner not in Users.xml (attributed to deleted-user)"]++
		return ownerDeleted
	}
	return id
}

func voteName(t string) string {
	switch t {
	case "3":
		return "down-vote"
	case "4":
		return "offensive"
	case "5":
		return "favourite"
	case "6":
		return "close"
	case "7":
		return "reopen"
	case "8":
		return "bounty start"
	case "9":
		return "bounty close"
	case "10":
		return "deletion"
	case "11":
		return "undeletion"
	case "12":
		return "spam"
	case "15":
		return "moderator review"
	case "16":
		return "approve edit suggestion"
	}
	return "other"
}

// load reads what earlier runs (and the brand itself) already hold.
//
// It stays long: one short block per table an earlier run filled.
func (im *importer) load(ctx context.Context) error {
	im.users, im.names, im.placeholder = map[int64]int64{}, map[int64]string{}, map[int64]bool{}
	im.voters, im.taken = map[int]int64{}, map[string]bool{}
	im.threads, im.posts, im.doneComment = map[int64]threadRef{}, map[int64]postRef{}, map[int64]bool{}
	b := im.opt.BrandID
	var n int
	if err := im.db.QueryRow(ctx, `SELECT COUNT(*) FROM brands WHERE id = ?`, b).Scan(&n); err != nil {
		return fmt.Errorf("stackexchange: find brand: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("stackexchange: brand %d: %w", b, fault.ErrNotFound)
	}
	err := each(ctx, im.db, `SELECT id, username, username_key, external_id FROM users WHERE brand_id = ?`, []any{b},
		func(sc func(...any) error) error {
			var id int64
			var name, key, ext string
			if err := sc(&id, &name, &key, &ext); err != nil {
				return err
			}
			im.taken[key] = true
			im.names[id] = name
			switch {
			case ext == extDeleted:
				im.users[ownerDeleted], im.placeholder[id] = id, true
			case ext == extCommunity:
				im.users[ownerCommunity], im.placeholder[id] = id, true
			case strings.HasPrefix(ext, extVoter):
				if k, err := strconv.Atoi(strings.TrimPrefix(ext, extVoter)); err == nil {
					im.voters[k], im.placeholder[id] = id, true
				}
			case strings.HasPrefix(ext, im.pfx+"user:"):
				if se, ok := parseID(strings.TrimPrefix(ext, im.pfx+"user:")); ok {
					im.users[se] = id
				}
			}
			return nil
		})
	if err != nil {
		return err
	}
	like := im.pfx + "%"
	err = each(ctx, im.db, `SELECT id, author_id, COALESCE(accepted_post_id, 0), slug, external_id FROM threads
WHERE brand_id = ? AND external_id LIKE ?`, []any{b, like}, func(sc func(...any) error) error {
		var t threadRef
		var ext string
		if err := sc(&t.id, &t.author, &t.accepted, &t.slug, &ext); err != nil {
			return err
		}
		if se, ok := parseID(strings.TrimPrefix(ext, im.pfx)); ok {
			im.threads[se] = t
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := im.db.QueryRow(ctx, `SELECT COUNT(*) FROM reputation_events WHERE brand_id = ?`, b).Scan(&im.eventsAtStart); err != nil {
		return fmt.Errorf("stackexchange: count ledger: %w", err)
	}
	return each(ctx, im.db, `SELECT id, thread_id, author_id, created_at, external_id FROM posts WHERE brand_id = ? AND external_id LIKE ?`,
		[]any{b, like}, func(sc func(...any) error) error {
			var p postRef
			var ext string
			var created int64
			if err := sc(&p.id, &p.thread, &p.author, &created, &ext); err != nil {
				return err
			}
			p.created = time.UnixMilli(created).UTC()
			rest := strings.TrimPrefix(ext, im.pfx)
			if c, ok := strings.CutPrefix(rest, "comment:"); ok {
				if se, ok := parseID(c); ok {
					im.doneComment[se] = true
				}
			} else if se, ok := parseID(rest); ok {
				im.posts[se] = p
			}
			return nil
		})
}

// each runs a query and hands every row's Scan to fn.
func each(ctx context.Context, q sqldb.Querier, query string, args []any, fn func(scan func(...any) error) error) error {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("stackexchange: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows.Scan); err != nil {
			return fmt.Errorf("stackexchange: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("stackexchange: %w", err)
	}
	return nil
}

// External ids of the per-brand stand-in accounts, shared by every site
// imported into the brand.
const (
	extDeleted   = "se:deleted-user"
	extCommunity = "se:community"
	extVoter     = "se:voter:"
)

// plan decides what will be imported, converts new bodies, and counts the
// rest as skipped. It writes nothing.
//
// It stays long: one short pass per kind of dump row, all filling one plan.
func (im *importer) plan() error {
	s := im.sum
	im.toConvert = len(im.questions) + len(im.answers) - len(im.posts)
	keptQ := im.questions[:0]
	for _, q := range im.questions {
		if _, done := im.threads[q.id]; done {
			keptQ = append(keptQ, q)
			continue
		}
		md, html, err := im.convert(q.html)
		if err != nil {
			return fmt.Errorf("stackexchange: post %d: %w", q.id, err)
		}
		if md == "" {
			s.skip(PostsFile, "question with nothing left after removing unsafe HTML")
			delete(im.qByID, q.id)
			continue
		}
		q.md, q.out = md, html
		keptQ = append(keptQ, q)
	}
	im.questions = keptQ
	keptA := im.answers[:0]
	for _, a := range im.answers {
		if _, ok := im.qByID[a.parent]; !ok {
			s.skip(PostsFile, "answer whose question is not in the dump or was skipped")
			delete(im.aByID, a.id)
			continue
		}
		if _, done := im.posts[a.id]; !done {
			md, html, err := im.convert(a.html)
			if err != nil {
				return fmt.Errorf("stackexchange: post %d: %w", a.id, err)
			}
			if md == "" {
				s.skip(PostsFile, "answer with nothing left after removing unsafe HTML")
				delete(im.aByID, a.id)
				continue
			}
			a.md, a.out = md, html
		}
		keptA = append(keptA, a)
	}
	im.answers = keptA
	imported := func(post int64) bool {
		_, q := im.qByID[post]
		_, a := im.aByID[post]
		return q || a
	}
	keptC := im.comments[:0]
	for _, c := range im.comments {
		if !imported(c.post) {
			s.skip(CommentsFile, "comment on a post that is not in the dump or was skipped")
			continue
		}
		keptC = append(keptC, c)
	}
	im.comments = keptC

	// Up-votes in time order, so the ledger's daily cap applies as it would
	// have live. An anonymous up-vote (the usual case: dumps omit UserId)
	// goes to placeholder voter k for the post's k-th such vote.
	sort.SliceStable(im.votes, func(i, j int) bool {
		if !im.votes[i].at.Equal(im.votes[j].at) {
			return im.votes[i].at.Before(im.votes[j].at)
		}
		return im.votes[i].id < im.votes[j].id
	})
	slots := map[int64]int{}
	seen := map[[2]int64]bool{}
	keptV := im.votes[:0]
	for _, v := range im.votes {
		if !imported(v.post) {
			s.skip(VotesFile, "up-vote on a post that is not in the dump or was skipped")
			continue
		}
		if _, known := im.dumpUsers[v.user]; v.user != 0 && !known {
			s.Substituted[VotesFile+": up-vote by a user not in Users.xml (given to a placeholder voter)"]++
			v.user = 0
		}
		if v.user != 0 {
			if v.user == im.ownerOf(v.post) {
				s.skip(VotesFile, "up-vote on the voter's own post")
				continue
			}
			if k := [2]int64{v.post, v.user}; seen[k] {
				s.skip(VotesFile, "second up-vote by the same member on a post")
				continue
			} else {
				seen[k] = true
			}
		} else {
			slots[v.post]++
			v.slot = slots[v.post]
			s.MaxPlaceholderVoter = max(s.MaxPlaceholderVoter, v.slot)
		}
		keptV = append(keptV, v)
	}
	im.votes = keptV

	for id := range im.dumpUsers {
		if !im.referenced(id) {
			s.skip(UsersFile, "no imported post, comment or up-vote")
		}
	}
	return nil
}

func (im *importer) ownerOf(post int64) int64 {
	if q, ok := im.qByID[post]; ok {
		return q.owner
	}
	return im.aByID[post].owner
}

// referenced reports whether a dump user wrote or up-voted anything
// imported; computed once into a set.
func (im *importer) referenced(id int64) bool {
	if im.refs == nil {
		im.refs = map[int64]bool{}
		for _, q := range im.questions {
			im.refs[q.owner] = true
		}
		for _, a := range im.answers {
			im.refs[a.owner] = true
		}
		for _, c := range im.comments {
			im.refs[c.owner] = true
		}
		for _, v := range im.votes {
			if v.user != 0 {
				im.refs[v.user] = true
			}
		}
	}
	return im.refs[id]
}

// convert turns a dump body into markdown and the sanitised HTML a page shows.
func (im *importer) convert(html string) (string, string, error) {
	if im.converted++; im.converted%50 == 0 || im.converted == im.toConvert {
		im.progress("converting", im.converted, max(im.toConvert, im.converted))
	}
	md, err := im.conv.ConvertString(html, converter.WithDomain("https://"+im.sum.Host))
	if err != nil {
		return "", "", fmt.Errorf("convert html: %w", err)
	}
	md = strings.TrimSpace(md)
	if md == "" {
		return "", "", nil
	}
	out, err := im.md.Render(context.Background(), md) // the importer speaks English
	return md, out, err
}
