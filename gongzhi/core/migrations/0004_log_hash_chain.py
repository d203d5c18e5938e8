"""The columns of the hash chain of the audit trail and the access log (gongzhi/core/chain.py); the rows already
there are chained by the next migration. ``at`` is set by the chain's append instead of auto_now_add, because it
is hashed before the row is saved."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("core", "0003_scheduled_runs_and_notifications")]

    operations = [
        *(
            migrations.AlterField(
                model_name=model_name,
                name="at",
                field=models.DateTimeField(db_index=True, default=django.utils.timezone.now, editable=False),
            )
            for model_name in ("accesslog", "auditentry")
        ),
        *(
            migrations.AddField(
                model_name=model_name,
                name=name,
                field=models.CharField(default="", editable=False, max_length=64),
                preserve_default=False,
            )
            for model_name in ("accesslog", "auditentry")
            for name in ("prev_hash", "row_hash")
        ),
    ]
