from django.db import migrations

# The care tags communities use most; staff add, rename or retire them in the admin.
DEFAULT_CARE_TAGS = [
    ("elderly_alone", "独居老人", "独自居住的60岁以上老人", False),
    ("empty_nest", "空巢老人", "子女不在身边的老人", False),
    ("disabled", "残疾人", "持残疾人证", True),
    ("low_income", "低保户", "享受最低生活保障", True),
    ("veteran", "退役军人", "", False),
    ("left_behind_child", "留守儿童", "父母外出务工的未成年人", True),
    ("seriously_ill", "重病患者", "大病、重病或长期卧床", True),
    ("pregnant", "孕产妇", "", True),
    ("special_care", "特殊关爱对象", "其他需要重点关注的人员", True),
]


def add_tags(apps, schema_editor):
    CareTag = apps.get_model("registry", "CareTag")
    for order, (code, name, description, sensitive) in enumerate(DEFAULT_CARE_TAGS):
        CareTag.objects.get_or_create(
            code=code,
            defaults={"name": name, "description": description, "is_sensitive": sensitive, "sort_order": order},
        )


def remove_tags(apps, schema_editor):
    CareTag = apps.get_model("registry", "CareTag")
    CareTag.objects.filter(code__in=[code for code, *_ in DEFAULT_CARE_TAGS], person_links__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(add_tags, remove_tags)]
