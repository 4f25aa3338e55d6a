package kb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"mutual/account"
	"mutual/fault"
	"mutual/i18n"
	"mutual/sqldb"
)

const articleCols = `a.id, a.brand_id, a.board_id, a.title, a.slug, a.body_md, a.body_html, a.tags, a.state,
COALESCE(a.proposer_id, 0), COALESCE(u.username, ''), a.revision_count, a.review_note, a.created_at, a.updated_at,
COALESCE(a.published_at, 0), a.review_by,
(SELECT COUNT(*) FROM kb_article_reports r WHERE r.article_id = a.id AND r.resolved_at IS NULL)`

const articleFrom = ` FROM kb_articles a LEFT JOIN users u ON u.id = a.proposer_id`

func scanArticle(row interface{ Scan(...any) error }) (Article, error) {
	var a Article
	var tags, state string
	var created, updated, published, reviewBy int64
	err := row.Scan(&a.ID, &a.BrandID, &a.BoardID, &a.Title, &a.Slug, &a.BodyMD, &a.BodyHTML, &tags, &state,
		&a.ProposerID, &a.ProposerName, &a.RevisionCount, &a.ReviewNote, &created, &updated, &published, &reviewBy, &a.OpenReports)
	a.Tags = strings.Fields(tags)
	a.State = State(state)
	a.CreatedAt, a.UpdatedAt, a.PublishedAt, a.ReviewBy = sqldb.Time(created), sqldb.Time(updated), sqldb.Time(published), sqldb.Time(reviewBy)
	return a, err
}

func scanArticles(rows *sql.Rows, err error) ([]Article, error) {
	if err != nil {
		return nil, fmt.Errorf("kb: list articles: %w", err)
	}
	defer rows.Close()
	out := []Article{}
	for rows.Next() {
		a, err := scanArticle(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// load reads one article of the brand with its sources and credits.
func (s *Service) load(ctx context.Context, q sqldb.Querier, brandID, id int64) (Article, error) {
	a, err := scanArticle(q.QueryRow(ctx, `SELECT `+articleCols+articleFrom+` WHERE a.brand_id = ? AND a.id = ?`, brandID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Article{}, fault.NotFound(i18n.T(ctx, "kb.missing"))
	}
	if err != nil {
		return Article{}, fmt.Errorf("kb: article %d: %w", id, err)
	}
	if a.Sources, err = sources(ctx, q, id); err != nil {
		return Article{}, err
	}
	a.Credits, err = credits(ctx, q, id)
	return a, err
}

func sources(ctx context.Context, q sqldb.Querier, id int64) ([]Source, error) {
	rows, err := q.Query(ctx, `SELECT t.id, t.title, t.slug FROM kb_article_sources s JOIN threads t ON t.id = s.thread_id
WHERE s.article_id = ? ORDER BY t.id`, id)
	if err != nil {
		return nil, fmt.Errorf("kb: sources of %d: %w", id, err)
	}
	defer rows.Close()
	var out []Source
	for rows.Next() {
		var x Source
		if err := rows.Scan(&x.ThreadID, &x.Title, &x.Slug); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

func credits(ctx context.Context, q sqldb.Querier, id int64) ([]Credit, error) {
	rows, err := q.Query(ctx, `SELECT c.user_id, COALESCE(u.username, ''), c.role, c.post_id FROM kb_article_credits c
LEFT JOIN users u ON u.id = c.user_id WHERE c.article_id = ?
ORDER BY CASE c.role WHEN 'answerer' THEN 0 WHEN 'asker' THEN 1 ELSE 2 END, c.post_id`, id)
	if err != nil {
		return nil, fmt.Errorf("kb: credits of %d: %w", id, err)
	}
	defer rows.Close()
	var out []Credit
	for rows.Next() {
		var x Credit
		if err := rows.Scan(&x.UserID, &x.Username, &x.Role, &x.PostID); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// Article returns an article the actor may see: a published one for
// anyone, a draft for its proposer and editors; otherwise
// fault.ErrNotFound, so a draft's existence is not told.
func (s *Service) Article(ctx context.Context, a account.Actor, id int64) (Article, error) {
	art, err := s.load(ctx, s.db, a.BrandID, id)
	if err != nil {
		return Article{}, err
	}
	if !maySee(a, art) {
		return Article{}, fault.NotFound(i18n.T(ctx, "kb.missing"))
	}
	return art, nil
}

// ForEditing returns an article the actor may edit, or
// fault.ErrForbidden (fault.ErrNotFound for a draft they may not see).
func (s *Service) ForEditing(ctx context.Context, a account.Actor, id int64) (Article, error) {
	art, err := s.Article(ctx, a, id)
	if err == nil && !mayEdit(a, art) {
		return Article{}, fault.Denied(i18n.T(ctx, "kb.may_not_edit"))
	}
	return art, err
}

// Published lists the brand's published articles, most recently updated
// first, after the given offset.
func (s *Service) Published(ctx context.Context, brandID int64, offset, limit int) ([]Article, error) {
	return scanArticles(s.db.Query(ctx, `SELECT `+articleCols+articleFrom+`
WHERE a.brand_id = ? AND a.state = 'published' ORDER BY a.updated_at DESC, a.id DESC LIMIT ? OFFSET ?`, brandID, limit, offset))
}

// ForThread returns the published articles drafted from a thread (most
// recently updated first), for the thread page's "now an article" line:
// from the brand's published articles in memory (rank.go), so a thread
// page costs no query for it.
func (s *Service) ForThread(ctx context.Context, brandID, threadID int64) ([]Article, error) {
	c, err := s.corpus(ctx, brandID)
	if err != nil {
		return nil, err
	}
	var out []Article
	for _, i := range c.byThread[threadID] {
		out = append(out, c.docs[i].art)
	}
	return out, nil
}

// Mine lists the articles an actor proposed that are not yet published.
func (s *Service) Mine(ctx context.Context, a account.Actor) ([]Article, error) {
	if !a.SignedIn() {
		return []Article{}, nil
	}
	return scanArticles(s.db.Query(ctx, `SELECT `+articleCols+articleFrom+`
WHERE a.brand_id = ? AND a.proposer_id = ? AND a.state <> 'published' ORDER BY a.updated_at DESC`, a.BrandID, a.UserID))
}

// Revisions lists an article's revisions, oldest first.
func (s *Service) Revisions(ctx context.Context, a account.Actor, id int64) ([]Revision, error) {
	if _, err := s.Article(ctx, a, id); err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, `SELECT r.revision, COALESCE(r.editor_id, 0), COALESCE(u.username, ''), r.title, r.body_md, r.body_html, r.tags, r.created_at
FROM kb_article_revisions r LEFT JOIN users u ON u.id = r.editor_id WHERE r.article_id = ? ORDER BY r.revision`, id)
	if err != nil {
		return nil, fmt.Errorf("kb: revisions of %d: %w", id, err)
	}
	defer rows.Close()
	var out []Revision
	for rows.Next() {
		var r Revision
		var tags string
		var at int64
		if err := rows.Scan(&r.Revision, &r.EditorID, &r.EditorName, &r.Title, &r.BodyMD, &r.BodyHTML, &tags, &at); err != nil {
			return nil, err
		}
		r.Tags, r.CreatedAt = strings.Fields(tags), sqldb.Time(at)
		out = append(out, r)
	}
	return out, rows.Err()
}
