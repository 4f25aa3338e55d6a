package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"mutual/app"
	"mutual/forum"
)

// brandCreate adds a brand for another host.
func brandCreate(ctx context.Context, args []string, out io.Writer) error {
	fs, cfg := newFlags("brand create", false)
	host := fs.String("host", "", "host name the brand is served on, like support.example.com (required)")
	name := fs.String("name", "", "the brand's name, shown in the header (required)")
	color := fs.String("color", "", "primary colour, hex like #0a7d5a; empty: the default purple")
	accent := fs.String("accent", "", "accent colour, hex like #ffb400; empty: the default orange")
	tagline := fs.String("tagline", "", "one line under the name on the home page; empty: none")
	logo := fs.String("logo", "", "logo URL (https:// or a path); empty: the brand's initial")
	boards := fs.String("boards", "General questions", "comma-separated boards to create")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *host == "" || *name == "" {
		return usageErr("--host and --name are required")
	}
	return withBrand(ctx, *cfg, "", func(s app.Services, _ forum.Brand) error {
		b, err := s.Brands.Create(ctx, forum.NewBrand{Host: *host, Name: *name, ColorPrimary: *color, ColorAccent: *accent, Tagline: *tagline, LogoURL: *logo})
		if err != nil {
			return err
		}
		for i, n := range strings.Split(*boards, ",") {
			if n = strings.TrimSpace(n); n == "" {
				continue
			}
			if _, err := s.Forum.CreateBoard(ctx, b.ID, forum.NewBoard{Name: n, Position: i + 1}); err != nil {
				return err
			}
		}
		fmt.Fprintf(out, "created brand %s (id %d) on host %s\n", b.Name, b.ID, b.Host)
		return nil
	})
}

// boardCreate adds a board to a brand.
func boardCreate(ctx context.Context, args []string, out io.Writer) error {
	fs, cfg := newFlags("board create", false)
	name := fs.String("name", "", "board name (required)")
	desc := fs.String("description", "", "one-line description; empty: none")
	host := fs.String("brand", "", brandHelp)
	pos := fs.Int("position", 100, "display order: lower comes first")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *name == "" {
		return usageErr("--name is required")
	}
	return withBrand(ctx, *cfg, *host, func(s app.Services, b forum.Brand) error {
		bd, err := s.Forum.CreateBoard(ctx, b.ID, forum.NewBoard{Name: *name, Description: *desc, Position: *pos})
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "created board %s (id %d) in %s\n", bd.Name, bd.ID, b.Host)
		return nil
	})
}
