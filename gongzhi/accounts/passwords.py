"""Password rules of MLPS level-3 practice: at least 8 characters, three character classes, not the username."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CLASSES = (
    (re.compile(r"[a-z]"), "lower"),
    (re.compile(r"[A-Z]"), "upper"),
    (re.compile(r"\d"), "digit"),
    (re.compile(r"[^a-zA-Z\d]"), "symbol"),
)


class CharacterClassValidator:
    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        found = sum(1 for pattern, _name in CLASSES if pattern.search(password))
        if found < self.min_classes:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、符号中的至少%(n)d类。") % {"n": self.min_classes},
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return _("密码须包含大写字母、小写字母、数字、符号中的至少%(n)d类。") % {"n": self.min_classes}


class NotUsernameValidator:
    def validate(self, password: str, user: Any = None) -> None:
        username = getattr(user, "username", "") or ""
        if username and username.lower() in password.lower():
            raise ValidationError(_("密码不能包含用户名。"), code="password_contains_username")

    def get_help_text(self) -> str:
        return _("密码不能包含用户名。")


class MinimumLengthValidator:
    """Django's rule with a Chinese message (Django 5.2's zh-hans catalogue lacks this string)."""

    def __init__(self, min_length: int = 8) -> None:
        self.min_length = min_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(
                _("密码太短，至少需要%(n)d个字符。") % {"n": self.min_length}, code="password_too_short"
            )

    def get_help_text(self) -> str:
        return _("密码至少需要%(n)d个字符。") % {"n": self.min_length}
