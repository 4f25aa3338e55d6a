package forum

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"mutual/fault"
	"mutual/i18n"
	"mutual/sqldb"
)

const boardCols = `id, brand_id, slug, name, description, position, thread_count, post_count, last_activity_at`

func scanBoard(row interface{ Scan(...any) error }) (Board, error) {
	var b Board
	var last int64
	err := row.Scan(&b.ID, &b.BrandID, &b.Slug, &b.Name, &b.Description, &b.Position, &b.ThreadCount, &b.PostCount, &last)
	b.LastActivityAt = sqldb.Time(last)
	return b, err
}

// Boards lists a brand's boards in display order.
func (s *Service) Boards(ctx context.Context, brandID int64) ([]Board, error) {
	rows, err := s.db.Query(ctx, `SELECT `+boardCols+` FROM boards WHERE brand_id = ? ORDER BY position, id`, brandID)
	if err != nil {
		return nil, fmt.Errorf("forum: list boards: %w", err)
	}
	defer rows.Close()
	out := []Board{}
	for rows.Next() {
		b, err := scanBoard(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// Board returns one board of the brand, or fault.ErrNotFound.
func (s *Service) Board(ctx context.Context, brandID, id int64) (Board, error) {
	b, err := scanBoard(s.db.QueryRow(ctx, `SELECT `+boardCols+` FROM boards WHERE brand_id = ? AND id = ?`, brandID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Board{}, fmt.Errorf("forum: board %d: %w", id, fault.ErrNotFound)
	}
	return b, err
}

// NewBoard is what creating a board needs.
type NewBoard struct {
	Name, Description string
	Position          int
}

// CreateBoard adds a board to a brand.
func (s *Service) CreateBoard(ctx context.Context, brandID int64, nb NewBoard) (Board, error) {
	nb.Name = strings.TrimSpace(nb.Name)
	v := fault.Validation{}
	if n := utf8.RuneCountInString(nb.Name); n < 2 || n > 60 {
		v.Add("name", i18n.T(ctx, "forum.board_name_len"))
	}
	if utf8.RuneCountInString(nb.Description) > 300 {
		v.Add("description", i18n.T(ctx, "forum.board_desc_len"))
	}
	if err := v.Err(); err != nil {
		return Board{}, err
	}
	var id int64
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO boards (brand_id, slug, name, description, position, created_at)
VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, brandID, Slugify(nb.Name), nb.Name, nb.Description, nb.Position, sqldb.Millis(s.now())).Scan(&id)
	})
	if sqldb.IsUniqueViolation(err) {
		return Board{}, &fault.ValidationError{Fields: map[string]string{"name": i18n.T(ctx, "forum.board_exists")}}
	}
	if err != nil {
		return Board{}, fmt.Errorf("forum: create board: %w", err)
	}
	s.changed(Change{BrandID: brandID, Lists: true})
	return s.Board(ctx, brandID, id)
}
