"""accounts: users, roles, Duties (person × role × territory node or grid × dates), login security."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "gongzhi.accounts"
    label = "accounts"
    verbose_name = "账号与职责"

    def ready(self) -> None:
        from gongzhi.accounts import receivers  # noqa: F401 - drops cached actors when their Duties change
