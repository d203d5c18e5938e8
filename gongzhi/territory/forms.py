from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.accounts.choices import Role
from gongzhi.accounts.models import User
from gongzhi.core.forms import DateInput

CHAIN_ROLE_CHOICES = [
    (Role.LEAD_CADRE.value, Role.LEAD_CADRE.label),
    (Role.RESPONSIBLE_CADRE.value, Role.RESPONSIBLE_CADRE.label),
    (Role.GRID_HEAD.value, Role.GRID_HEAD.label),
    (Role.BUILDING_HEAD.value, Role.BUILDING_HEAD.label),
]


# The kind of place each chain role covers.
TARGET_KIND: dict[str, str] = {
    Role.LEAD_CADRE: "compound",
    Role.RESPONSIBLE_CADRE: "compound",
    Role.GRID_HEAD: "grid",
    Role.BUILDING_HEAD: "building",
}


class ChainAssignForm(forms.Form):
    """Assign one link of a compound's chain: a role, the place it covers, and who holds it."""

    role = forms.ChoiceField(label=gettext_lazy("职责"), choices=CHAIN_ROLE_CHOICES)
    target = forms.ChoiceField(
        label=gettext_lazy("范围"), help_text=gettext_lazy("包保领导和包保干部选小区，网格长选网格，责任人选楼栋。")
    )
    username = forms.CharField(label=gettext_lazy("用户名"), max_length=150)
    starts_on = forms.DateField(label=gettext_lazy("起始日期"), required=False, widget=DateInput())

    def __init__(self, *args: Any, targets: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        target = self.fields["target"]
        assert isinstance(target, forms.ChoiceField)  # noqa: S101 - declared above
        target.choices = targets

    def clean_username(self) -> User:
        username = self.cleaned_data["username"].strip()
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("没有用户名为“%(u)s”的在用账号。") % {"u": username})
        return user

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        role, target = cleaned.get("role"), cleaned.get("target", "")
        expected = TARGET_KIND.get(role or "")
        if role and target and not target.startswith(f"{expected}:"):
            self.add_error(
                "target",
                _("该职责的范围应为：%(kind)s。")
                % {"kind": {"compound": _("小区"), "grid": _("网格"), "building": _("楼栋")}[expected or "compound"]},
            )
        return cleaned


class DutyGrantForm(forms.Form):
    """Grant any non-system duty: a role, a place (community, compound or grid) and a user."""

    role = forms.ChoiceField(label=gettext_lazy("职责"))
    place = forms.ChoiceField(label=gettext_lazy("范围"))
    username = forms.CharField(label=gettext_lazy("用户名"), max_length=150)
    starts_on = forms.DateField(label=gettext_lazy("起始日期"), required=False, widget=DateInput())
    ends_on = forms.DateField(label=gettext_lazy("终止日期"), required=False, widget=DateInput())

    def __init__(self, *args: Any, places: list[tuple[str, list[tuple[str, str]]]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role = self.fields["role"]
        place = self.fields["place"]
        assert isinstance(role, forms.ChoiceField)  # noqa: S101 - declared above
        assert isinstance(place, forms.ChoiceField)  # noqa: S101 - declared above
        role.choices = [(r.value, r.label) for r in Role if r not in (Role.PLATFORM_ADMIN, Role.AUDITOR)]
        place.choices = places

    clean_username = ChainAssignForm.clean_username
