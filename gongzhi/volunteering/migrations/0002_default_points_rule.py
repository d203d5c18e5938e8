import datetime as dt

from django.db import migrations

# The rule in force until the association sets its own on the rules page: 10 points an hour, at most 8 hours'
# worth a day and 40 hours' worth a month (local practice; the Suzhou standard DB3205/T 1001-2020 shows
# points = hours × a coefficient, domain-rules.md §2.5).
DEFAULT_RULE = {"points_per_hour": 10, "daily_cap": 80, "monthly_cap": 400, "note": "默认规则"}
FROM = dt.date(2000, 1, 1)


def add_rule(apps, schema_editor):
    PointsRule = apps.get_model("volunteering", "PointsRule")
    PointsRule.objects.get_or_create(starts_on=FROM, defaults=DEFAULT_RULE)


def remove_rule(apps, schema_editor):
    PointsRule = apps.get_model("volunteering", "PointsRule")
    PointsRule.objects.filter(starts_on=FROM, created_by__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("volunteering", "0001_initial")]
    operations = [migrations.RunPython(add_rule, remove_rule)]
