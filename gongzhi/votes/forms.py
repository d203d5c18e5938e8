from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.accounts.choices import Role
from gongzhi.accounts.models import User
from gongzhi.votes.choices import Electorate, Matter, TallyRule
from gongzhi.votes.models import Question
from gongzhi.votes.services import QuestionSpec

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
MEMBER_ROLES = [
    ("", gettext_lazy("（不按职责）")),
    (Role.COMMITTEE_MEMBER.value, Role.COMMITTEE_MEMBER.label),
    (Role.BUILDING_HEAD.value, Role.BUILDING_HEAD.label),
    (Role.GRID_HEAD.value, Role.GRID_HEAD.label),
    (Role.PARTY_SECRETARY.value, Role.PARTY_SECRETARY.label),
]


class ScopedForm(forms.Form):
    """A form whose "scope" offers the places passed in: where the actor may act."""

    scope = forms.ChoiceField(label=gettext_lazy("范围"))

    def __init__(self, *args: Any, scopes: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope = self.fields["scope"]
        assert isinstance(scope, forms.ChoiceField)  # noqa: S101 - declared above
        scope.choices = scopes


def active_user(username: str) -> User | None:
    """The active login with this username, None for a blank field; a clear error for a wrong name."""
    username = username.strip()
    if not username:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise forms.ValidationError(_("没有用户名为“%(u)s”的在用账号。") % {"u": username})
    return user


class PollForm(ScopedForm):
    field_order = ["title", "description", "scope"]
    title = forms.CharField(label=gettext_lazy("标题"), max_length=200)
    description = forms.CharField(label=gettext_lazy("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    scope = forms.ChoiceField(label=gettext_lazy("范围"), help_text=gettext_lazy("可以是社区、小区或单独一栋楼。"))
    electorate = forms.ChoiceField(label=gettext_lazy("投票人"), choices=Electorate.choices)
    members_role = forms.ChoiceField(
        label=gettext_lazy("组织成员：职责"),
        choices=MEMBER_ROLES,
        required=False,
        help_text=gettext_lazy("投票人为“指定组织的成员”时，范围内担任该职责的人。"),
    )
    members_usernames = forms.CharField(
        label=gettext_lazy("组织成员：用户名"), required=False, help_text=gettext_lazy("多个用户名用空格或逗号分隔。")
    )
    is_secret = forms.BooleanField(
        label=gettext_lazy("无记名投票"),
        required=False,
        help_text=gettext_lazy("投票记录和选票分开保存，无法对应到人；设定后不能改回实名。业主共同决定不能无记名。"),
    )
    notice_days = forms.IntegerField(
        label=gettext_lazy("公告期（天）"),
        required=False,
        min_value=0,
        max_value=90,
        help_text=gettext_lazy("业主表决不少于议事规则规定的天数（默认15天）；留空则按规定。"),
    )
    opens_at = forms.DateTimeField(label=gettext_lazy("开始时间"), required=False, widget=DATETIME)
    closes_at = forms.DateTimeField(label=gettext_lazy("截止时间"), widget=DATETIME)

    def clean_members_usernames(self) -> list[int]:
        names = [
            n for n in self.cleaned_data.get("members_usernames", "").replace(",", " ").replace("，", " ").split() if n
        ]
        users = dict(User.objects.filter(username__in=names, is_active=True).values_list("username", "pk"))
        missing = [n for n in names if n not in users]
        if missing:
            raise forms.ValidationError(_("没有这些用户名的在用账号：%(u)s") % {"u": "、".join(missing)})
        return [users[n] for n in names]

    def electorate_config(self) -> dict[str, Any]:
        return {
            "role": self.cleaned_data.get("members_role") or "",
            "user_ids": self.cleaned_data.get("members_usernames") or [],
        }


class QuestionForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("题目"), max_length=500)
    # Blank extra questions submit the initial rule and stay "unchanged", so the formset skips them.
    rule = forms.ChoiceField(label=gettext_lazy("计票规则"), choices=TallyRule.choices, initial=TallyRule.YES_NO)
    options = forms.CharField(
        label=gettext_lazy("选项"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("每行一个。“同意/反对/弃权”和业主共同决定无需填写。"),
    )
    max_choices = forms.IntegerField(label=gettext_lazy("最多可选项数"), required=False, min_value=1)
    seats = forms.IntegerField(label=gettext_lazy("当选名额"), required=False, min_value=1)
    threshold = forms.CharField(
        label=gettext_lazy("通过比例"),
        required=False,
        max_length=10,
        help_text=gettext_lazy("如 1/2（过半数）、2/3；按参加投票的票数计。"),
    )
    threshold_inclusive = forms.BooleanField(
        label=gettext_lazy("达到比例即通过（“以上”）"),
        required=False,
        help_text=gettext_lazy("不勾选则须超过该比例（“过半数”）。"),
    )
    matter = forms.ChoiceField(
        label=gettext_lazy("表决事项（民法典第二百七十八条）"),
        required=False,
        choices=[("", "—"), *Matter.choices],
    )

    def spec(self) -> QuestionSpec:
        data = self.cleaned_data
        config: dict[str, Any] = {}
        if data.get("max_choices"):
            config["max_choices"] = data["max_choices"]
        if data.get("seats"):
            config["seats"] = data["seats"]
        if data.get("threshold"):
            config["threshold"] = data["threshold"]
        config["threshold_inclusive"] = bool(data.get("threshold_inclusive"))
        if data.get("matter"):
            config["matter"] = data["matter"]
        options = [line for line in (data.get("options") or "").splitlines() if line.strip()]
        return QuestionSpec(text=data["text"], rule=data["rule"], options=options, config=config)


QuestionFormSet = forms.formset_factory(QuestionForm, extra=1, min_num=1, validate_min=True, max_num=20)


class BallotForm(forms.Form):
    """One field per question: radio buttons for a single choice, check boxes for approval."""

    def __init__(
        self, *args: Any, questions: list[Question], seats: list[tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        if seats and len(seats) > 1:
            self.fields["voter_key"] = forms.ChoiceField(
                label=gettext_lazy("代表谁投票"), choices=seats, widget=forms.RadioSelect
            )
        for question in questions:
            choices = [(str(o.pk), o.label) for o in question.options.all()]
            label = f"{question.position}. {question.text}"
            if question.rule == TallyRule.APPROVAL:
                limit = question.config.get("max_choices", 1)
                self.fields[f"q{question.pk}"] = forms.MultipleChoiceField(
                    label=label,
                    choices=choices,
                    widget=forms.CheckboxSelectMultiple,
                    help_text=_("最多选%(n)d项。") % {"n": limit},
                )
            else:
                self.fields[f"q{question.pk}"] = forms.ChoiceField(
                    label=label, choices=choices, widget=forms.RadioSelect
                )

    def choices(self) -> dict[str, list[int]]:
        result = {}
        for question in self.questions:
            value = self.cleaned_data.get(f"q{question.pk}")
            result[str(question.pk)] = [int(v) for v in (value if isinstance(value, list) else [value])]
        return result


class PaperBallotForm(BallotForm):
    via_proxy = forms.BooleanField(label=gettext_lazy("由受托人签署（已登记书面委托）"), required=False)


class CorrectionForm(BallotForm):
    receipt = forms.CharField(
        label=gettext_lazy("选票编号"),
        required=False,
        max_length=40,
        help_text=gettext_lazy("无记名投票：录入时记在纸质选票上的编号。"),
    )
    reason = forms.CharField(label=gettext_lazy("更正原因"), max_length=300)


class ProxyForm(forms.Form):
    agent_name = forms.CharField(label=gettext_lazy("受托人姓名"), max_length=50)
    document_no = forms.CharField(label=gettext_lazy("委托书编号"), max_length=60)
    agent_username = forms.CharField(
        label=gettext_lazy("受托人用户名"),
        required=False,
        max_length=150,
        help_text=gettext_lazy("受托人有账号时填写，可在网上代为投票；否则由工作人员录入其签署的纸质选票。"),
    )

    def clean_agent_username(self) -> User | None:
        return active_user(self.cleaned_data.get("agent_username", ""))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("原因"), max_length=300)


class OwnersRulesForm(forms.Form):
    notice_days = forms.IntegerField(label=gettext_lazy("公告期（天）"), min_value=1, max_value=90)
    follow_majority = forms.BooleanField(
        label=gettext_lazy("未投票的业主计入已投票的多数（从众）"),
        required=False,
        help_text=gettext_lazy(
            "默认关闭。只有议事规则或管理规约明确规定时才能开启；开启后每张选票都会提示不投票的后果。"
        ),
    )
    follow_majority_basis = forms.CharField(
        label=gettext_lazy("依据条款"),
        required=False,
        max_length=300,
        help_text=gettext_lazy("如：《XX小区业主大会议事规则》第十二条。"),
    )
