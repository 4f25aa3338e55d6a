package account

import (
	"context"
	"fmt"

	"mutual/fault"
)

// A member's consent to hear from the brand's sales team. It is off until
// the member turns it on in their settings: marketing consent must be given,
// never assumed (GDPR article 7), so a member who never chose is treated as
// one who said no.

// MarketingOptIn reports whether the member agreed to be contacted.
func (m *Members) MarketingOptIn(ctx context.Context, brandID, userID int64) (bool, error) {
	var on int64
	err := m.db.QueryRow(ctx, `SELECT marketing_opt_in FROM users WHERE id = ? AND brand_id = ?`, userID, brandID).Scan(&on)
	if err != nil {
		return false, fmt.Errorf("account: marketing consent: %w", err)
	}
	return on != 0, nil
}

// SetMarketingOptIn records the member's choice.
func (m *Members) SetMarketingOptIn(ctx context.Context, a Actor, on bool) error {
	if !a.SignedIn() {
		return fault.ErrUnauthenticated
	}
	v := 0
	if on {
		v = 1
	}
	if _, err := m.db.Exec(ctx, `UPDATE users SET marketing_opt_in = ? WHERE id = ? AND brand_id = ?`, v, a.UserID, a.BrandID); err != nil {
		return fmt.Errorf("account: set marketing consent: %w", err)
	}
	return nil
}
