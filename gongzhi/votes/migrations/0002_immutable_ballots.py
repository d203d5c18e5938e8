"""On PostgreSQL the database itself refuses to edit or delete the roll, participations, ballots and
counted results: defence in depth under the services, which only ever insert them. (TRUNCATE, which a
test run's flush uses, fires no row triggers.) SQLite has no such triggers here."""

from django.db import migrations

TABLES = ("votes_rollentry", "votes_participation", "votes_ballot", "votes_pollresult")

FUNCTION = """
CREATE OR REPLACE FUNCTION gongzhi_votes_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% rows are never edited or deleted', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)  # the body has a literal % placeholder of RAISE
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION gongzhi_votes_immutable()"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS gongzhi_votes_immutable()")


class Migration(migrations.Migration):
    dependencies = [("votes", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
