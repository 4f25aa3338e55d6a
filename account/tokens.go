package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"mutual/fault"
)

// CreateToken issues a bearer token for programs acting as the user. The token
// is shown once; only its hash is kept.
func (m *Members) CreateToken(ctx context.Context, brandID, userID int64, name string) (string, error) {
	tok := "mut_" + newSecret()
	_, err := m.db.Exec(ctx, `INSERT INTO api_tokens (brand_id, user_id, token_hash, name, created_at) VALUES (?, ?, ?, ?, ?)`,
		brandID, userID, hashSecret(tok), name, ms(m.now()))
	if err != nil {
		return "", fmt.Errorf("account: create token: %w", err)
	}
	return tok, nil
}

// TokenActor resolves a bearer token of this brand to its actor, or fault.ErrNotFound.
func (m *Members) TokenActor(ctx context.Context, brandID int64, token string) (Actor, error) {
	if token == "" || len(token) > 100 {
		return Actor{}, fault.ErrNotFound
	}
	var a Actor
	err := m.db.QueryRow(ctx, `SELECT t.user_id, u.username FROM api_tokens t JOIN users u ON u.id = t.user_id
WHERE t.token_hash = ? AND t.brand_id = ?`, hashSecret(token), brandID).Scan(&a.UserID, &a.Username)
	if errors.Is(err, sql.ErrNoRows) {
		return Actor{}, fault.ErrNotFound
	}
	if err != nil {
		return Actor{}, fmt.Errorf("account: token: %w", err)
	}
	a.BrandID = brandID
	a.Roles, err = m.RolesOf(ctx, brandID, a.UserID)
	return a, err
}
