"""accounts: users, roles, Duties (person × role × territory node or grid × dates), login security."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "gongzhi.accounts"
    label = "accounts"
    verbose_name = "账号与职责"
