"""Chain the audit and access-log rows written before the hash chain, in id order, from the genesis hash. On
PostgreSQL the append-only trigger is switched off for these updates within this migration's transaction."""

from django.db import migrations

from gongzhi.core.chain import GENESIS, row_digest
from gongzhi.core.models import AccessLog, AuditEntry

BATCH = 2000
CHAINS = (("auditentry", AuditEntry.CHAINED_FIELDS), ("accesslog", AccessLog.CHAINED_FIELDS))


def chain(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for model_name, fields in CHAINS:
        model = apps.get_model("core", model_name)
        table = model._meta.db_table
        if postgres:
            schema_editor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
        prev, last_id = GENESIS, 0
        while True:
            rows = list(model.objects.filter(id__gt=last_id).order_by("id")[:BATCH])
            if not rows:
                break
            for row in rows:
                row.prev_hash = prev
                row.row_hash = prev = row_digest(prev, fields, [getattr(row, name) for name in fields])
            model.objects.bulk_update(rows, ["prev_hash", "row_hash"])
            last_id = rows[-1].id
        if postgres:
            schema_editor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")


class Migration(migrations.Migration):
    dependencies = [("core", "0004_log_hash_chain")]
    operations = [migrations.RunPython(chain, migrations.RunPython.noop)]
