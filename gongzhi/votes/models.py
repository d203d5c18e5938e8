"""The ballot engine's tables.

Who may vote (RollEntry), who voted (Participation) and what was voted (Ballot) are three tables. The
one-ballot-per-voter rule is the unique (poll, voter_key) index of Participation, which every channel
(online, paper, proxy) inserts into in the same transaction as the ballot. In a secret poll the Ballot
row holds the poll and the choices only: no voter key, no channel, no clerk, no time, and a random UUID
as its key, so that nothing in the database joins it back to a Participation row (docs/votes.md).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import ByteOrderCharField, TimeStampedModel
from gongzhi.votes.choices import Channel, Electorate, PollStatus, TallyRule


class OwnersRules(TimeStampedModel):
    """The parts of a compound's rules of procedure (业主大会议事规则) that change how votes are run."""

    compound = models.OneToOneField(
        "territory.Node", on_delete=models.CASCADE, related_name="owners_rules", verbose_name=_("小区")
    )
    notice_days = models.PositiveSmallIntegerField(
        _("公告期（天）"), default=15, help_text=_("表决开始前至少公告的天数；物业管理条例第十四条为15日。")
    )
    follow_majority = models.BooleanField(
        _("未投票业主计入多数票（从众）"),
        default=False,
        help_text=_("仅当议事规则或管理规约明确规定时开启，并须在每张选票上告知业主不投票的后果。"),
    )
    follow_majority_basis = models.CharField(_("依据条款"), max_length=300, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("业主大会议事规则")
        verbose_name_plural = _("业主大会议事规则")
        constraints = [
            models.CheckConstraint(
                condition=Q(follow_majority=False) | ~Q(follow_majority_basis=""),
                name="owners_rules_follow_majority_has_basis",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.compound_id}"


class Poll(TimeStampedModel):
    title = models.CharField(_("标题"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    scope = models.ForeignKey("territory.Node", on_delete=models.PROTECT, related_name="polls", verbose_name=_("范围"))
    scope_path = ByteOrderCharField(max_length=255, db_index=True)
    electorate = models.CharField(_("投票人"), max_length=12, choices=Electorate.choices)
    # Members polls: {"role": "<Role>"} (duty holders at the scope) and/or {"user_ids": [...]}.
    electorate_config = models.JSONField(default=dict, blank=True)
    # One way: a secret poll is never made named (Loomio's cannot_deanonymize).
    is_secret = models.BooleanField(_("无记名投票"), default=False)
    status = models.CharField(_("状态"), max_length=10, choices=PollStatus.choices, default=PollStatus.ANNOUNCED)
    notice_days = models.PositiveSmallIntegerField(_("公告期（天）"), default=0)
    announced_at = models.DateTimeField(_("公告时间"))
    opens_at = models.DateTimeField(_("开始时间"))
    closes_at = models.DateTimeField(_("截止时间"))
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=300, blank=True)
    # The compound's 从众 setting as it stood when voting opened: rules are frozen with the roll.
    follow_majority = models.BooleanField(default=False)
    roll_size = models.PositiveIntegerField(default=0)
    roll_area_dm2 = models.BigIntegerField(default=0)
    # What staff must know about the roll as it was drawn (dwellings without an owner, shares not adding up).
    roll_warnings = models.JSONField(default=list, blank=True)
    # Which feature put the question ("consultation", "owners", …): for lists and links back.
    source = models.CharField(max_length=40, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-opens_at", "-id"]
        verbose_name = _("投票")
        verbose_name_plural = _("投票")
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=F("opens_at")), name="poll_closes_after_opening"),
            models.CheckConstraint(condition=Q(opens_at__gte=F("announced_at")), name="poll_opens_after_notice"),
        ]
        indexes = [models.Index(fields=["status", "closes_at"]), models.Index(fields=["status", "opens_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def results_sealed(self) -> bool:
        """Until the poll closes no result exists anywhere: it is counted once, at closing."""
        return self.status not in {PollStatus.CLOSED, PollStatus.PUBLISHED}


class Question(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(_("题目"), max_length=500)
    rule = models.CharField(_("计票规则"), max_length=12, choices=TallyRule.choices)
    config = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["poll", "position"]
        verbose_name = _("题目")
        verbose_name_plural = _("题目")
        constraints = [models.UniqueConstraint(fields=["poll", "position"], name="question_position_unique")]

    def __str__(self) -> str:
        return self.text


class Option(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField()
    label = models.CharField(_("选项"), max_length=200)
    # yes / no / abstain for the fixed options of yes-no and Art. 278 questions; blank otherwise.
    value = models.CharField(max_length=10, blank=True)

    class Meta:
        ordering = ["question", "position"]
        constraints = [models.UniqueConstraint(fields=["question", "position"], name="option_position_unique")]

    def __str__(self) -> str:
        return self.label


class RollEntry(models.Model):
    """One voter on the roll frozen at opening, with the weight they carry and who may act for them."""

    poll = models.ForeignKey(Poll, on_delete=models.PROTECT, related_name="roll")
    voter_key = models.CharField(max_length=255)
    label = models.CharField(_("投票人"), max_length=200)  # masked name and place, never an ID number
    org_path = ByteOrderCharField(max_length=255, blank=True)
    area_dm2 = models.BigIntegerField(_("专有面积（0.01㎡）"), default=0)
    heads = models.PositiveSmallIntegerField(default=1)
    # Members polls name a login; the other electorates name the people who may vote for the entry
    # (an adult of the household, each co-owner: the first to vote casts the one ballot).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    persons = models.ManyToManyField("registry.Person", blank=True, related_name="+")
    dwellings = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["poll", "org_path", "id"]
        verbose_name = _("投票人名册")
        verbose_name_plural = _("投票人名册")
        constraints = [models.UniqueConstraint(fields=["poll", "voter_key"], name="roll_entry_once_per_poll")]

    def __str__(self) -> str:
        return self.label


class Proxy(models.Model):
    """A written proxy (书面委托): someone votes for a voter on the roll. One per voter and poll."""

    poll = models.ForeignKey(Poll, on_delete=models.PROTECT, related_name="proxies")
    voter_key = models.CharField(max_length=255)
    roll_entry = models.ForeignKey(RollEntry, on_delete=models.PROTECT, related_name="+")
    agent_name = models.CharField(_("受托人姓名"), max_length=50)
    # The agent's login, when they will vote online; otherwise their paper ballot is entered by staff.
    agent_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    document_no = models.CharField(_("委托书编号"), max_length=60)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["poll", "id"]
        verbose_name = _("书面委托")
        verbose_name_plural = _("书面委托")
        constraints = [models.UniqueConstraint(fields=["poll", "voter_key"], name="proxy_once_per_voter")]

    def __str__(self) -> str:
        return f"{self.agent_name} → {self.roll_entry_id}"


class Participation(models.Model):
    """Who voted, by which channel. The unique (poll, voter_key) index is the one-ballot rule.

    In a secret poll ``at`` stays empty: a time here and a time on the ballot would pair them up.
    """

    poll = models.ForeignKey(Poll, on_delete=models.PROTECT, related_name="participations")
    voter_key = models.CharField(max_length=255)
    roll_entry = models.ForeignKey(RollEntry, on_delete=models.PROTECT, related_name="participations")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    at = models.DateTimeField(null=True, blank=True)
    # The login that submitted online (the voter or their agent), or the clerk who entered a paper ballot.
    cast_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    proxy = models.ForeignKey(Proxy, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["poll", "id"]
        verbose_name = _("投票记录")
        verbose_name_plural = _("投票记录")
        constraints = [
            models.UniqueConstraint(fields=["poll", "voter_key"], name="participation_one_per_voter"),
            models.CheckConstraint(
                condition=Q(proxy__isnull=True) | Q(channel=Channel.PROXY), name="participation_proxy_channel"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.poll_id}:{self.voter_key}"


class BallotQuerySet(models.QuerySet["Ballot"]):
    def standing(self) -> BallotQuerySet:
        """Ballots not replaced by a correction.

        Written as NOT IN the (few) corrected ids rather than as a join on ``replaced_by``: SQLite's planner
        scanned the whole table once per ballot for that join, which made a 4,000-ballot count take seconds.
        """
        return self.exclude(pk__in=Ballot.objects.filter(replaces__isnull=False).values("replaces_id"))


class Ballot(models.Model):
    """What was voted: ``choices`` maps a question id to the chosen option ids.

    Never edited or deleted: a clerk's correction of a paper ballot is a new row that ``replaces`` the
    old one. Named polls also keep the voter key, channel, clerk and time here; secret polls keep none.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    poll = models.ForeignKey(Poll, on_delete=models.PROTECT, related_name="+")
    choices = models.JSONField()
    replaces = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by")
    correction_reason = models.CharField(max_length=300, blank=True)
    voter_key = models.CharField(max_length=255, null=True, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, null=True, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(null=True, blank=True)

    objects = BallotQuerySet.as_manager()

    class Meta:
        verbose_name = _("选票")
        verbose_name_plural = _("选票")
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "voter_key"], condition=Q(replaces__isnull=True), name="ballot_one_original_per_voter"
            ),
            models.CheckConstraint(
                condition=Q(replaces__isnull=True) | ~Q(correction_reason=""), name="ballot_correction_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return str(self.pk)


class PollResult(models.Model):
    """The count, made once when the poll closes and kept as it was counted."""

    poll = models.OneToOneField(Poll, on_delete=models.PROTECT, related_name="result")
    counted_at = models.DateTimeField(auto_now_add=True)
    ballots_counted = models.PositiveIntegerField()
    questions = models.JSONField()

    class Meta:
        verbose_name = _("投票结果")
        verbose_name_plural = _("投票结果")

    def __str__(self) -> str:
        return f"{self.poll_id}"
