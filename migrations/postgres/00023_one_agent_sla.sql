-- +goose Up
-- The agent-answer SLA has one home: escalation_settings.agent_sla_seconds,
-- which times each escalation, orders the queues and flags breaches.
-- report_settings kept a copy (4 hours unless changed) that only the report
-- read, so the console said 1 hour while the report said 4.
--
-- A brand whose admin changed the copy on the report settings page, and never
-- set the escalation SLA, keeps what the admin chose. Where both were set,
-- the escalation setting wins: it is the one agents have been working to.
INSERT INTO escalation_settings (brand_id, agent_sla_seconds, updated_at)
SELECT brand_id, agent_sla_seconds, updated_at FROM report_settings WHERE agent_sla_seconds <> 14400
ON CONFLICT (brand_id) DO NOTHING;
ALTER TABLE report_settings DROP COLUMN agent_sla_seconds;

-- +goose Down
SELECT 'forward only';
