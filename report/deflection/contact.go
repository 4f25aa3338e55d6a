package deflection

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"mutual/fault"
	"mutual/i18n"
	"mutual/markup"
	"mutual/sqldb"
)

// Contact is where a brand's "Contact us" leads: its own contact page
// elsewhere (URL), or a page the community serves at /contact (PageHTML,
// rendered from PageMD). A brand with neither offers no "Contact us".
type Contact struct {
	URL      string
	PageMD   string
	PageHTML string
}

// Configured reports whether "Contact us" has somewhere to lead.
func (c Contact) Configured() bool { return c.URL != "" || c.PageHTML != "" }

// Redirects reports whether "Contact us" leaves for the brand's own site:
// an address, when set, wins over the page.
func (c Contact) Redirects() bool { return c.URL != "" }

// MaxContactPage is the longest contact page, in characters of markdown.
const MaxContactPage = 10000

// LoadContact returns where the brand's "Contact us" leads (nowhere when
// its settings were never saved).
func LoadContact(ctx context.Context, q sqldb.Querier, brandID int64) (Contact, error) {
	var c Contact
	err := q.QueryRow(ctx, `SELECT contact_url, contact_md, contact_html FROM report_settings WHERE brand_id = ?`, brandID).
		Scan(&c.URL, &c.PageMD, &c.PageHTML)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("deflection: load contact: %w", err)
	}
	return c, nil
}

// RenderContactPage checks and renders the markdown of a contact page.
// Errors: *fault.ValidationError for the field contact_page.
func RenderContactPage(ctx context.Context, md *markup.Renderer, src string) (string, error) {
	src = strings.TrimSpace(src)
	if src == "" {
		return "", nil
	}
	if utf8.RuneCountInString(src) > MaxContactPage {
		return "", &fault.ValidationError{Fields: map[string]string{"contact_page": i18n.T(ctx, "repmsg.contact_page_len", "Max", MaxContactPage)}}
	}
	html, err := md.Render(ctx, src)
	var ve *fault.ValidationError
	if errors.As(err, &ve) {
		// The renderer names the field "body"; here it is the contact page.
		msgs := make([]string, 0, len(ve.Fields))
		for _, m := range ve.Fields {
			msgs = append(msgs, m)
		}
		return "", &fault.ValidationError{Fields: map[string]string{"contact_page": strings.Join(msgs, " ")}}
	}
	return html, err
}

// SaveContactPage stores the page the community serves at /contact ("" for
// none), rendered once here. Errors: *fault.ValidationError (contact_page).
func SaveContactPage(ctx context.Context, db sqldb.Querier, md *markup.Renderer, brandID int64, src string, now time.Time) error {
	html, err := RenderContactPage(ctx, md, src)
	if err != nil {
		return err
	}
	_, err = db.Exec(ctx, `INSERT INTO report_settings (brand_id, contact_md, contact_html, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (brand_id) DO UPDATE SET contact_md = excluded.contact_md, contact_html = excluded.contact_html, updated_at = excluded.updated_at`,
		brandID, strings.TrimSpace(src), html, now.UnixMilli())
	if err != nil {
		return fmt.Errorf("deflection: save contact page: %w", err)
	}
	return nil
}
