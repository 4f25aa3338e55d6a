package deflection

import (
	"context"
	"fmt"
	"time"

	"mutual/sqldb"
)

// countSolvedViews counts viewer-days on solved threads, from the roll-up.
func (c *tally) countSolvedViews(ctx context.Context) error {
	return c.countDaily(ctx, "views", `SELECT day, board_id, views FROM report_view_rollup WHERE brand_id = ? AND day >= ? AND day < ?`, "",
		func(a *acc, n int64) { a.f.SolvedViews += n })
}

// countArticleViews counts viewer-days on published knowledge-base
// articles: self-service reads, counted with solved threads' (see
// RecordArticle for the rules, which are the same).
func (c *tally) countArticleViews(ctx context.Context) error {
	return c.countDaily(ctx, "article views", `SELECT day, board_id, COUNT(*) FROM article_view_days WHERE brand_id = ? AND day >= ? AND day < ?`,
		` GROUP BY day, board_id`, func(a *acc, n int64) { a.f.ArticleViews += n })
}

// countDaily runs a query of (day, board, count) rows over the report's
// days and boards, and adds each count where its day and board fall.
func (c *tally) countDaily(ctx context.Context, what, query, tail string, add func(a *acc, n int64)) error {
	bw, ba := c.boardFilter("board_id")
	rows, err := c.db.Query(ctx, query+bw+tail, append([]any{c.q.BrandID, Day(c.from), Day(c.end)}, ba...)...)
	if err != nil {
		return fmt.Errorf("deflection: read %s: %w", what, err)
	}
	defer rows.Close()
	for rows.Next() {
		var day, board, n int64
		if err := rows.Scan(&day, &board, &n); err != nil {
			return err
		}
		for _, a := range c.accsFor(day*86400000, board) {
			add(a, n)
		}
	}
	return rows.Err()
}

// countContactsFromSolved counts readers of solved threads who clicked
// "Contact us" anyway.
func (c *tally) countContactsFromSolved(ctx context.Context) error {
	bw, ba := c.boardFilter("t.board_id")
	return eachRow(ctx, c.db, `SELECT c.at, t.board_id, '' FROM contact_clicks c JOIN threads t ON t.id = c.thread_id
		WHERE c.brand_id = ? AND c.at >= ? AND c.at < ? AND c.from_solved = 1 AND c.from_asker = 0`+bw,
		append([]any{c.q.BrandID, c.fromMs, c.endMs}, ba...), func(at, board int64, _ string) {
			for _, a := range c.accsFor(at, board) {
				a.f.ContactsFromSolved++
			}
		})
}

// countSurveyAnswers counts the "did this save you contacting us?" answers
// and their yeses.
func (c *tally) countSurveyAnswers(ctx context.Context) error {
	bw, ba := c.boardFilter("t.board_id")
	return eachRow(ctx, c.db, `SELECT s.answered_at, t.board_id, CASE WHEN s.saved = 1 THEN 'y' ELSE 'n' END FROM deflection_survey s
		JOIN threads t ON t.id = s.thread_id WHERE s.brand_id = ? AND s.answered_at >= ? AND s.answered_at < ?`+bw,
		append([]any{c.q.BrandID, c.fromMs, c.endMs}, ba...), func(at, board int64, saved string) {
			for _, a := range c.accsFor(at, board) {
				a.f.SurveyAnswers++
				if saved == "y" {
					a.f.SurveyYes++
				}
			}
		})
}

// countSuggestionDeflections gathers Ask-page suggestions opened by someone
// who then did not ask within SuggestionWindow: one deflection per asker per
// day.
func (c *tally) countSuggestionDeflections(ctx context.Context) error {
	bw, ba := c.boardFilter("t.board_id")
	return eachRow(ctx, c.db, `SELECT so.opened_at, t.board_id, so.viewer_key FROM suggestion_opens so JOIN threads t ON t.id = so.thread_id
		WHERE so.brand_id = ? AND so.opened_at >= ? AND so.opened_at < ? AND so.opened_at <= ? AND so.asked_thread_id IS NULL`+bw,
		append([]any{c.q.BrandID, c.fromMs, c.endMs, c.nowMs - SuggestionWindow.Milliseconds()}, ba...), func(at, board int64, viewer string) {
			key := fmt.Sprintf("%s|%d", viewer, Day(time.UnixMilli(at)))
			for _, a := range c.accsFor(at, board) {
				a.suggestion[key] = true
			}
		})
}

// eachRow runs a query of (time, board, text) rows and calls fn on each.
func eachRow(ctx context.Context, db sqldb.Querier, query string, args []any, fn func(at, board int64, s string)) error {
	rows, err := db.Query(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("deflection: read: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var at, board int64
		var s string
		if err := rows.Scan(&at, &board, &s); err != nil {
			return err
		}
		fn(at, board, s)
	}
	return rows.Err()
}
