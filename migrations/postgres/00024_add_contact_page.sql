-- +goose Up
-- A brand's own contact page, served by the community at /contact: its
-- markdown and the sanitised HTML rendered from it once, when saved. The
-- index finds a reader's earlier click on "Contact us" from the same
-- question that day, so opening the page twice is one contact.
ALTER TABLE report_settings ADD COLUMN contact_md TEXT NOT NULL DEFAULT '';
ALTER TABLE report_settings ADD COLUMN contact_html TEXT NOT NULL DEFAULT '';
CREATE INDEX contact_clicks_viewer ON contact_clicks (brand_id, viewer_key, at);

-- +goose Down
SELECT 'forward only';
