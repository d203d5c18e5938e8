"""The default categories for residential compounds and the 2026 public holidays (国务院办公厅 notice)."""

import datetime as dt

from django.db import migrations

# (code, name, acceptance condition, closing condition, amount, unit, handler kind, department, public)
CATEGORIES = [
    ("01", "房屋设施", None),
    ("0101", "管道漏水", "住户或公共部位管道漏水、渗水，现场可见", "漏点已修复，无积水，照片对比可见", 4, "work_hours", "property", "", True),
    ("0102", "电梯故障", "电梯停运或运行异常", "电梯恢复运行，维保记录已签字", 6, "natural_hours", "property", "", True),
    ("0103", "公共照明损坏", "楼道或小区路灯不亮", "灯具恢复照明", 2, "work_days", "property", "", True),
    ("0104", "门禁设施损坏", "单元门、门禁或道闸损坏", "设施恢复正常使用", 1, "work_days", "property", "", True),
    ("02", "环境卫生", None),
    ("0201", "垃圾堆放", "公共区域暴露垃圾或垃圾满溢", "垃圾清运完毕，地面无残留", 4, "work_hours", "property", "", True),
    ("0202", "楼道杂物", "楼道、消防通道堆放杂物", "杂物清理完毕，通道畅通", 1, "work_days", "property", "", True),
    ("0203", "绿地损毁", "绿地被占用、踩踏或毁坏", "绿地恢复或补植完成", 5, "work_days", "property", "", True),
    ("03", "违法违规", None),
    ("0301", "违章搭建", "小区内正在或已经违法搭建", "停工并拆除，恢复原状", 15, "work_days", "department", "城管中队", True),
    ("0302", "噪声扰民", "装修、商铺或设备噪声持续扰民", "噪声源已停止或整改", 1, "work_days", "community", "", True),
    ("0303", "违规停车", "占用消防通道、绿地或他人车位停车", "车辆已移走，通道畅通", 4, "work_hours", "property", "", True),
    ("04", "邻里与安全", None),
    ("0401", "邻里纠纷", "邻里之间因漏水、噪声、占用等发生纠纷", "双方达成调解或已引导依法解决", 5, "work_days", "community", "", False),
    ("0402", "安全隐患", "消防、燃气、高空坠物等安全隐患", "隐患已排除，现场复核无危险", 2, "natural_hours", "department", "应急管理办公室", True),
    ("0403", "飞线充电", "电动车楼道停放或飞线充电", "车辆移出，线路拆除", 4, "work_hours", "property", "", True),
]

# 2026 holidays and make-up working days.
CALENDAR = [
    ("2026-01-01", False, "元旦"), ("2026-01-02", False, "元旦"), ("2026-01-04", True, "元旦调休上班"),
    ("2026-02-15", False, "春节"), ("2026-02-16", False, "春节"), ("2026-02-17", False, "春节"),
    ("2026-02-18", False, "春节"), ("2026-02-19", False, "春节"), ("2026-02-20", False, "春节"),
    ("2026-02-23", False, "春节"), ("2026-02-14", True, "春节调休上班"), ("2026-02-28", True, "春节调休上班"),
    ("2026-04-06", False, "清明节"), ("2026-05-01", False, "劳动节"), ("2026-05-04", False, "劳动节"),
    ("2026-05-05", False, "劳动节"), ("2026-05-09", True, "劳动节调休上班"), ("2026-06-19", False, "端午节"),
    ("2026-09-25", False, "中秋节"), ("2026-10-01", False, "国庆节"), ("2026-10-02", False, "国庆节"),
    ("2026-10-05", False, "国庆节"), ("2026-10-06", False, "国庆节"), ("2026-10-07", False, "国庆节"),
    ("2026-09-20", True, "国庆节调休上班"), ("2026-10-10", True, "国庆节调休上班"),
]


def forwards(apps, schema_editor):
    Category = apps.get_model("cases", "CaseCategory")
    Day = apps.get_model("cases", "WorkCalendarDay")
    parents = {}
    for row in CATEGORIES:
        if row[2] is None:
            parents[row[0]] = Category.objects.create(code=row[0], name=row[1])
            continue
        code, name, accept, close, amount, unit, handler, department, public = row
        Category.objects.create(
            parent=parents[code[:2]],
            code=code,
            name=name,
            acceptance_condition=accept,
            closing_condition=close,
            time_limit_amount=amount,
            time_limit_unit=unit,
            handler_kind=handler,
            department=department,
            is_public=public,
        )
    for day, working, note in CALENDAR:
        Day.objects.get_or_create(day=dt.date.fromisoformat(day), defaults={"is_working": working, "note": note})


def backwards(apps, schema_editor):
    apps.get_model("cases", "WorkCalendarDay").objects.filter(day__in=[d for d, _w, _n in CALENDAR]).delete()
    Category = apps.get_model("cases", "CaseCategory")
    Category.objects.filter(parent__isnull=False, code__in=[r[0] for r in CATEGORIES]).delete()
    Category.objects.filter(code__in=[r[0] for r in CATEGORIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
