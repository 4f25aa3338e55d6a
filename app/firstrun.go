package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"mutual/account"
	"mutual/fault"
	"mutual/forum"
	"mutual/forum/demo"
)

func (a *App) ensureDefaultBrand(ctx context.Context) error {
	_, err := a.brands.Default(ctx)
	if err == nil {
		return nil
	}
	if !errors.Is(err, fault.ErrNotFound) {
		return err
	}
	b, err := a.brands.Create(ctx, forum.NewBrand{
		Host: "localhost", Name: "Mutual Mobile", Default: true,
		Tagline:      "The mobile network where members help members. Ask anything, get answers from people who know.",
		ColorPrimary: "#4b2bb8", ColorAccent: "#e8542f",
	})
	if errors.Is(err, fault.ErrConflict) {
		// Another instance starting at the same moment made it; use theirs.
		if _, err := a.brands.Default(ctx); err == nil {
			return nil
		}
	}
	if err != nil {
		return fmt.Errorf("app: create default brand: %w", err)
	}
	pw := randomPassword()
	admin, err := a.members.Create(ctx, account.Signup{BrandID: b.ID, Username: "admin", Email: "admin@localhost.localdomain", Password: pw})
	if err != nil {
		return fmt.Errorf("app: create admin: %w", err)
	}
	if err := a.members.Grant(ctx, b.ID, admin.ID, "admin"); err != nil {
		return err
	}
	where := "shown only now: keep it safe"
	if a.cfg.DatabaseURL == "" {
		// Kept beside the database (owner-only) so a newcomer can find it again.
		file := filepath.Join(a.cfg.DataDir, "admin-password.txt")
		if err := os.WriteFile(file, []byte(pw+"\n"), 0o600); err == nil {
			where = "also saved in " + file
		}
	}
	a.log.Info("created default brand and administrator", "brand", b.Name, "username", "admin")
	fmt.Fprintf(os.Stderr, "\n  Administrator: username admin, password %s\n  (%s; add your own admin with `mutual user create --role admin`)\n\n", pw, where)
	if a.cfg.NoDemo {
		return nil
	}
	if err := demo.Seed(ctx, a.db, a.md, b); err != nil {
		return fmt.Errorf("app: demo community: %w", err)
	}
	return nil
}

func randomPassword() string {
	b := make([]byte, 9)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
