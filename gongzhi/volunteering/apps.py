"""volunteering: volunteers, teams, activities, certified hours, certificates, the points ledger and shop."""

from django.apps import AppConfig


class VolunteeringConfig(AppConfig):
    name = "gongzhi.volunteering"
    label = "volunteering"
    verbose_name = "志愿服务"
