"""On PostgreSQL, the database itself refuses to edit or delete points entries, stock movements and
certified service records: defence in depth under the application's append-only querysets. Unlike the
access log, these rows have no retention period after which they may go. SQLite relies on the
application guard alone."""

from django.db import migrations

TABLES = ("volunteering_pointsentry", "volunteering_stockmovement", "volunteering_servicerecord")

FUNCTION = """
CREATE OR REPLACE FUNCTION gongzhi_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: corrections are new rows', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)  # the body has a literal % placeholder of RAISE
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION gongzhi_ledger_append_only()"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS gongzhi_ledger_append_only()")


class Migration(migrations.Migration):
    dependencies = [("volunteering", "0002_default_points_rule")]
    operations = [migrations.RunPython(create, drop)]
