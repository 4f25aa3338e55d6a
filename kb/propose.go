package kb

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"mutual/account"
	"mutual/fault"
	"mutual/forum"
	"mutual/i18n"
	"mutual/sqldb"
)

// MaxSources bounds the threads merged into one article.
const MaxSources = 5

// Proposal is an article drafted from solved threads, before the proposer
// edits it: what the propose form starts with.
type Proposal struct {
	ThreadIDs []int64
	BoardID   int64
	Title     string
	Body      string
	Tags      string
	Sources   []Source
	Credits   []Credit
}

// NewArticle is what the propose form sends.
type NewArticle struct {
	ThreadIDs []int64
	BoardID   int64
	Title     string
	Body      string
	Tags      string
}

// Draft drafts an article from solved threads: the first thread's title,
// and for each thread its question, its accepted answer and the replies
// members gave kudos to, quoted with their authors. The contributors are
// credited: the answerers, the askers, the quoted repliers.
func (s *Service) Draft(ctx context.Context, a account.Actor, threadIDs []int64) (Proposal, error) {
	if !mayPropose(a) {
		return Proposal{}, fault.Denied(i18n.T(ctx, "kb.may_not_propose"))
	}
	ids, err := sourceIDs(ctx, threadIDs)
	if err != nil {
		return Proposal{}, err
	}
	p := Proposal{ThreadIDs: ids}
	var parts []string
	seen := map[int64]bool{}
	credit := func(c Credit) {
		if c.UserID != 0 && !seen[c.UserID] {
			seen[c.UserID] = true
			p.Credits = append(p.Credits, c)
		}
	}
	for _, id := range ids {
		pg, err := s.forum.Page(ctx, a.BrandID, id, 0, forum.Cursor{})
		if err != nil {
			return Proposal{}, err
		}
		t := pg.Thread
		if t.MergedInto != 0 || t.Status != "visible" || pg.Accepted == nil {
			return Proposal{}, fault.Invalid("thread", i18n.T(ctx, "kb.not_solved", "Title", t.Title))
		}
		if p.Title == "" {
			p.Title, p.BoardID = t.Title, t.BoardID
		}
		p.Sources = append(p.Sources, Source{ThreadID: t.ID, Title: t.Title, Slug: t.Slug})
		credit(Credit{UserID: pg.Accepted.AuthorID, Username: pg.Accepted.AuthorName, Role: RoleAnswerer, PostID: pg.Accepted.ID})
		credit(Credit{UserID: pg.Question.AuthorID, Username: pg.Question.AuthorName, Role: RoleAsker, PostID: pg.Question.ID})
		part := "**" + i18n.T(ctx, "kb.draft_question") + "**\n\n" + strings.TrimSpace(pg.Question.BodyMD) +
			"\n\n**" + i18n.T(ctx, "kb.draft_answer") + "**\n\n" + strings.TrimSpace(pg.Accepted.BodyMD)
		var quotes []string
		for _, r := range pg.Replies {
			if r.ID == pg.Accepted.ID || r.KudosCount == 0 || r.Status != "visible" {
				continue
			}
			quotes = append(quotes, quote(r.BodyMD)+"\n>\n> — @"+r.AuthorName)
			credit(Credit{UserID: r.AuthorID, Username: r.AuthorName, Role: RoleReplier, PostID: r.ID})
		}
		if len(quotes) > 0 {
			part += "\n\n**" + i18n.T(ctx, "kb.draft_also") + "**\n\n" + strings.Join(quotes, "\n\n")
		}
		parts = append(parts, part)
	}
	p.Body = strings.Join(parts, "\n\n---\n\n")
	return p, nil
}

// quote marks every line of markdown as a block quote.
func quote(md string) string {
	lines := strings.Split(strings.TrimSpace(md), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight("> "+l, " ")
	}
	return strings.Join(lines, "\n")
}

// sourceIDs checks the list of threads: one to MaxSources, no repeats.
func sourceIDs(ctx context.Context, ids []int64) ([]int64, error) {
	var out []int64
	for _, id := range ids {
		if id > 0 && !containsID(out, id) {
			out = append(out, id)
		}
	}
	if len(out) == 0 || len(out) > MaxSources {
		return nil, fault.Invalid("thread", i18n.T(ctx, "kb.sources_count", "Max", MaxSources))
	}
	return out, nil
}

func containsID(xs []int64, id int64) bool {
	for _, x := range xs {
		if x == id {
			return true
		}
	}
	return false
}

// checkFields validates what a person typed for an article and renders its
// body, or returns a fault.ValidationError naming each wrong field.
func (s *Service) checkFields(ctx context.Context, brandID, boardID int64, title, body string) (string, error) {
	v := fault.Validation{}
	if n := utf8.RuneCountInString(strings.TrimSpace(title)); n == 0 || n > MaxTitle {
		v.Add("title", i18n.T(ctx, "kb.title_length", "Max", MaxTitle))
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(body)); n == 0 || n > MaxBody {
		v.Add("body", i18n.T(ctx, "kb.body_length", "Max", MaxBody))
	}
	if _, err := s.forum.Board(ctx, brandID, boardID); err != nil {
		v.Add("board_id", i18n.T(ctx, "kb.choose_board"))
	}
	if err := v.Err(); err != nil {
		return "", err
	}
	html, err := s.md.Render(ctx, body)
	if err != nil {
		return "", err
	}
	return html, nil
}

// Propose makes a draft article from solved threads with what the proposer
// wrote, its first revision, its sources and credits, in one transaction.
func (s *Service) Propose(ctx context.Context, a account.Actor, na NewArticle) (Article, error) {
	p, err := s.Draft(ctx, a, na.ThreadIDs)
	if err != nil {
		return Article{}, err
	}
	html, err := s.checkFields(ctx, a.BrandID, na.BoardID, na.Title, na.Body)
	if err != nil {
		return Article{}, err
	}
	title, tags := strings.TrimSpace(na.Title), strings.Join(ParseTags(na.Tags), " ")
	now := s.now()
	var id int64
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO kb_articles (brand_id, board_id, title, slug, body_md, body_html, tags, state, proposer_id,
revision_count, created_at, updated_at, review_by) VALUES (?, ?, ?, ?, ?, ?, ?, 'draft', ?, 1, ?, ?, ?) RETURNING id`,
			a.BrandID, na.BoardID, title, forum.Slugify(title), na.Body, html, tags, a.UserID, sqldb.Millis(now), sqldb.Millis(now), sqldb.Millis(now.Add(ReviewPeriod))).Scan(&id); err != nil {
			return fmt.Errorf("kb: insert article: %w", err)
		}
		if err := addRevision(ctx, tx, id, 1, a.UserID, title, na.Body, html, tags, sqldb.Millis(now)); err != nil {
			return err
		}
		for _, src := range p.Sources {
			if _, err := tx.Exec(ctx, `INSERT INTO kb_article_sources (article_id, thread_id, brand_id) VALUES (?, ?, ?)`, id, src.ThreadID, a.BrandID); err != nil {
				return fmt.Errorf("kb: source: %w", err)
			}
		}
		for _, c := range p.Credits {
			if _, err := tx.Exec(ctx, `INSERT INTO kb_article_credits (article_id, user_id, brand_id, role, post_id) VALUES (?, ?, ?, ?, ?)`,
				id, c.UserID, a.BrandID, c.Role, c.PostID); err != nil {
				return fmt.Errorf("kb: credit: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return Article{}, err
	}
	return s.load(ctx, s.db, a.BrandID, id)
}

func addRevision(ctx context.Context, tx *sqldb.Tx, id int64, n int, editor int64, title, md, html, tags string, at int64) error {
	_, err := tx.Exec(ctx, `INSERT INTO kb_article_revisions (article_id, revision, editor_id, title, body_md, body_html, tags, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, n, editor, title, md, html, tags, at)
	if err != nil {
		return fmt.Errorf("kb: revision: %w", err)
	}
	return nil
}

// Render renders an article body as its page will show it (a preview).
func (s *Service) Render(ctx context.Context, body string) (string, error) {
	return s.md.Render(ctx, body)
}
