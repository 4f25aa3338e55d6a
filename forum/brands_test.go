package forum_test

import (
	"errors"
	"strings"
	"testing"

	"mutual/fault"
	"mutual/forum"
	"mutual/internal/testkit"
)

func TestBrands(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		for _, tt := range []struct {
			name  string
			nb    forum.NewBrand
			field string
		}{
			{"bad host", forum.NewBrand{Host: "not a host", Name: "X"}, "host"},
			{"host with scheme", forum.NewBrand{Host: "https://x.example.com", Name: "X"}, "host"},
			{"empty name", forum.NewBrand{Host: "x.example.com", Name: "  "}, "name"},
			{"long name", forum.NewBrand{Host: "x.example.com", Name: strings.Repeat("n", 61)}, "name"},
			{"bad colour", forum.NewBrand{Host: "x.example.com", Name: "X", ColorPrimary: "red"}, "color_primary"},
			{"css injection colour", forum.NewBrand{Host: "x.example.com", Name: "X", ColorAccent: "#fff;}body{"}, "color_accent"},
			{"http logo", forum.NewBrand{Host: "x.example.com", Name: "X", LogoURL: "http://evil.example/logo.png"}, "logo"},
			{"javascript logo", forum.NewBrand{Host: "x.example.com", Name: "X", LogoURL: "javascript:alert(1)"}, "logo"},
			{"protocol-relative logo", forum.NewBrand{Host: "x.example.com", Name: "X", LogoURL: "//evil.example/logo.png"}, "logo"},
			{"backslash logo", forum.NewBrand{Host: "x.example.com", Name: "X", LogoURL: "/\\evil.example/logo.png"}, "logo"},
			{"long tagline", forum.NewBrand{Host: "x.example.com", Name: "X", Tagline: strings.Repeat("t", 201)}, "tagline"},
		} {
			if _, err := f.brands.Create(ctx, tt.nb); testkit.Fields(err)[tt.field] == "" {
				t.Errorf("%s: Create = %v, want a fault.ValidationError on %s", tt.name, err, tt.field)
			}
		}
		beta, err := f.brands.Create(ctx, forum.NewBrand{Host: "Beta.Example.com", Name: "Beta", ColorPrimary: "#AABBCC"})
		if err != nil {
			t.Fatal(err)
		}
		if beta.Host != "beta.example.com" || beta.ColorPrimary != "#aabbcc" || beta.IsDefault {
			t.Errorf("created brand = %+v", beta)
		}
		if _, err := f.brands.Create(ctx, forum.NewBrand{Host: "beta.example.com", Name: "Again"}); !errors.Is(err, fault.ErrConflict) {
			t.Errorf("duplicate host: %v, want fault.ErrConflict", err)
		}
		if _, err := f.brands.Create(ctx, forum.NewBrand{Host: "gamma.example.com", Name: "Second default", Default: true}); err == nil {
			t.Error("a second default brand was accepted")
		}

		for _, tt := range []struct {
			host string
			want int64
		}{
			{"beta.example.com", beta.ID},
			{"BETA.example.com:8443", beta.ID},
			{"localhost:8080", f.brand.ID},
			{"unknown.example.org", f.brand.ID},
			{"", f.brand.ID},
		} {
			b, err := f.brands.ForHost(ctx, tt.host)
			if err != nil || b.ID != tt.want {
				t.Errorf("ForHost(%q) = %d, %v; want %d", tt.host, b.ID, err, tt.want)
			}
		}
		if _, err := f.brands.ByHost(ctx, "unknown.example.org"); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("ByHost(unknown) = %v, want fault.ErrNotFound", err)
		}
		if _, err := f.brands.ByID(ctx, 9999); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("ByID(9999) = %v, want fault.ErrNotFound", err)
		}
		all, err := f.brands.All(ctx)
		if err != nil || len(all) != 2 {
			t.Errorf("All = %d brands, %v; want 2", len(all), err)
		}
	})
}
