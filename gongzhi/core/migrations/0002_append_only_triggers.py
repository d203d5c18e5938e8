"""On PostgreSQL, the database itself refuses to edit the access log and audit trail, or to delete rows
younger than 180 days: defence in depth under the application's append-only querysets. SQLite has
no such triggers here; the application guard stands alone there."""

from django.db import migrations

TABLES = ("core_accesslog", "core_auditentry")

FUNCTION = """
CREATE OR REPLACE FUNCTION gongzhi_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
    END IF;
    IF OLD.at > now() - interval '180 days' THEN
        RAISE EXCEPTION '% rows are kept at least 180 days', TG_TABLE_NAME;
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)  # the body has literal % placeholders of RAISE
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION gongzhi_append_only()"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS gongzhi_append_only()")


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
