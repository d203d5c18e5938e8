from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.consultation.choices import ModerationKind, Party
from gongzhi.core.forms import DateInput
from gongzhi.votes.choices import Electorate
from gongzhi.votes.forms import DATETIME, ReasonForm, ScopedForm, active_user

PARTY_NAMES = {str(label): value for value, label in Party.choices}


class SuggestionForm(ScopedForm):
    scope = forms.ChoiceField(label=gettext_lazy("关于"))
    title = forms.CharField(label=gettext_lazy("标题"), max_length=100)
    body = forms.CharField(
        label=gettext_lazy("内容"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("说清楚问题在哪里、希望怎么改。获得足够多邻居支持后会转入议事角讨论。"),
    )


class ModerateForm(ReasonForm):
    kind = forms.ChoiceField(choices=ModerationKind.choices, widget=forms.HiddenInput)


class PostForm(forms.Form):
    body = forms.CharField(label=gettext_lazy("我的意见"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class TopicForm(ScopedForm):
    title = forms.CharField(label=gettext_lazy("议题"), max_length=100)
    body = forms.CharField(label=gettext_lazy("说明"), required=False, widget=forms.Textarea(attrs={"rows": 4}))


class MeetingForm(forms.Form):
    starts_at = forms.DateTimeField(label=gettext_lazy("会议时间"), widget=DATETIME)
    place = forms.CharField(label=gettext_lazy("地点"), max_length=120)
    invited = forms.MultipleChoiceField(
        label=gettext_lazy("邀请参加"),
        choices=Party.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[Party.RESIDENTS_COMMITTEE, Party.OWNERS_COMMITTEE, Party.PROPERTY_COMPANY, Party.RESIDENTS],
    )


class MinutesForm(forms.Form):
    attendees = forms.CharField(
        label=gettext_lazy("参会人员"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("每行一人：姓名 代表方，如“王芳 社区居委会”“李强 物业服务企业”“张明 居民代表”。"),
    )
    minutes = forms.CharField(label=gettext_lazy("会议纪要"), widget=forms.Textarea(attrs={"rows": 6}))

    def clean_attendees(self) -> list[tuple[str, str]]:
        people = []
        for number, line in enumerate(self.cleaned_data["attendees"].splitlines(), start=1):
            if not line.strip():
                continue
            name, _sep, party_name = line.strip().rpartition(" ")
            party = PARTY_NAMES.get(party_name.strip())
            if not name.strip() or party is None:
                raise forms.ValidationError(
                    _("第%(n)d行应为“姓名 代表方”，代表方可填：%(p)s。") % {"n": number, "p": "、".join(PARTY_NAMES)}
                )
            people.append((name.strip(), party))
        if not people:
            raise forms.ValidationError(_("请至少填写一位参会人员。"))
        return people


class ResolutionForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("表决事项"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("写成可以回答“同意/反对/弃权”的一句话。"),
    )
    electorate = forms.ChoiceField(
        label=gettext_lazy("投票人"),
        choices=[
            (Electorate.HOUSEHOLDS.value, Electorate.HOUSEHOLDS.label),
            (Electorate.RESIDENTS.value, Electorate.RESIDENTS.label),
        ],
    )
    closes_at = forms.DateTimeField(label=gettext_lazy("截止时间"), widget=DATETIME)
    is_secret = forms.BooleanField(label=gettext_lazy("无记名投票"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["closes_at"].initial = (timezone.localtime() + dt.timedelta(days=7)).replace(
            second=0, microsecond=0
        )


class FollowUpForm(forms.Form):
    description = forms.CharField(label=gettext_lazy("事项"), max_length=300)
    owner_name = forms.CharField(label=gettext_lazy("责任人"), max_length=50)
    owner_party = forms.ChoiceField(label=gettext_lazy("责任单位"), choices=Party.choices)
    owner_username = forms.CharField(
        label=gettext_lazy("责任人用户名"),
        required=False,
        max_length=150,
        help_text=gettext_lazy("有账号时填写，逾期会提醒本人。"),
    )
    due_on = forms.DateField(label=gettext_lazy("完成期限"), widget=DateInput())

    def clean_owner_username(self) -> int | None:
        user = active_user(self.cleaned_data.get("owner_username", ""))
        return user.pk if user is not None else None


class DoneForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("完成情况"), max_length=300)


class NoticeForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("公示内容"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("表决结果会随公示一并公布；请写明决定内容和后续安排。"),
    )
