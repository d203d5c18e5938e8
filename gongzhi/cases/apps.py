from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "gongzhi.cases"
    label = "cases"
    verbose_name = "事件处置"
