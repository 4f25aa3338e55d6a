package forum

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"mutual/fault"
	"mutual/i18n"
	"mutual/sqldb"
)

// Brands stores client brands.
type Brands struct {
	db  *sqldb.DB
	now func() time.Time
}

// NewBrands returns the brand store.
func NewBrands(db *sqldb.DB, now func() time.Time) *Brands { return &Brands{db: db, now: now} }

const brandCols = `id, host, name, tagline, logo_url, color_primary, color_accent, is_default, created_at, default_language, languages`

func scanBrand(row interface{ Scan(...any) error }) (Brand, error) {
	var b Brand
	var def int
	var created int64
	var langs string
	err := row.Scan(&b.ID, &b.Host, &b.Name, &b.Tagline, &b.LogoURL, &b.ColorPrimary, &b.ColorAccent, &def, &created, &b.DefaultLanguage, &langs)
	b.Languages = strings.Split(langs, ",")
	b.IsDefault = def == 1
	b.CreatedAt = fromMS(created)
	return b, err
}

var (
	hexColor = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
	hostname = regexp.MustCompile(`^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?(:[0-9]{1,5})?$`)
)

// NewBrand is what creating a brand needs.
type NewBrand struct {
	Host, Name, Tagline, LogoURL, ColorPrimary, ColorAccent string
	Default                                                 bool
}

// Create adds a brand. It returns a fault.ValidationError for a bad host, name or
// colour and fault.ErrConflict when the host is taken.
func (s *Brands) Create(ctx context.Context, nb NewBrand) (Brand, error) {
	nb.Host = strings.ToLower(strings.TrimSpace(nb.Host))
	nb.Name = strings.TrimSpace(nb.Name)
	if nb.ColorPrimary == "" {
		nb.ColorPrimary = "#5b3cc4"
	}
	if nb.ColorAccent == "" {
		nb.ColorAccent = "#ff6b4a"
	}
	v := fault.Validation{}
	if !hostname.MatchString(nb.Host) {
		v.Add("host", i18n.T(ctx, "forum.brand_host"))
	}
	if nb.Name == "" || len([]rune(nb.Name)) > 60 {
		v.Add("name", i18n.T(ctx, "forum.brand_name"))
	}
	if !hexColor.MatchString(nb.ColorPrimary) || !hexColor.MatchString(nb.ColorAccent) {
		v.Add("color", i18n.T(ctx, "forum.brand_color"))
	}
	if nb.LogoURL != "" && !strings.HasPrefix(nb.LogoURL, "https://") && !strings.HasPrefix(nb.LogoURL, "/") {
		v.Add("logo", i18n.T(ctx, "forum.brand_logo"))
	}
	if err := v.Err(); err != nil {
		return Brand{}, err
	}
	def := 0
	if nb.Default {
		def = 1
	}
	var id int64
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO brands (host, name, tagline, logo_url, color_primary, color_accent, is_default, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, nb.Host, nb.Name, nb.Tagline, nb.LogoURL,
			strings.ToLower(nb.ColorPrimary), strings.ToLower(nb.ColorAccent), def, ms(s.now())).Scan(&id)
	})
	if sqldb.IsUniqueViolation(err) {
		return Brand{}, fmt.Errorf("forum: brand %s: %w", nb.Host, fault.ErrConflict)
	}
	if err != nil {
		return Brand{}, fmt.Errorf("forum: create brand: %w", err)
	}
	return s.ByID(ctx, id)
}

// ByID returns a brand or fault.ErrNotFound.
func (s *Brands) ByID(ctx context.Context, id int64) (Brand, error) {
	b, err := scanBrand(s.db.QueryRow(ctx, `SELECT `+brandCols+` FROM brands WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Brand{}, fmt.Errorf("forum: brand %d: %w", id, fault.ErrNotFound)
	}
	return b, err
}

// ForHost returns the brand serving host (port ignored), or the default brand
// for localhost and any unknown host.
func (s *Brands) ForHost(ctx context.Context, host string) (Brand, error) {
	host = strings.ToLower(host)
	if h, _, ok := strings.Cut(host, ":"); ok && !strings.HasPrefix(host, "[") {
		host = h
	}
	b, err := scanBrand(s.db.QueryRow(ctx, `SELECT `+brandCols+` FROM brands
WHERE host = ? OR is_default = 1 ORDER BY is_default ASC LIMIT 1`, host))
	if errors.Is(err, sql.ErrNoRows) {
		return Brand{}, fmt.Errorf("forum: no default brand: %w", fault.ErrNotFound)
	}
	return b, err
}

// ByHost returns the brand with exactly this host, or fault.ErrNotFound.
func (s *Brands) ByHost(ctx context.Context, host string) (Brand, error) {
	b, err := scanBrand(s.db.QueryRow(ctx, `SELECT `+brandCols+` FROM brands WHERE host = ?`, strings.ToLower(host)))
	if errors.Is(err, sql.ErrNoRows) {
		return Brand{}, fmt.Errorf("forum: brand %s: %w", host, fault.ErrNotFound)
	}
	return b, err
}

// Default returns the default brand, or fault.ErrNotFound on a fresh database.
func (s *Brands) Default(ctx context.Context) (Brand, error) {
	b, err := scanBrand(s.db.QueryRow(ctx, `SELECT `+brandCols+` FROM brands WHERE is_default = 1`))
	if errors.Is(err, sql.ErrNoRows) {
		return Brand{}, fmt.Errorf("forum: default brand: %w", fault.ErrNotFound)
	}
	return b, err
}

// All lists every brand.
func (s *Brands) All(ctx context.Context) ([]Brand, error) {
	rows, err := s.db.Query(ctx, `SELECT `+brandCols+` FROM brands ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("forum: list brands: %w", err)
	}
	defer rows.Close()
	var out []Brand
	for rows.Next() {
		b, err := scanBrand(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// SetLanguages sets the languages a brand offers and its default, which
// must be one of them; every tag must be one speaks (known). It returns a
// fault.ValidationError naming a tag that is not.
func (s *Brands) SetLanguages(ctx context.Context, brandID int64, def string, langs []string, known func(string) bool) error {
	seen := map[string]bool{}
	var list []string
	for _, l := range append([]string{def}, langs...) {
		l = strings.TrimSpace(l)
		if l == "" || seen[l] {
			continue
		}
		if !known(l) {
			return fault.Invalid("languages", i18n.T(ctx, "brand.unknown_language", "Lang", l))
		}
		seen[l] = true
		list = append(list, l)
	}
	if def == "" || !seen[def] {
		return fault.Invalid("default_language", i18n.T(ctx, "brand.default_language_needed"))
	}
	res, err := s.db.Exec(ctx, `UPDATE brands SET default_language = ?, languages = ? WHERE id = ?`, def, strings.Join(list, ","), brandID)
	if err != nil {
		return fmt.Errorf("forum: brand %d languages: %w", brandID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("forum: brand %d: %w", brandID, fault.ErrNotFound)
	}
	return nil
}
