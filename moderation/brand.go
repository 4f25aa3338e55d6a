package moderation

import (
	"context"

	"mutual/account"
	"mutual/forum"
	"mutual/sqldb"
)

// UpdateBrand changes the look of the actor's brand (its name, tagline,
// logo and colours) and audits the change with the look before and after.
// A wrong look is a fault.ValidationError naming its fields (see
// forum.BrandLook.Check); saving the look unchanged records nothing.
func (s *Service) UpdateBrand(ctx context.Context, a account.Actor, look forum.BrandLook) error {
	look = look.Tidy()
	err := s.inTx(ctx, func(tx *sqldb.Tx) error {
		before, err := forum.SetBrandLook(ctx, tx, a.BrandID, look)
		if err != nil || before == look {
			return err
		}
		return s.record(ctx, tx, a, entry{act: ActBrandChanged, targetType: "brand", targetID: a.BrandID, before: before, after: look})
	})
	if err != nil {
		return err
	}
	// Every page shows the brand's name; cached ones must not keep the old.
	s.forum.Changed(forum.Change{BrandID: a.BrandID, Lists: true})
	return nil
}
