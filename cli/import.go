package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"mutual/app"
	"mutual/forum"
	"mutual/forum/stackexchange"
)

// importStackExchange imports a Stack Exchange data dump into a brand:
//
//	mutual import stackexchange DIR [--brand HOST] [--boards tags|one] [--board-per-tag N]
//
// DIR may come before or after the flags. A progress bar goes to stderr (when
// it is a terminal) and the summary to out. It returns an error for a missing
// or malformed dump file, leaving what earlier batches wrote; running it again
// completes the import without duplicating anything.
func importStackExchange(ctx context.Context, args []string, out io.Writer) error {
	fs, cfg := newFlags("import stackexchange", false)
	host := fs.String("brand", "", "host of the brand to import into; empty: the default brand")
	boards := fs.String("boards", stackexchange.BoardsByTag, "tags: a board per top tag plus General; one: a single board")
	topTags := fs.Int("board-per-tag", 6, "with --boards tags, how many of the most used tags get a board")
	site := fs.String("site", "", "site key in external ids; empty: from DIR's name, e.g. beer")
	var dir string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		dir, args = args[0], args[1:]
	}
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if dir == "" && len(rest) > 0 {
		dir, rest = rest[0], rest[1:]
	}
	if len(rest) > 0 {
		return usageErr("unexpected argument %q", rest[0])
	}
	if dir == "" {
		return usageErr("give the folder of the unpacked dump, e.g. mutual import stackexchange ./beer.stackexchange.com")
	}
	if *boards != stackexchange.BoardsByTag && *boards != stackexchange.BoardsOne {
		return usageErr("--boards must be tags or one")
	}
	if *topTags < 1 {
		return usageErr("--board-per-tag must be at least 1")
	}
	// Check the dump before touching the database, so a typo in DIR does not
	// create an empty data directory.
	if err := stackexchange.CheckDump(dir, *boards); err != nil {
		return err
	}
	return withBrand(ctx, *cfg, *host, func(s app.Services, b forum.Brand) error {
		bar := newImportBar(os.Stderr)
		start := time.Now()
		sum, err := stackexchange.Import(ctx, s.DB, s.Renderer, stackexchange.Options{
			Dir: dir, BrandID: b.ID, Site: *site, Boards: *boards, TopTags: *topTags,
			Now: s.Now, Progress: bar.update,
		})
		bar.finish()
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "Brand %s (%s), %s\n", b.Name, b.Host, time.Since(start).Round(time.Millisecond))
		sum.Write(out)
		return nil
	})
}

// importBar shows one progress bar per import stage on a terminal; elsewhere
// (a log file, CI) it stays silent rather than fill the log with redraws.
type importBar struct {
	w     io.Writer
	tty   bool
	stage string
	bar   *progressbar.ProgressBar
}

func newImportBar(f *os.File) *importBar {
	st, err := f.Stat()
	return &importBar{w: f, tty: err == nil && st.Mode()&os.ModeCharDevice != 0}
}

func (p *importBar) update(stage string, done, total int) {
	if !p.tty {
		return
	}
	if stage != p.stage {
		p.finish()
		p.stage = stage
		p.bar = progressbar.NewOptions(max(total, 1),
			progressbar.OptionSetWriter(p.w),
			progressbar.OptionSetDescription(fmt.Sprintf("%-16s", stage)),
			progressbar.OptionShowCount(),
			progressbar.OptionSetWidth(30),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(p.w) }))
	}
	_ = p.bar.Set(done)
}

func (p *importBar) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
		p.bar = nil
	}
}
