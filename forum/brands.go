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
	b.CreatedAt = sqldb.Time(created)
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

// Create adds a brand. It returns a fault.ValidationError for a bad host, name,
// tagline, logo or colour (see BrandLook.Check) and fault.ErrConflict when
// the host is taken.
func (s *Brands) Create(ctx context.Context, nb NewBrand) (Brand, error) {
	nb.Host = strings.ToLower(strings.TrimSpace(nb.Host))
	if nb.ColorPrimary == "" {
		nb.ColorPrimary = "#5b3cc4"
	}
	if nb.ColorAccent == "" {
		nb.ColorAccent = "#ff6b4a"
	}
	look := BrandLook{Name: nb.Name, Tagline: nb.Tagline, LogoURL: nb.LogoURL, ColorPrimary: nb.ColorPrimary, ColorAccent: nb.ColorAccent}.Tidy()
	v := fault.Validation{}
	if !hostname.MatchString(nb.Host) {
		v.Add("host", i18n.T(ctx, "forum.brand_host"))
	}
	if err := look.Check(ctx); err != nil {
		for f, msg := range err.(*fault.ValidationError).Fields {
			v.Add(f, msg)
		}
	}
	if err := v.Err(); err != nil {
		return Brand{}, err
	}
	nb.Name, nb.Tagline, nb.LogoURL, nb.ColorPrimary, nb.ColorAccent = look.Name, look.Tagline, look.LogoURL, look.ColorPrimary, look.ColorAccent
	def := 0
	if nb.Default {
		def = 1
	}
	var id int64
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO brands (host, name, tagline, logo_url, color_primary, color_accent, is_default, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, nb.Host, nb.Name, nb.Tagline, nb.LogoURL,
			nb.ColorPrimary, nb.ColorAccent, def, sqldb.Millis(s.now())).Scan(&id)
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

// BrandLook is what a brand's administrator may change of how its pages
// look: the name and tagline they show, the logo and the two colours (the
// theme derives readable text colours from them).
type BrandLook struct {
	Name         string `json:"name"`
	Tagline      string `json:"tagline"`
	LogoURL      string `json:"logo_url"`
	ColorPrimary string `json:"color_primary"`
	ColorAccent  string `json:"color_accent"`
}

// Limits on a brand's look.
const (
	MaxBrandName    = 60
	MaxBrandTagline = 200
	MaxBrandLogoURL = 500
)

// LookOf is a brand's current look.
func LookOf(b Brand) BrandLook {
	return BrandLook{Name: b.Name, Tagline: b.Tagline, LogoURL: b.LogoURL, ColorPrimary: b.ColorPrimary, ColorAccent: b.ColorAccent}
}

// Tidy trims the look's text and lower-cases its colours.
func (l BrandLook) Tidy() BrandLook {
	l.Name, l.Tagline, l.LogoURL = strings.TrimSpace(l.Name), strings.TrimSpace(l.Tagline), strings.TrimSpace(l.LogoURL)
	l.ColorPrimary, l.ColorAccent = strings.ToLower(strings.TrimSpace(l.ColorPrimary)), strings.ToLower(strings.TrimSpace(l.ColorAccent))
	return l
}

// Check returns a fault.ValidationError naming each field that is wrong
// (name, tagline, logo, color_primary, color_accent), or nil. Colours are
// hex only, so nothing but a colour reaches the brand's stylesheet. The
// messages are worded for the reader of ctx.
func (l BrandLook) Check(ctx context.Context) error {
	v := fault.Validation{}
	if n := len([]rune(l.Name)); n == 0 || n > MaxBrandName {
		v.Add("name", i18n.T(ctx, "brandmsg.name_len", "Max", MaxBrandName))
	}
	if len([]rune(l.Tagline)) > MaxBrandTagline {
		v.Add("tagline", i18n.T(ctx, "brandmsg.tagline_len", "Max", MaxBrandTagline))
	}
	switch {
	case len(l.LogoURL) > MaxBrandLogoURL:
		v.Add("logo", i18n.T(ctx, "brandmsg.logo_len", "Max", MaxBrandLogoURL))
	case l.LogoURL != "" && !strings.HasPrefix(l.LogoURL, "https://") && !(strings.HasPrefix(l.LogoURL, "/") && !strings.HasPrefix(l.LogoURL, "//")):
		v.Add("logo", i18n.T(ctx, "brandmsg.logo_https"))
	case strings.ContainsAny(l.LogoURL, " \t\n\"'<>\\"):
		v.Add("logo", i18n.T(ctx, "brandmsg.logo_chars"))
	}
	if !hexColor.MatchString(l.ColorPrimary) {
		v.Add("color_primary", i18n.T(ctx, "brandmsg.primary_hex"))
	}
	if !hexColor.MatchString(l.ColorAccent) {
		v.Add("color_accent", i18n.T(ctx, "brandmsg.accent_hex"))
	}
	return v.Err()
}

// SetBrandLook stores a brand's look inside the caller's transaction, after
// checking it (a fault.ValidationError when it is wrong). It returns the
// look before the change, and fault.ErrNotFound when there is no such brand.
func SetBrandLook(ctx context.Context, tx *sqldb.Tx, brandID int64, l BrandLook) (BrandLook, error) {
	l = l.Tidy()
	if err := l.Check(ctx); err != nil {
		return BrandLook{}, err
	}
	before, err := scanBrand(tx.QueryRow(ctx, `SELECT `+brandCols+` FROM brands WHERE id = ?`, brandID))
	if errors.Is(err, sql.ErrNoRows) {
		return BrandLook{}, fmt.Errorf("forum: brand %d: %w", brandID, fault.ErrNotFound)
	}
	if err != nil {
		return BrandLook{}, fmt.Errorf("forum: brand %d: %w", brandID, err)
	}
	if _, err := tx.Exec(ctx, `UPDATE brands SET name = ?, tagline = ?, logo_url = ?, color_primary = ?, color_accent = ? WHERE id = ?`,
		l.Name, l.Tagline, l.LogoURL, l.ColorPrimary, l.ColorAccent, brandID); err != nil {
		return BrandLook{}, fmt.Errorf("forum: brand %d look: %w", brandID, err)
	}
	return LookOf(before), nil
}
