"""core: the kernel every other app builds on.

Time stamps, the Actor, domain errors, personal-data fields and validators, the audit and access logs,
the working-time calendar, xlsx helpers and the scheduler. It imports nothing from the other apps.
"""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "gongzhi.core"
    label = "core"
    verbose_name = "核心"
