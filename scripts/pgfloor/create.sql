-- One POST /api/v1/service-requests on PostgreSQL, as the server sends it
-- (captured with log_min_duration_statement = 0 from a create of the demo's
-- in-scope unit by its dispatcher): BEGIN; the unit with its agreement in
-- force; the service points; the request with its search terms, event,
-- clock rows and totals; the notification event with its recipients; the
-- Idempotency-Key's reservation carrying the audit row and the
-- notification; COMMIT; the stored answer, committed without waiting for
-- the disk. The run script passes the demo's ids and the texts written (-D),
-- and makes variants:
-- a line ending in "-- drop:a,b" is left out of variants a and b, a line
-- starting "--only:a,b " is put in only for them.
BEGIN;
--only:async SET LOCAL synchronous_commit = off;
SELECT u.id, u.serial_number, m.code, s.division, s.address, s.lat, s.lng,
	s.customer_org_id, u.vendor_id, u.agreement_id, a.id, a.vendor_id, a.provider_id, a.number, a.status, a.terminates_on, a.suspended_by,
	a.version, a.created_at, a.updated_at, v.number, v.effective_from, v.terms_json, v.note, v.adjustment_id,
	v.created_by, v.created_at
	FROM units u JOIN product_models m ON m.id = u.model_id JOIN sites s ON s.id = u.site_id LEFT JOIN agreements a ON a.id = u.agreement_id
	LEFT JOIN agreement_versions v ON v.agreement_id = a.id
		AND v.number = (SELECT MAX(number) FROM agreement_versions WHERE agreement_id = a.id AND effective_from <= :today)
	WHERE u.serial_number = :serial ORDER BY u.id LIMIT 2;
SELECT id, name, lat, lng FROM service_points WHERE id IN (1, 2);
WITH n AS (
	SELECT id, 'SR2612' || '-' || CASE WHEN id < 10000 THEN lpad(id::text, 5, '0') ELSE id::text END AS number FROM (SELECT nextval(pg_get_serial_sequence('service_requests', 'id')) AS id) AS s
), r AS (
	INSERT INTO service_requests (id, number, vendor_id, provider_id, customer_org_id, agreement_id, unit_id,
		serial_number, model, site_division, site_address, site_lat, site_lng, channel, service_item, priority, status, description,
		contact_name, contact_phone, scope_exception, created_by_id, received_at, updated_at, next_due_at, breached, next_check_at, version)
	SELECT n.id, n.number, :vendor, :provider, :customer, :agreement, :unit, :serial, 'HC-CNC-850', '320505', '江苏省苏州市虎丘区科灵路 78 号',
		31.3146, 120.5434, 'api', 'repair', 'emergency', 'received', '主轴报警 spindle alarm', '', '', false, :user,
		now(), now(), now() + interval '2 hours', false, now() + interval '90 minutes', 1 FROM n
	RETURNING id, number
)
, t AS (INSERT INTO request_search (request_id, tokens) SELECT id, to_tsvector('simple', '主轴 轴报 报警 spindle alarm') FROM r) -- drop:nosearch
, e AS (
	INSERT INTO request_events (request_id, seq, kind, at, actor_id, actor, priority, reason, note)
	SELECT id, 1, 'received', now(), :user, 'dispatch@hengxin.example', 'emergency', '', 'api' FROM r
	RETURNING id
), c AS (
	INSERT INTO request_clocks (request_id, kind, agreement_id, vendor_id, provider_id, period, state, due_at)
	SELECT r.id, v.* FROM r, (VALUES ('resolution'::text, :agreement::bigint, :vendor::bigint, :provider::bigint, '2026-12'::text, 'running'::text, now() + interval '2 days'),
		('onsite', :agreement, :vendor, :provider, '2026-12', 'running', now() + interval '8 hours'),
		('response', :agreement, :vendor, :provider, '2026-12', 'running', now() + interval '2 hours')) AS v
)
, ct AS ( -- drop:nototals
	INSERT INTO request_clock_totals (agreement_id, period, kind, state, vendor_id, provider_id, slot, n) -- drop:nototals
	VALUES (:agreement, '2026-12', 'onsite', 'running', :vendor, :provider, (SELECT id FROM r) % 16, 1), -- drop:nototals,oneslot
		(:agreement, '2026-12', 'resolution', 'running', :vendor, :provider, (SELECT id FROM r) % 16, 1), -- drop:nototals,oneslot
		(:agreement, '2026-12', 'response', 'running', :vendor, :provider, (SELECT id FROM r) % 16, 1) -- drop:nototals,oneslot
--only:oneslot 	VALUES (:agreement, '2026-12', 'onsite', 'running', :vendor, :provider, 0, 1), (:agreement, '2026-12', 'resolution', 'running', :vendor, :provider, 0, 1),
--only:oneslot 		(:agreement, '2026-12', 'response', 'running', :vendor, :provider, 0, 1)
	ON CONFLICT (agreement_id, period, kind, state, vendor_id, provider_id, slot) DO UPDATE SET n = request_clock_totals.n + excluded.n -- drop:nototals
) -- drop:nototals
SELECT r.id, r.number, e.id AS event_id FROM r, e
\gset
WITH e AS ( -- drop:nonotify
	INSERT INTO notify_events (kind, dedupe_key, link, data_json, created_at) -- drop:nonotify
	VALUES ('request.received', 'request.received:' || :id::text, '/requests/' || :id::text, -- drop:nonotify
		:data_json, now()) -- drop:nonotify
	ON CONFLICT (dedupe_key) DO NOTHING RETURNING id -- drop:nonotify
) -- drop:nonotify
SELECT e.id AS nev, u.id AS recipient, u.org_id, u.email, u.locale, u.active, u.email_notifications, u.opted_out, -- drop:nonotify
	(SELECT COALESCE(string_agg(h.id::text || ' ' || h.kinds, E'\n' ORDER BY h.id), '') FROM webhooks h -- drop:nonotify
		WHERE h.org_id IN (:provider) AND h.disabled_at IS NULL) AS hooks -- drop:nonotify
FROM e LEFT JOIN LATERAL ( -- drop:nonotify
	SELECT id, org_id, email, locale, active, email_notifications, -- drop:nonotify
		EXISTS (SELECT 1 FROM notification_email_optouts o WHERE o.kind = 'request.received' AND o.user_id = users.id) AS opted_out -- drop:nonotify
	FROM users WHERE (org_id = :provider AND active = true AND role IN ('dispatcher')) -- drop:nonotify
) u ON true -- drop:nonotify
ORDER BY u.id -- drop:nonotify
\gset -- drop:nonotify
WITH w0 AS (INSERT INTO audit_events (org_id, actor_id, actor, action, entity, entity_id, before_json, after_json, request_id, client_address, at) -- drop:noaudit
	VALUES (:provider, :user, 'dispatch@hengxin.example', 'request.create', 'service_request', :id, NULL, -- drop:noaudit
		:after_json, -- drop:noaudit
		'7913cda1408bbac4', '127.0.0.1', now())) -- drop:noaudit
--only:noaudit WITH w1 AS (INSERT INTO notifications (event_id, user_id, kind, title, body, link, created_at, email_state)
, w1 AS (INSERT INTO notifications (event_id, user_id, kind, title, body, link, created_at, email_state) -- drop:nonotify,noaudit,noidem
	VALUES (:nev, :recipient, 'request.received', :title, -- drop:nonotify,noidem
		:body_text, '/requests/' || :id::text, now(), '')) -- drop:nonotify,noidem
INSERT INTO idempotency_keys (user_id, key, method, path, request_hash, status, content_type, body, entity, entity_id, created_at) -- drop:noidem
	VALUES (:user, 'pgfloor-' || :id::text, 'POST', '/api/v1/service-requests', 'c12e1e87e427109360f941f7654c7bd498bed8e7a16e63519c4ac685a5a1dd9b', 0, '', '\x', 'service_request', :id, now()) -- drop:noidem
	ON CONFLICT (user_id, key) DO UPDATE SET method = excluded.method, path = excluded.path, request_hash = excluded.request_hash, -- drop:noidem
		status = excluded.status, content_type = excluded.content_type, body = excluded.body, -- drop:noidem
		entity = excluded.entity, entity_id = excluded.entity_id, created_at = excluded.created_at -- drop:noidem
	WHERE idempotency_keys.created_at < now() - interval '1 day' OR (idempotency_keys.status = 0 AND idempotency_keys.entity = '' AND idempotency_keys.created_at < now() - interval '1 minute'); -- drop:noidem
--only:noidem INSERT INTO notifications (event_id, user_id, kind, title, body, link, created_at, email_state)
--only:noidem 	VALUES (:nev, :recipient, 'request.received', :title,
--only:noidem 		:body_text, '/requests/' || :id::text, now(), '');
COMMIT;
UPDATE idempotency_keys SET status = 201, content_type = 'application/json', body = convert_to(:answer, 'UTF8') -- drop:noidem
	WHERE user_id = :user AND key = 'pgfloor-' || :id::text AND set_config('synchronous_commit', 'off', true) = 'off'; -- drop:noidem
