-- The reads of service_requests that its indexes serve, with values of a
-- generated database (aftersales generate --requests 100000 --units 10000:
-- vendor 1, providers 2 and 3, customers 4 to 6). scripts/pgfloor/plans
-- runs each with EXPLAIN ANALYZE, with every index and with one dropped.
-- list: a provider's urgency order, the run with a deadline, then the run without
SELECT * FROM service_requests r WHERE r.provider_id = 2 AND r.next_due_at IS NOT NULL ORDER BY r.next_due_at, r.id LIMIT 51;
SELECT * FROM service_requests r WHERE r.provider_id = 2 AND r.next_due_at IS NULL ORDER BY r.id DESC LIMIT 51;
-- list: the vendor's, the customer's and the operator's
SELECT * FROM service_requests r WHERE r.vendor_id = 1 AND r.next_due_at IS NOT NULL ORDER BY r.next_due_at, r.id LIMIT 51;
SELECT * FROM service_requests r WHERE r.vendor_id = 1 AND r.next_due_at IS NULL ORDER BY r.id DESC LIMIT 51;
SELECT * FROM service_requests r WHERE r.customer_org_id = 5 AND r.next_due_at IS NOT NULL ORDER BY r.next_due_at, r.id LIMIT 51;
SELECT * FROM service_requests r WHERE r.customer_org_id = 5 AND r.next_due_at IS NULL ORDER BY r.id DESC LIMIT 51;
SELECT * FROM service_requests r WHERE 1 = 1 AND r.next_due_at IS NOT NULL ORDER BY r.next_due_at, r.id LIMIT 51;
SELECT * FROM service_requests r WHERE 1 = 1 AND r.next_due_at IS NULL ORDER BY r.id DESC LIMIT 51;
-- list: one status (an open one, then closed ones), as a party and as the operator
SELECT * FROM service_requests r WHERE r.provider_id = 2 AND r.status IN ('received') AND r.next_due_at IS NOT NULL ORDER BY r.next_due_at, r.id LIMIT 51;
SELECT * FROM service_requests r WHERE r.provider_id = 2 AND r.status IN ('received') AND r.next_due_at IS NULL ORDER BY r.id DESC LIMIT 51;
SELECT * FROM service_requests r WHERE r.provider_id = 2 AND r.status IN ('cancelled') AND r.next_due_at IS NULL ORDER BY r.id DESC LIMIT 51;
SELECT * FROM service_requests r WHERE r.vendor_id = 1 AND r.status IN ('cancelled') AND r.next_due_at IS NULL ORDER BY r.id DESC LIMIT 51;
SELECT * FROM service_requests r WHERE r.vendor_id = 1 AND r.status IN ('resolved') AND r.next_due_at IS NULL ORDER BY r.id DESC LIMIT 51;
SELECT * FROM service_requests r WHERE r.customer_org_id = 5 AND r.status IN ('cancelled') AND r.next_due_at IS NULL ORDER BY r.id DESC LIMIT 51;
SELECT * FROM service_requests r WHERE 1 = 1 AND r.status IN ('received') AND r.next_due_at IS NOT NULL ORDER BY r.next_due_at, r.id LIMIT 51;
SELECT * FROM service_requests r WHERE 1 = 1 AND r.status IN ('cancelled') AND r.next_due_at IS NULL ORDER BY r.id DESC LIMIT 51;
-- list: breached only, a provider's
SELECT * FROM service_requests r WHERE r.provider_id = 2 AND r.breached = true AND r.next_due_at IS NULL ORDER BY r.id DESC LIMIT 51;
-- search: by serial number, and a single Han character, as a customer and as the vendor
SELECT * FROM service_requests r WHERE (r.serial_number = 'GEN2024-0007970') AND r.id < 9223372036854775807 AND r.customer_org_id = 5 ORDER BY r.id DESC LIMIT 51;
SELECT * FROM service_requests r WHERE r.description LIKE '%泵%' AND r.id < 9223372036854775807 AND r.customer_org_id = 5 ORDER BY r.id DESC LIMIT 51;
SELECT * FROM service_requests r WHERE r.description LIKE '%泵%' AND r.id < 9223372036854775807 AND r.vendor_id = 1 ORDER BY r.id DESC LIMIT 51;
-- the clock job's page of requests due a look
SELECT id, next_check_at FROM service_requests WHERE next_check_at <= now() ORDER BY next_check_at, id LIMIT 100;
-- the homes: open requests by age (vendor, provider), the dispatcher's, the customer's
SELECT COUNT(*) FROM service_requests r WHERE r.vendor_id = 1 AND r.status IN ('received', 'responded', 'scheduled', 'on_site');
SELECT COUNT(*) FROM service_requests r WHERE r.provider_id = 2 AND r.status IN ('received', 'responded', 'scheduled', 'on_site');
SELECT * FROM service_requests r WHERE r.provider_id = 2 AND r.status IN ('received', 'responded') AND NOT EXISTS (SELECT 1 FROM work_orders w WHERE w.request_id = r.id AND w.status IN ('assigned', 'on_site')) ORDER BY CASE WHEN r.priority = 'emergency' THEN 0 ELSE 1 END, r.next_due_at, r.id LIMIT 20;
SELECT * FROM service_requests r WHERE r.provider_id = 2 AND r.status NOT IN ('resolved', 'cancelled') AND r.next_due_at IS NOT NULL AND r.next_due_at <= now() + interval '4 hours' ORDER BY r.next_due_at, r.id LIMIT 20;
SELECT * FROM service_requests r WHERE r.customer_org_id = 5 AND r.status NOT IN ('resolved', 'cancelled') ORDER BY r.received_at DESC, r.id DESC LIMIT 20;
-- the dispatch board's open requests; a new complaint's choice of requests; a unit's history
SELECT r.id FROM service_requests r WHERE r.provider_id = 2 AND r.status IN ('received', 'responded') AND NOT EXISTS (SELECT 1 FROM work_orders w WHERE w.request_id = r.id AND w.status IN ('assigned', 'on_site')) ORDER BY r.id;
SELECT id, number, model FROM service_requests WHERE vendor_id = 5 OR provider_id = 5 OR customer_org_id = 5 ORDER BY id DESC LIMIT 50;
SELECT * FROM service_requests r WHERE 1 = 1 AND r.unit_id = 6943 ORDER BY r.id DESC LIMIT 51;
-- the homes' standing from the clocks' totals
SELECT agreement_id, period, kind, SUM(n) FROM request_clock_totals WHERE vendor_id = 1 AND period >= '2025-12' AND period <= '2026-12' AND kind IN ('response', 'onsite', 'resolution') GROUP BY agreement_id, period, kind;
SELECT agreement_id, period, kind, SUM(n) FROM request_clock_totals WHERE provider_id = 2 AND period >= '2025-12' AND period <= '2026-12' AND kind IN ('response', 'onsite', 'resolution') GROUP BY agreement_id, period, kind;
