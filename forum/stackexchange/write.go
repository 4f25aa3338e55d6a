package stackexchange

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"mutual/forum"
	"mutual/forum/lang"
	"mutual/reputation"
	"mutual/sqldb"
)

// batches runs fn for items [0, n) in transactions of BatchSize rows, telling
// Progress after each.
func (im *importer) batches(ctx context.Context, stage string, n int, fn func(ctx context.Context, tx *sqldb.Tx, i int) error) error {
	im.progress(stage, 0, n)
	for start := 0; start < n; start += im.opt.BatchSize {
		end := min(n, start+im.opt.BatchSize)
		err := im.db.InTx(ctx, func(tx *sqldb.Tx) error {
			for i := start; i < end; i++ {
				if err := fn(ctx, tx, i); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("stackexchange: write %s: %w", stage, err)
		}
		im.progress(stage, end, n)
	}
	return nil
}

func (im *importer) progress(stage string, done, total int) {
	if im.opt.Progress != nil {
		im.opt.Progress(stage, done, total)
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// boardKey is the tag whose board a question goes to: its first tag among
// the top tags, else "" (General). With one board, always "".
func (im *importer) boardKey(q *question, top map[string]bool) string {
	for _, t := range q.tags {
		if top[t] {
			return t
		}
	}
	return ""
}

// topTags are the N most used tags, most used first (ties by name).
func (im *importer) topTags() map[string]bool {
	top := map[string]bool{}
	if im.opt.Boards != BoardsByTag {
		return top
	}
	names := make([]string, 0, len(im.tagCounts))
	for n := range im.tagCounts {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		if im.tagCounts[names[i]] != im.tagCounts[names[j]] {
			return im.tagCounts[names[i]] > im.tagCounts[names[j]]
		}
		return names[i] < names[j]
	})
	for _, n := range names[:min(len(names), im.opt.TopTags)] {
		top[n] = true
	}
	return top
}

// boardName turns a tag into a board name: "beer-styles" becomes "Beer styles".
func boardName(tag string) string {
	s := strings.ReplaceAll(tag, "-", " ")
	r := []rune(s)
	if len(r) > 0 {
		r[0] = unicode.ToUpper(r[0])
	}
	if len(r) > 60 {
		r = r[:60]
	}
	return string(r)
}

// writeAccounts makes the boards, the stand-in accounts and the imported
// members, reusing any an earlier run made.
//
// It stays long: three passes (boards, stand-in voters, members) that fill
// the id maps the later passes and writeContent read.
func (im *importer) writeAccounts(ctx context.Context) error {
	top := im.topTags()
	used := map[string]bool{}
	for _, q := range im.questions {
		// Only new threads need a board: a re-run with another board
		// mode leaves imported threads where they are and adds no empty board.
		if _, done := im.threads[q.id]; !done {
			used[im.boardKey(q, top)] = true
		}
	}
	keys := make([]string, 0, len(used))
	for k := range used {
		keys = append(keys, k)
	}
	// Boards by popularity, General last.
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if (a == "") != (b == "") {
			return b == ""
		}
		if im.tagCounts[a] != im.tagCounts[b] {
			return im.tagCounts[a] > im.tagCounts[b]
		}
		return a < b
	})
	im.boards = map[string]int64{}
	now := im.opt.Now()
	err := im.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var pos int
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(position), 0) FROM boards WHERE brand_id = ?`, im.opt.BrandID).Scan(&pos); err != nil {
			return err
		}
		for _, k := range keys {
			name := boardName(k)
			desc := fmt.Sprintf("Questions tagged %s, imported from %s (CC BY-SA).", k, im.sum.Host)
			if k == "" && im.opt.Boards == BoardsByTag {
				name, desc = "General", fmt.Sprintf("Questions imported from %s (CC BY-SA).", im.sum.Host)
			} else if k == "" {
				name, desc = boardName(im.opt.Site), fmt.Sprintf("Questions imported from %s (CC BY-SA).", im.sum.Host)
			}
			slug := forum.Slugify(name)
			var id int64
			err := tx.QueryRow(ctx, `SELECT id FROM boards WHERE brand_id = ? AND slug = ?`, im.opt.BrandID, slug).Scan(&id)
			if err != nil {
				pos++
				if err := tx.QueryRow(ctx, `INSERT INTO boards (brand_id, slug, name, description, position, created_at)
VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, im.opt.BrandID, slug, name, desc, pos, sqldb.Millis(now)).Scan(&id); err != nil {
					return fmt.Errorf("create board %s: %w", name, err)
				}
				im.sum.BoardsCreated++
			}
			im.boards[k] = id
			im.sum.Boards = append(im.sum.Boards, name)
		}
		stand := func(owner int64, ext, name string) error {
			if _, have := im.users[owner]; have || !im.referenced(owner) {
				return nil
			}
			id, err := im.insertUser(ctx, tx, name, "", ext, now)
			im.users[owner], im.placeholder[id] = id, true
			return err
		}
		if err := stand(ownerDeleted, extDeleted, "deleted-user"); err != nil {
			return err
		}
		if err := stand(ownerCommunity, extCommunity, "community"); err != nil {
			return err
		}
		for k := 1; k <= im.sum.MaxPlaceholderVoter; k++ {
			if _, have := im.voters[k]; have {
				continue
			}
			id, err := im.insertUser(ctx, tx, "voter-"+strconv.Itoa(k), "", extVoter+strconv.Itoa(k), now)
			if err != nil {
				return err
			}
			im.voters[k], im.placeholder[id] = id, true
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("stackexchange: boards and stand-in accounts: %w", err)
	}
	var todo []int64
	for id := range im.dumpUsers {
		if !im.referenced(id) {
			continue
		}
		if _, have := im.users[id]; have {
			im.sum.AlreadyImported["members"]++
			continue
		}
		todo = append(todo, id)
	}
	sort.Slice(todo, func(i, j int) bool { return todo[i] < todo[j] })
	return im.batches(ctx, "members", len(todo), func(ctx context.Context, tx *sqldb.Tx, i int) error {
		se := todo[i]
		u := im.dumpUsers[se]
		created := u.created
		if created.IsZero() {
			created = now
		}
		id, err := im.insertUser(ctx, tx, u.name, "user"+strconv.FormatInt(se, 10), im.pfx+"user:"+strconv.FormatInt(se, 10), created)
		if err != nil {
			return err
		}
		im.users[se] = id
		im.sum.Members++
		return nil
	})
}

// insertUser writes an unclaimed account (empty password hash: it cannot sign
// in until claimed) with a username made from display, unique in the brand.
func (im *importer) insertUser(ctx context.Context, tx *sqldb.Tx, display, fallback, ext string, at time.Time) (int64, error) {
	base := cleanName(display)
	if len(base) < 3 {
		base = fallback
	}
	name := base
	for n := 2; im.taken[strings.ToLower(name)]; n++ {
		suffix := "-" + strconv.Itoa(n)
		name = trimName(base, 20-len(suffix)) + suffix
	}
	key := strings.ToLower(name)
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO users (brand_id, username, username_key, email, email_key, password_hash, external_id, created_at)
VALUES (?, ?, ?, '', '', '', ?, ?) RETURNING id`, im.opt.BrandID, name, key, ext, sqldb.Millis(at)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert user %s: %w", name, err)
	}
	im.taken[key] = true
	im.names[id] = name
	if strings.HasPrefix(ext, extVoter) || ext == extDeleted || ext == extCommunity {
		im.sum.Placeholders++
	}
	return id, nil
}

// cleanName keeps what a Mutual username may hold: ASCII letters and digits,
// with spaces and other separators as single dashes, 3 to 20 characters.
func cleanName(s string) string {
	var b strings.Builder
	sep := false
	for _, r := range s {
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if sep && b.Len() > 0 {
				b.WriteByte('-')
			}
			sep = false
			b.WriteRune(r)
		case r == '_' || r == '.':
			if b.Len() > 0 && !sep {
				b.WriteRune(r)
			}
		default:
			sep = true
		}
	}
	return trimName(b.String(), 20)
}

// trimName cuts s to n bytes (it is ASCII) and trims separators at the end.
func trimName(s string, n int) string {
	if len(s) > n {
		s = s[:n]
	}
	return strings.TrimRight(s, "-_.")
}

// local is the account a dump owner maps to.
func (im *importer) local(owner int64) int64 { return im.users[owner] }

// insertPost writes one post and its first revision; kind is what a reply
// was on the site (forum.ReplyAnswer or forum.ReplyComment).
func insertPost(ctx context.Context, tx *sqldb.Tx, brand, thread, author int64, question bool, kind, title, md, html string, at time.Time, ext string) (int64, error) {
	isQ := 0
	if question {
		isQ = 1
	}
	var id int64
	if err := tx.QueryRow(ctx, `INSERT INTO posts (brand_id, thread_id, author_id, is_question, reply_kind, body_md, body_html, created_at, external_id)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, brand, thread, author, isQ, kind, md, html, sqldb.Millis(at), ext).Scan(&id); err != nil {
		return 0, fmt.Errorf("insert post %s: %w", ext, err)
	}
	// Every post has its first revision, as forum.Service writes it.
	_, err := tx.Exec(ctx, `INSERT INTO post_revisions (brand_id, post_id, revision, editor_id, title, body_md, body_html, created_at)
VALUES (?, ?, 1, ?, ?, ?, ?, ?)`, brand, id, author, title, md, html, sqldb.Millis(at))
	if err != nil {
		return 0, fmt.Errorf("insert revision of %s: %w", ext, err)
	}
	return id, nil
}

// writeQuestions makes a thread and its question post for each new question.
func (im *importer) writeQuestions(ctx context.Context) error {
	top := im.topTags()
	var todo []*question
	for _, q := range im.questions {
		if _, done := im.threads[q.id]; done {
			im.sum.AlreadyImported["threads"]++
			continue
		}
		todo = append(todo, q)
	}
	sort.Slice(todo, func(i, j int) bool { return todo[i].created.Before(todo[j].created) })
	b := im.opt.BrandID
	return im.batches(ctx, "threads", len(todo), func(ctx context.Context, tx *sqldb.Tx, i int) error {
		q := todo[i]
		author := im.local(q.owner)
		ext := im.pfx + strconv.FormatInt(q.id, 10)
		slug := forum.Slugify(q.title)
		language := lang.Detect(q.title + "\n" + q.md) // a dump says nothing of its questions' languages
		var tid int64
		if err := tx.QueryRow(ctx, `INSERT INTO threads (brand_id, board_id, author_id, title, slug, created_at, last_activity_at, view_count, external_id, language)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, b, im.boards[im.boardKey(q, top)], author, q.title, slug,
			sqldb.Millis(q.created), sqldb.Millis(q.created), q.views, ext, language).Scan(&tid); err != nil {
			return fmt.Errorf("insert thread %s: %w", ext, err)
		}
		pid, err := insertPost(ctx, tx, b, tid, author, true, forum.ReplyAnswer, q.title, q.md, q.out, q.created, ext)
		if err != nil {
			return err
		}
		im.threads[q.id] = threadRef{id: tid, author: author, slug: slug}
		im.posts[q.id] = postRef{id: pid, thread: tid, author: author, created: q.created}
		im.sum.Threads++
		im.sum.Languages[language]++
		return nil
	})
}

// writeAnswers adds each new answer as a reply.
func (im *importer) writeAnswers(ctx context.Context) error {
	var todo []*answer
	for _, a := range im.answers {
		if _, done := im.posts[a.id]; done {
			im.sum.AlreadyImported["answers"]++
			continue
		}
		todo = append(todo, a)
	}
	sort.Slice(todo, func(i, j int) bool { return todo[i].created.Before(todo[j].created) })
	return im.batches(ctx, "answers", len(todo), func(ctx context.Context, tx *sqldb.Tx, i int) error {
		a := todo[i]
		t := im.threads[a.parent]
		author := im.local(a.owner)
		id, err := insertPost(ctx, tx, im.opt.BrandID, t.id, author, false, forum.ReplyAnswer, "", a.md, a.out, a.created, im.pfx+strconv.FormatInt(a.id, 10))
		if err != nil {
			return err
		}
		im.posts[a.id] = postRef{id: id, thread: t.id, author: author, created: a.created}
		im.sum.Answers++
		return nil
	})
}

// commentBody prefixes a comment's text with what it commented on, linking
// to that post, so a comment reads sensibly among the replies.
func (im *importer) commentBody(c *comment) string {
	target := im.posts[c.post]
	var t threadRef
	what := "the question"
	if q, ok := im.qByID[c.post]; ok {
		t = im.threads[q.id]
	} else {
		t = im.threads[im.aByID[c.post].parent]
		what = escapeMD(im.names[target.author]) + "'s answer"
	}
	return fmt.Sprintf("_Comment on [%s](/t/%d/%s#p%d):_\n\n%s", what, t.id, t.slug, target.id, c.text)
}

func escapeMD(s string) string {
	return strings.NewReplacer(`_`, `\_`, `*`, `\*`, `[`, `\[`, `]`, `\]`).Replace(s)
}

// writeComments adds each new comment as a reply in its post's thread.
func (im *importer) writeComments(ctx context.Context) error {
	var todo []*comment
	for _, c := range im.comments {
		if im.doneComment[c.id] {
			im.sum.AlreadyImported["comments"]++
			continue
		}
		todo = append(todo, c)
	}
	sort.Slice(todo, func(i, j int) bool {
		if !todo[i].created.Equal(todo[j].created) {
			return todo[i].created.Before(todo[j].created)
		}
		return todo[i].id < todo[j].id
	})
	return im.batches(ctx, "comments", len(todo), func(ctx context.Context, tx *sqldb.Tx, i int) error {
		c := todo[i]
		body := im.commentBody(c)
		html, err := im.md.Render(ctx, body)
		if err != nil {
			return err
		}
		target := im.posts[c.post]
		if _, err := insertPost(ctx, tx, im.opt.BrandID, target.thread, im.local(c.owner), false, forum.ReplyComment, "", body, html, c.created,
			im.pfx+"comment:"+strconv.FormatInt(c.id, 10)); err != nil {
			return err
		}
		im.doneComment[c.id] = true
		im.sum.Comments++
		return nil
	})
}

// award records a ledger event through the reputation rules (self-awards,
// staff and the daily cap are the ledger's business). Stand-in accounts earn
// nothing: they are not people.
func (im *importer) award(ctx context.Context, tx *sqldb.Tx, user int64, why reputation.Reason, post, actor int64, at time.Time) error {
	if im.placeholder[user] {
		return nil
	}
	_, err := reputation.Award(ctx, forum.LedgerTx(tx), reputation.Event{BrandID: im.opt.BrandID, UserID: user, Reason: why, PostID: post, ActorID: actor, At: at})
	return err
}

// writeAccepted marks accepted answers on threads that have none yet and
// awards the answerer and the asker.
func (im *importer) writeAccepted(ctx context.Context) error {
	type pick struct{ q, a int64 }
	var todo []pick
	for _, q := range im.questions {
		if q.accepted == 0 {
			continue
		}
		a, ok := im.aByID[q.accepted]
		switch {
		case !ok:
			im.sum.skip(PostsFile, "AcceptedAnswerId names an answer that is not in the dump or was skipped")
		case a.parent != q.id:
			im.sum.skip(PostsFile, "AcceptedAnswerId names an answer to another question")
		case im.threads[q.id].accepted != 0:
			im.sum.AlreadyImported["accepted answers"]++
		default:
			todo = append(todo, pick{q.id, a.id})
		}
	}
	return im.batches(ctx, "accepted answers", len(todo), func(ctx context.Context, tx *sqldb.Tx, i int) error {
		t, p := im.threads[todo[i].q], im.posts[todo[i].a]
		res, err := tx.Exec(ctx, `UPDATE threads SET accepted_post_id = ? WHERE id = ? AND accepted_post_id IS NULL`, p.id, t.id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		at := later(im.acceptedAt[todo[i].a], p.created)
		if err := im.award(ctx, tx, p.author, reputation.AnswerAccepted, p.id, t.author, at); err != nil {
			return err
		}
		if err := im.award(ctx, tx, t.author, reputation.AcceptedOther, p.id, p.author, at); err != nil {
			return err
		}
		t.accepted = p.id
		im.threads[todo[i].q] = t
		im.sum.Accepted++
		return nil
	})
}

// writeKudos turns each up-vote into kudos, in time order, with its
// reputation event. A kudos already present (an earlier run) adds nothing.
func (im *importer) writeKudos(ctx context.Context) error {
	return im.batches(ctx, "kudos", len(im.votes), func(ctx context.Context, tx *sqldb.Tx, i int) error {
		v := im.votes[i]
		p := im.posts[v.post]
		voter := im.voters[v.slot]
		if v.user != 0 {
			voter = im.users[v.user]
		}
		if voter == p.author {
			im.sum.skip(VotesFile, "up-vote on the voter's own post")
			return nil
		}
		at := later(v.at, p.created)
		res, err := tx.Exec(ctx, `INSERT INTO kudos (brand_id, post_id, user_id, created_at) VALUES (?, ?, ?, ?)
ON CONFLICT (post_id, user_id) DO NOTHING`, im.opt.BrandID, p.id, voter, sqldb.Millis(at))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			im.sum.AlreadyImported["kudos"]++
			return nil
		}
		im.sum.Kudos++
		return im.award(ctx, tx, p.author, reputation.KudosReceived, p.id, voter, at)
	})
}

// finish recomputes every counter the import touched from the rows
// themselves, exactly as forum.Service keeps them, and the brand's cached
// reputation from the ledger. It is deterministic, so running it again
// (after a partial run, or a second import) changes nothing that is right.
func (im *importer) finish(ctx context.Context) error {
	b, like := im.opt.BrandID, im.pfx+"%"
	im.progress("counters", 0, 1)
	err := im.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE posts SET kudos_count = (SELECT COUNT(*) FROM kudos k WHERE k.post_id = posts.id)
WHERE brand_id = ? AND external_id LIKE ?`, b, like); err != nil {
			return fmt.Errorf("post kudos counts: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE threads SET
  reply_count = (SELECT COUNT(*) FROM posts p WHERE p.thread_id = threads.id AND p.is_question = 0),
  last_activity_at = (SELECT MAX(p.created_at) FROM posts p WHERE p.thread_id = threads.id),
  first_reply_at = (SELECT MIN(p.created_at) FROM posts p
    WHERE p.thread_id = threads.id AND p.is_question = 0 AND p.author_id <> threads.author_id)
WHERE brand_id = ? AND external_id LIKE ?`, b, like); err != nil {
			return fmt.Errorf("thread counters: %w", err)
		}
		// Imported authors are members, never staff: the first reply is a
		// peer's, which the escalation detector and the reports read.
		if _, err := tx.Exec(ctx, `UPDATE threads SET first_peer_reply_at = first_reply_at
WHERE brand_id = ? AND external_id LIKE ?`, b, like); err != nil {
			return fmt.Errorf("thread peer replies: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE boards SET
  thread_count = (SELECT COUNT(*) FROM threads t WHERE t.board_id = boards.id),
  post_count = (SELECT COUNT(*) FROM posts p JOIN threads t ON t.id = p.thread_id WHERE t.board_id = boards.id),
  last_activity_at = COALESCE((SELECT MAX(t.last_activity_at) FROM threads t WHERE t.board_id = boards.id), 0)
WHERE brand_id = ? AND id IN (SELECT board_id FROM threads WHERE brand_id = ? AND external_id LIKE ?)`, b, b, like); err != nil {
			return fmt.Errorf("board counters: %w", err)
		}
		if err := reputation.Rebuild(ctx, forum.LedgerTx(tx), b); err != nil {
			return err
		}
		var n int64
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM reputation_events WHERE brand_id = ?`, b).Scan(&n); err != nil {
			return err
		}
		im.sum.ReputationEvents = int(n - im.eventsAtStart)
		return nil
	})
	if err != nil {
		return fmt.Errorf("stackexchange: counters: %w", err)
	}
	im.progress("counters", 1, 1)
	return nil
}
