"""The rollups' statement-level triggers (priorities.rollups) and the index that reads a
priority's areas by area."""

from django.db import migrations

# The trigger functions as this migration installs them, frozen (from priorities.rollups
# when it was written): a migration must do the same thing whatever later becomes of it.
FUNCTIONS_SQL = """
CREATE OR REPLACE FUNCTION priorities_rollup_priority_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    
    INSERT INTO priorities_priorityareastat AS r (municipality_id, area_id, category_id, status, answered, count, supports)
    SELECT municipality_id, area_id, category_id, status, answered, sum(v0), sum(v1) FROM (
        SELECT p.municipality_id AS municipality_id, p.area_id AS area_id, p.category_id AS category_id, p.status AS status, p.first_answered_at IS NOT NULL AS answered, 1 * 1 AS v0, 1 * p.support_count AS v1
          FROM (SELECT p.*, NULL::bigint AS area_id FROM new_rows p) p WHERE p.visibility = 'public' AND TRUE) d
     GROUP BY municipality_id, area_id, category_id, status, answered HAVING sum(v0) <> 0 OR sum(v1) <> 0
     ORDER BY municipality_id, area_id NULLS FIRST, category_id, status, answered
    ON CONFLICT (municipality_id, area_id, category_id, status, answered) DO UPDATE SET count = r.count + EXCLUDED.count, supports = r.supports + EXCLUDED.supports;
    INSERT INTO priorities_priorityanswerdays AS r (municipality_id, area_id, category_id, status, days, count)
    SELECT municipality_id, area_id, category_id, status, days, sum(v0) FROM (
        SELECT p.municipality_id AS municipality_id, p.area_id AS area_id, p.category_id AS category_id, p.status AS status, floor(extract(epoch FROM p.first_answered_at - p.created_at) / 86400)::int AS days, 1 * 1 AS v0
          FROM (SELECT p.*, NULL::bigint AS area_id FROM new_rows p) p WHERE p.visibility = 'public' AND p.first_answered_at IS NOT NULL) d
     GROUP BY municipality_id, area_id, category_id, status, days HAVING sum(v0) <> 0
     ORDER BY municipality_id, area_id NULLS FIRST, category_id, status, days
    ON CONFLICT (municipality_id, area_id, category_id, status, days) DO UPDATE SET count = r.count + EXCLUDED.count;
    INSERT INTO priorities_priorityunansweredday AS r (municipality_id, area_id, day, count)
    SELECT municipality_id, area_id, day, sum(v0) FROM (
        SELECT p.municipality_id AS municipality_id, p.area_id AS area_id, (p.created_at AT TIME ZONE 'Europe/Oslo')::date AS day, 1 * 1 AS v0
          FROM (SELECT p.*, NULL::bigint AS area_id FROM new_rows p) p WHERE p.visibility = 'public' AND p.first_answered_at IS NULL) d
     GROUP BY municipality_id, area_id, day HAVING sum(v0) <> 0
     ORDER BY municipality_id, area_id NULLS FIRST, day
    ON CONFLICT (municipality_id, area_id, day) DO UPDATE SET count = r.count + EXCLUDED.count;
    INSERT INTO priorities_priorityareamonth AS r (municipality_id, area_id, month, count)
    SELECT municipality_id, area_id, month, sum(v0) FROM (
        SELECT p.municipality_id AS municipality_id, p.area_id AS area_id, date_trunc('month', p.created_at AT TIME ZONE 'Europe/Oslo')::date AS month, 1 * 1 AS v0
          FROM (SELECT p.*, NULL::bigint AS area_id FROM new_rows p) p WHERE p.visibility = 'public' AND TRUE) d
     GROUP BY municipality_id, area_id, month HAVING sum(v0) <> 0
     ORDER BY municipality_id, area_id NULLS FIRST, month
    ON CONFLICT (municipality_id, area_id, month) DO UPDATE SET count = r.count + EXCLUDED.count;

    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION priorities_rollup_priority_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE o.visibility IS DISTINCT FROM n.visibility OR o.status IS DISTINCT FROM n.status OR o.category_id IS DISTINCT FROM n.category_id OR o.support_count IS DISTINCT FROM n.support_count OR o.first_answered_at IS DISTINCT FROM n.first_answered_at OR o.municipality_id IS DISTINCT FROM n.municipality_id OR o.created_at IS DISTINCT FROM n.created_at) THEN
        RETURN NULL;
    END IF;
    
    INSERT INTO priorities_priorityareastat AS r (municipality_id, area_id, category_id, status, answered, count, supports)
    SELECT municipality_id, area_id, category_id, status, answered, sum(v0), sum(v1) FROM (
        SELECT p.municipality_id AS municipality_id, p.area_id AS area_id, p.category_id AS category_id, p.status AS status, p.first_answered_at IS NOT NULL AS answered, -1 * 1 AS v0, -1 * p.support_count AS v1
          FROM (SELECT p.*, NULL::bigint AS area_id FROM (SELECT o.* FROM old_rows o JOIN new_rows n ON n.id = o.id
                   WHERE o.visibility IS DISTINCT FROM n.visibility OR o.status IS DISTINCT FROM n.status OR o.category_id IS DISTINCT FROM n.category_id OR o.support_count IS DISTINCT FROM n.support_count OR o.first_answered_at IS DISTINCT FROM n.first_answered_at OR o.municipality_id IS DISTINCT FROM n.municipality_id OR o.created_at IS DISTINCT FROM n.created_at) p
        UNION ALL
        SELECT p.*, l.area_id FROM (SELECT o.* FROM old_rows o JOIN new_rows n ON n.id = o.id
                   WHERE o.visibility IS DISTINCT FROM n.visibility OR o.status IS DISTINCT FROM n.status OR o.category_id IS DISTINCT FROM n.category_id OR o.support_count IS DISTINCT FROM n.support_count OR o.first_answered_at IS DISTINCT FROM n.first_answered_at OR o.municipality_id IS DISTINCT FROM n.municipality_id OR o.created_at IS DISTINCT FROM n.created_at) p
          JOIN priorities_priority_areas l ON l.priority_id = p.id) p WHERE p.visibility = 'public' AND TRUE
        UNION ALL
        SELECT p.municipality_id AS municipality_id, p.area_id AS area_id, p.category_id AS category_id, p.status AS status, p.first_answered_at IS NOT NULL AS answered, 1 * 1 AS v0, 1 * p.support_count AS v1
          FROM (SELECT p.*, NULL::bigint AS area_id FROM (SELECT n.* FROM new_rows n JOIN old_rows o ON o.id = n.id
                   WHERE o.visibility IS DISTINCT FROM n.visibility OR o.status IS DISTINCT FROM n.status OR o.category_id IS DISTINCT FROM n.category_id OR o.support_count IS DISTINCT FROM n.support_count OR o.first_answered_at IS DISTINCT FROM n.first_answered_at OR o.municipality_id IS DISTINCT FROM n.municipality_id OR o.created_at IS DISTINCT FROM n.created_at) p
        UNION ALL
        SELECT p.*, l.area_id FROM (SELECT n.* FROM new_rows n JOIN old_rows o ON o.id = n.id
                   WHERE o.visibility IS DISTINCT FROM n.visibility OR o.status IS DISTINCT FROM n.status OR o.category_id IS DISTINCT FROM n.category_id OR o.support_count IS DISTINCT FROM n.support_count OR o.first_answered_at IS DISTINCT FROM n.first_answered_at OR o.municipality_id IS DISTINCT FROM n.municipality_id OR o.created_at IS DISTINCT FROM n.created_at) p
          JOIN priorities_priority_areas l ON l.priority_id = p.id) p WHERE p.visibility = 'public' AND TRUE) d
     GROUP BY municipality_id, area_id, category_id, status, answered HAVING sum(v0) <> 0 OR sum(v1) <> 0
     ORDER BY municipality_id, area_id NULLS FIRST, category_id, status, answered
    ON CONFLICT (municipality_id, area_id, category_id, status, answered) DO UPDATE SET count = r.count + EXCLUDED.count, supports = r.supports + EXCLUDED.supports;
    INSERT INTO priorities_priorityanswerdays AS r (municipality_id, area_id, category_id, status, days, count)
    SELECT municipality_id, area_id, category_id, status, days, sum(v0) FROM (
        SELECT p.municipality_id AS municipality_id, p.area_id AS area_id, p.category_id AS category_id, p.status AS status, floor(extract(epoch FROM p.first_answered_at - p.created_at) / 86400)::int AS days, -1 * 1 AS v0
          FROM (SELECT p.*, NULL::bigint AS area_id FROM (SELECT o.* FROM old_rows o JOIN new_rows n ON n.id = o.id
                   WHERE o.visibility IS DISTINCT FROM n.visibility OR o.status IS DISTINCT FROM n.status OR o.category_id IS DISTINCT FROM n.category_id OR o.support_count IS DISTINCT FROM n.support_count OR o.first_answered_at IS DISTINCT FROM n.first_answered_at OR o.municipality_id IS DISTINCT FROM n.municipality_id OR o.created_at IS DISTINCT FROM n.created_at) p
        UNION ALL
        SELECT p.*, l.area_id FROM (SELECT o.* FROM old_rows o JOIN new_rows n ON n.id = o.id
                   WHERE o.visibility IS DISTINCT FROM n.visibility OR o.status IS DISTINCT FROM n.status OR o.category_id IS DISTINCT FROM n.category_id OR o.support_count IS DISTINCT FROM n.support_count OR o.first_answered_at IS DISTINCT FROM n.first_answered_at OR o.municipality_id IS DISTINCT FROM n.municipality_id OR o.created_at IS DISTINCT FROM n.created_at) p
          JOIN priorities_priority_areas l ON l.priority_id = p.id) p WHERE p.visibility = 'public' AND p.first_answered_at IS NOT NULL
        UNION ALL
        SELECT p.municipality_id AS municipality_id, p.area_id AS area_id, p.category_id AS category_id, p.status AS status, floor(extract(epoch FROM p.first_answered_at - p.created_at) / 86400)::int AS days, 1 * 1 AS v0
          FROM (SELECT p.*, NULL::bigint AS area_id FROM (SELECT n.* FROM new_rows n JOIN old_rows o ON o.id = n.id
                   WHERE o.visibility IS DISTINCT FROM n.visibility OR o.status IS DISTINCT FROM n.status OR o.category_id IS DISTINCT FROM n.category_id OR o.support_count IS DISTINCT FROM n.support_count OR o.first_answered_at IS DISTINCT FROM n.first_answered_at OR o.municipality_id IS DISTINCT FROM n.municipality_id OR o.created_at IS DISTINCT FROM n.created_at) p
        UNION ALL
        SELECT p.*, l.area_id FROM (SELECT n.* FROM new_rows n JOIN old_rows o ON o.id = n.id
                   WHERE o.visibility IS DISTINCT FROM n.visibility OR o.status IS DISTINCT FROM n.status OR o.category_id IS DISTINCT FROM n.category_id OR o.support_count IS DISTINCT FROM n.support_count OR o.first_answered_at IS DISTINCT FROM n.first_answered_at OR o.municipality_id IS DISTINCT FROM n.municipality_id OR o.created_at IS DISTINCT FROM n.created_at) p
          JOIN priorities_priority_areas l ON l.priority_id = p.id) p WHERE p.visibility = 'public' AND p.first_answered_at IS NOT NULL) d
     GROUP BY municipality_id, area_id, category_id, status, days HAVING sum(v0) <> 0
     ORDER BY municipality_id, area_id NULLS FIRST, category_id, status, days
    ON CONFLICT (municipality_id, area_id, category_id, status, days) DO UPDATE SET count = r.count + EXCLUDED.count;
    INSERT INTO priorities_priorityunansweredday AS r (municipality_id, area_id, day, count)
    SELECT municipality_id, area_id, day, sum(v0) FROM (
        SELECT p.municipality_id AS municipality_id, p.area_id AS area_id, (p.created_at AT TIME ZONE 'Europe/Oslo')::date AS day, -1 * 1 AS v0
          FROM (SELECT p.*, NULL::bigint AS area_id FROM (SELECT o.* FROM old_rows o JOIN new_rows n ON n.id = o.id
                   WHERE o.visibility IS DISTINCT FROM n.visibility OR o.status IS DISTINCT FROM n.status OR o.category_id IS DISTINCT FROM n.category_id OR o.support_count IS DISTINCT FROM n.support_count OR o.first_answered_at IS DISTINCT FROM n.first_answered_at OR o.municipality_id IS DISTINCT FROM n.municipality_id OR o.created_at IS DISTINCT FROM n.created_at) p
        UNION ALL
        SELECT p.*, l.area_id FROM (SELECT o.* FROM old_rows o JOIN new_rows n ON n.id = o.id
                   WHERE o.visibility IS DISTINCT FROM n.visibility OR o.status IS DISTINCT FROM n.status OR o.category_id IS DISTINCT FROM n.category_id OR o.support_count IS DISTINCT FROM n.support_count OR o.first_answered_at IS DISTINCT FROM n.first_answered_at OR o.municipality_id IS DISTINCT FROM n.municipality_id OR o.created_at IS DISTINCT FROM n.created_at) p
          JOIN priorities_priority_areas l ON l.priority_id = p.id) p WHERE p.visibility = 'public' AND p.first_answered_at IS NULL
        UNION ALL
        SELECT p.municipality_id AS municipality_id, p.area_id AS area_id, (p.created_at AT TIME ZONE 'Europe/Oslo')::date AS day, 1 * 1 AS v0
          FROM (SELECT p.*, NULL::bigint AS area_id FROM (SELECT n.* FROM new_rows n JOIN old_rows o ON o.id = n.id
                   WHERE o.visibility IS DISTINCT FROM n.visibility OR o.status IS DISTINCT FROM n.status OR o.category_id IS DISTINCT FROM n.category_id OR o.support_count IS DISTINCT FROM n.support_count OR o.first_answered_at IS DISTINCT FROM n.first_answered_at OR o.municipality_id IS DISTINCT FROM n.municipality_id OR o.created_at IS DISTINCT FROM n.created_at) p
        UNION ALL
        SELECT p.*, l.area_id FROM (SELECT n.* FROM new_rows n JOIN old_rows o ON o.id = n.id
                   WHERE o.visibility IS DISTINCT FROM n.visibility OR o.status IS DISTINCT FROM n.status OR o.category_id IS DISTINCT FROM n.category_id OR o.support_count IS DISTINCT FROM n.support_count OR o.first_answered_at IS DISTINCT FROM n.first_answered_at OR o.municipality_id IS DISTINCT FROM n.municipality_id OR o.created_at IS DISTINCT FROM n.created_at) p
          JOIN priorities_priority_areas l ON l.priority_id = p.id) p WHERE p.visibility = 'public' AND p.first_answered_at IS NULL) d
     GROUP BY municipality_id, area_id, day HAVING sum(v0) <> 0
     ORDER BY municipality_id, area_id NULLS FIRST, day
    ON CONFLICT (municipality_id, area_id, day) DO UPDATE SET count = r.count + EXCLUDED.count;
    INSERT INTO priorities_priorityareamonth AS r (municipality_id, area_id, month, count)
    SELECT municipality_id, area_id, month, sum(v0) FROM (
        SELECT p.municipality_id AS municipality_id, p.area_id AS area_id, date_trunc('month', p.created_at AT TIME ZONE 'Europe/Oslo')::date AS month, -1 * 1 AS v0
          FROM (SELECT p.*, NULL::bigint AS area_id FROM (SELECT o.* FROM old_rows o JOIN new_rows n ON n.id = o.id
                   WHERE o.visibility IS DISTINCT FROM n.visibility OR o.status IS DISTINCT FROM n.status OR o.category_id IS DISTINCT FROM n.category_id OR o.support_count IS DISTINCT FROM n.support_count OR o.first_answered_at IS DISTINCT FROM n.first_answered_at OR o.municipality_id IS DISTINCT FROM n.municipality_id OR o.created_at IS DISTINCT FROM n.created_at) p
        UNION ALL
        SELECT p.*, l.area_id FROM (SELECT o.* FROM old_rows o JOIN new_rows n ON n.id = o.id
                   WHERE o.visibility IS DISTINCT FROM n.visibility OR o.status IS DISTINCT FROM n.status OR o.category_id IS DISTINCT FROM n.category_id OR o.support_count IS DISTINCT FROM n.support_count OR o.first_answered_at IS DISTINCT FROM n.first_answered_at OR o.municipality_id IS DISTINCT FROM n.municipality_id OR o.created_at IS DISTINCT FROM n.created_at) p
          JOIN priorities_priority_areas l ON l.priority_id = p.id) p WHERE p.visibility = 'public' AND TRUE
        UNION ALL
        SELECT p.municipality_id AS municipality_id, p.area_id AS area_id, date_trunc('month', p.created_at AT TIME ZONE 'Europe/Oslo')::date AS month, 1 * 1 AS v0
          FROM (SELECT p.*, NULL::bigint AS area_id FROM (SELECT n.* FROM new_rows n JOIN old_rows o ON o.id = n.id
                   WHERE o.visibility IS DISTINCT FROM n.visibility OR o.status IS DISTINCT FROM n.status OR o.category_id IS DISTINCT FROM n.category_id OR o.support_count IS DISTINCT FROM n.support_count OR o.first_answered_at IS DISTINCT FROM n.first_answered_at OR o.municipality_id IS DISTINCT FROM n.municipality_id OR o.created_at IS DISTINCT FROM n.created_at) p
        UNION ALL
        SELECT p.*, l.area_id FROM (SELECT n.* FROM new_rows n JOIN old_rows o ON o.id = n.id
                   WHERE o.visibility IS DISTINCT FROM n.visibility OR o.status IS DISTINCT FROM n.status OR o.category_id IS DISTINCT FROM n.category_id OR o.support_count IS DISTINCT FROM n.support_count OR o.first_answered_at IS DISTINCT FROM n.first_answered_at OR o.municipality_id IS DISTINCT FROM n.municipality_id OR o.created_at IS DISTINCT FROM n.created_at) p
          JOIN priorities_priority_areas l ON l.priority_id = p.id) p WHERE p.visibility = 'public' AND TRUE) d
     GROUP BY municipality_id, area_id, month HAVING sum(v0) <> 0
     ORDER BY municipality_id, area_id NULLS FIRST, month
    ON CONFLICT (municipality_id, area_id, month) DO UPDATE SET count = r.count + EXCLUDED.count;

    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION priorities_rollup_link_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    
    INSERT INTO priorities_priorityareastat AS r (municipality_id, area_id, category_id, status, answered, count, supports)
    SELECT municipality_id, area_id, category_id, status, answered, sum(v0), sum(v1) FROM (
        SELECT p.municipality_id AS municipality_id, p.area_id AS area_id, p.category_id AS category_id, p.status AS status, p.first_answered_at IS NOT NULL AS answered, 1 * 1 AS v0, 1 * p.support_count AS v1
          FROM (SELECT p.*, l.area_id AS area_id
                 FROM new_links l JOIN priorities_priority p ON p.id = l.priority_id) p WHERE p.visibility = 'public' AND TRUE) d
     GROUP BY municipality_id, area_id, category_id, status, answered HAVING sum(v0) <> 0 OR sum(v1) <> 0
     ORDER BY municipality_id, area_id NULLS FIRST, category_id, status, answered
    ON CONFLICT (municipality_id, area_id, category_id, status, answered) DO UPDATE SET count = r.count + EXCLUDED.count, supports = r.supports + EXCLUDED.supports;
    INSERT INTO priorities_priorityanswerdays AS r (municipality_id, area_id, category_id, status, days, count)
    SELECT municipality_id, area_id, category_id, status, days, sum(v0) FROM (
        SELECT p.municipality_id AS municipality_id, p.area_id AS area_id, p.category_id AS category_id, p.status AS status, floor(extract(epoch FROM p.first_answered_at - p.created_at) / 86400)::int AS days, 1 * 1 AS v0
          FROM (SELECT p.*, l.area_id AS area_id
                 FROM new_links l JOIN priorities_priority p ON p.id = l.priority_id) p WHERE p.visibility = 'public' AND p.first_answered_at IS NOT NULL) d
     GROUP BY municipality_id, area_id, category_id, status, days HAVING sum(v0) <> 0
     ORDER BY municipality_id, area_id NULLS FIRST, category_id, status, days
    ON CONFLICT (municipality_id, area_id, category_id, status, days) DO UPDATE SET count = r.count + EXCLUDED.count;
    INSERT INTO priorities_priorityunansweredday AS r (municipality_id, area_id, day, count)
    SELECT municipality_id, area_id, day, sum(v0) FROM (
        SELECT p.municipality_id AS municipality_id, p.area_id AS area_id, (p.created_at AT TIME ZONE 'Europe/Oslo')::date AS day, 1 * 1 AS v0
          FROM (SELECT p.*, l.area_id AS area_id
                 FROM new_links l JOIN priorities_priority p ON p.id = l.priority_id) p WHERE p.visibility = 'public' AND p.first_answered_at IS NULL) d
     GROUP BY municipality_id, area_id, day HAVING sum(v0) <> 0
     ORDER BY municipality_id, area_id NULLS FIRST, day
    ON CONFLICT (municipality_id, area_id, day) DO UPDATE SET count = r.count + EXCLUDED.count;
    INSERT INTO priorities_priorityareamonth AS r (municipality_id, area_id, month, count)
    SELECT municipality_id, area_id, month, sum(v0) FROM (
        SELECT p.municipality_id AS municipality_id, p.area_id AS area_id, date_trunc('month', p.created_at AT TIME ZONE 'Europe/Oslo')::date AS month, 1 * 1 AS v0
          FROM (SELECT p.*, l.area_id AS area_id
                 FROM new_links l JOIN priorities_priority p ON p.id = l.priority_id) p WHERE p.visibility = 'public' AND TRUE) d
     GROUP BY municipality_id, area_id, month HAVING sum(v0) <> 0
     ORDER BY municipality_id, area_id NULLS FIRST, month
    ON CONFLICT (municipality_id, area_id, month) DO UPDATE SET count = r.count + EXCLUDED.count;

    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION priorities_rollup_link_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    
    INSERT INTO priorities_priorityareastat AS r (municipality_id, area_id, category_id, status, answered, count, supports)
    SELECT municipality_id, area_id, category_id, status, answered, sum(v0), sum(v1) FROM (
        SELECT p.municipality_id AS municipality_id, p.area_id AS area_id, p.category_id AS category_id, p.status AS status, p.first_answered_at IS NOT NULL AS answered, -1 * 1 AS v0, -1 * p.support_count AS v1
          FROM (SELECT p.*, l.area_id AS area_id
                 FROM old_links l JOIN priorities_priority p ON p.id = l.priority_id) p WHERE p.visibility = 'public' AND TRUE) d
     GROUP BY municipality_id, area_id, category_id, status, answered HAVING sum(v0) <> 0 OR sum(v1) <> 0
     ORDER BY municipality_id, area_id NULLS FIRST, category_id, status, answered
    ON CONFLICT (municipality_id, area_id, category_id, status, answered) DO UPDATE SET count = r.count + EXCLUDED.count, supports = r.supports + EXCLUDED.supports;
    INSERT INTO priorities_priorityanswerdays AS r (municipality_id, area_id, category_id, status, days, count)
    SELECT municipality_id, area_id, category_id, status, days, sum(v0) FROM (
        SELECT p.municipality_id AS municipality_id, p.area_id AS area_id, p.category_id AS category_id, p.status AS status, floor(extract(epoch FROM p.first_answered_at - p.created_at) / 86400)::int AS days, -1 * 1 AS v0
          FROM (SELECT p.*, l.area_id AS area_id
                 FROM old_links l JOIN priorities_priority p ON p.id = l.priority_id) p WHERE p.visibility = 'public' AND p.first_answered_at IS NOT NULL) d
     GROUP BY municipality_id, area_id, category_id, status, days HAVING sum(v0) <> 0
     ORDER BY municipality_id, area_id NULLS FIRST, category_id, status, days
    ON CONFLICT (municipality_id, area_id, category_id, status, days) DO UPDATE SET count = r.count + EXCLUDED.count;
    INSERT INTO priorities_priorityunansweredday AS r (municipality_id, area_id, day, count)
    SELECT municipality_id, area_id, day, sum(v0) FROM (
        SELECT p.municipality_id AS municipality_id, p.area_id AS area_id, (p.created_at AT TIME ZONE 'Europe/Oslo')::date AS day, -1 * 1 AS v0
          FROM (SELECT p.*, l.area_id AS area_id
                 FROM old_links l JOIN priorities_priority p ON p.id = l.priority_id) p WHERE p.visibility = 'public' AND p.first_answered_at IS NULL) d
     GROUP BY municipality_id, area_id, day HAVING sum(v0) <> 0
     ORDER BY municipality_id, area_id NULLS FIRST, day
    ON CONFLICT (municipality_id, area_id, day) DO UPDATE SET count = r.count + EXCLUDED.count;
    INSERT INTO priorities_priorityareamonth AS r (municipality_id, area_id, month, count)
    SELECT municipality_id, area_id, month, sum(v0) FROM (
        SELECT p.municipality_id AS municipality_id, p.area_id AS area_id, date_trunc('month', p.created_at AT TIME ZONE 'Europe/Oslo')::date AS month, -1 * 1 AS v0
          FROM (SELECT p.*, l.area_id AS area_id
                 FROM old_links l JOIN priorities_priority p ON p.id = l.priority_id) p WHERE p.visibility = 'public' AND TRUE) d
     GROUP BY municipality_id, area_id, month HAVING sum(v0) <> 0
     ORDER BY municipality_id, area_id NULLS FIRST, month
    ON CONFLICT (municipality_id, area_id, month) DO UPDATE SET count = r.count + EXCLUDED.count;

    RETURN NULL;
END $$;
"""

TRIGGERS_SQL = """
CREATE TRIGGER rollup_priority_insert AFTER INSERT ON priorities_priority
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION priorities_rollup_priority_insert();
CREATE TRIGGER rollup_priority_update AFTER UPDATE ON priorities_priority
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION priorities_rollup_priority_update();
CREATE TRIGGER rollup_link_insert AFTER INSERT ON priorities_priority_areas
    REFERENCING NEW TABLE AS new_links
    FOR EACH STATEMENT EXECUTE FUNCTION priorities_rollup_link_insert();
CREATE TRIGGER rollup_link_delete AFTER DELETE ON priorities_priority_areas
    REFERENCING OLD TABLE AS old_links
    FOR EACH STATEMENT EXECUTE FUNCTION priorities_rollup_link_delete();
"""

UNINSTALL_SQL = """
DROP TRIGGER IF EXISTS rollup_priority_insert ON priorities_priority;
DROP TRIGGER IF EXISTS rollup_priority_update ON priorities_priority;
DROP TRIGGER IF EXISTS rollup_link_insert ON priorities_priority_areas;
DROP TRIGGER IF EXISTS rollup_link_delete ON priorities_priority_areas;
DROP FUNCTION IF EXISTS priorities_rollup_priority_insert();
DROP FUNCTION IF EXISTS priorities_rollup_priority_update();
DROP FUNCTION IF EXISTS priorities_rollup_link_insert();
DROP FUNCTION IF EXISTS priorities_rollup_link_delete();
"""


class Migration(migrations.Migration):
    dependencies = [("priorities", "0001_initial")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX priorities_priority_areas_area_priority "
            "ON priorities_priority_areas (area_id, priority_id)",
            "DROP INDEX priorities_priority_areas_area_priority",
        ),
        migrations.RunSQL(FUNCTIONS_SQL + TRIGGERS_SQL, UNINSTALL_SQL),
    ]
