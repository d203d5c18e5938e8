"""Tally rules as configuration, one validator for them and for ballots, and the counting itself.

Pure functions over plain data: no database, no floats. The engine (services.poll_close) and the
paper-vote command (tally_vote) call the same functions, so a count on paper and a count online agree.

Rules and their configuration:
- plurality: one choice per ballot; most votes wins (ties reported, not broken).
- approval: ``max_choices`` k (choose 1..k), ``seats`` winners.
- yes_no: 同意/反对/弃权; passes when 同意 reaches ``threshold`` of the ballots cast (``threshold_inclusive``
  says whether reaching it exactly is enough), after an optional ``quorum`` of the roll.
- art278: the owners' assembly double count of Civil Code Art. 278 for one ``matter``.

Statute wording (Civil Code Art. 1259): "以上" includes the number, "过半数" is strictly more than half.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext as _

from gongzhi.core.exceptions import DomainError
from gongzhi.votes.choices import MAJOR_MATTERS, Electorate, Matter, Opinion, TallyRule

# Art. 278 thresholds: quorum ≥ 2/3 of area and of owners; major matters ≥ 3/4, others > 1/2 of participants.
QUORUM = Fraction(2, 3)
MAJOR = Fraction(3, 4)
ORDINARY = Fraction(1, 2)
FIXED_OPTIONS: dict[str, list[Opinion]] = {TallyRule.YES_NO: list(Opinion), TallyRule.ART278: list(Opinion)}
MAX_OPTIONS = 50


def parse_fraction(value: object, *, field: str, allow_zero: bool = False) -> Fraction:
    """ "2/3", "0.5", "1" → an exact Fraction in [0, 1] (or (0, 1] without ``allow_zero``)."""
    if isinstance(value, bool | float):
        # A float cannot say 2/3 exactly; configuration is written as text.
        raise DomainError(_("比例请写成分数或小数文本，如 2/3、0.5。"), field=field)
    try:
        fraction = Fraction(str(value).strip())
    except (ValueError, ZeroDivisionError) as exc:
        raise DomainError(_("比例“%(v)s”无效，请写成分数或小数，如 2/3、0.5。") % {"v": value}, field=field) from exc
    if fraction > 1 or fraction < 0 or (fraction == 0 and not allow_zero):
        raise DomainError(_("比例应在0到1之间。"), field=field)
    return fraction


def fraction_text(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}"


def percent_text(numerator: int, denominator: int) -> str:
    """Exact percentage with two decimals, rounded half up in integer arithmetic ("66.67%")."""
    if denominator == 0:
        return "—"
    hundredths = (numerator * 10000 * 2 + denominator) // (denominator * 2)
    return f"{hundredths // 100}.{hundredths % 100:02d}%"


def area_text(dm2: int) -> str:
    """0.01 m² integers as square metres with two decimals."""
    return f"{dm2 // 100}.{dm2 % 100:02d}"


# --- validation: one validator for every rule and every ballot -------------------------------------


def validate_question(
    *, rule: str, config: Mapping[str, Any] | None, options: Sequence[str], electorate: str, is_secret: bool
) -> tuple[dict[str, Any], list[str]]:
    """Check one question's rule and options; returns the normalised config and the option labels.

    Options of yes/no and Art. 278 questions are fixed (同意/反对/弃权) whatever was passed.
    """
    config = dict(config or {})
    if rule not in TallyRule.values:
        raise DomainError(_("未知的计票规则。"), field="rule")
    if rule in FIXED_OPTIONS:
        labels = [str(o.label) for o in FIXED_OPTIONS[rule]]
    else:
        labels = [" ".join(str(o).split()) for o in options if str(o).strip()]
        if len(labels) < 2:
            raise DomainError(_("至少需要两个选项。"), field="options")
        if len(labels) > MAX_OPTIONS:
            raise DomainError(_("选项最多%(n)d个。") % {"n": MAX_OPTIONS}, field="options")
        if len(set(labels)) != len(labels):
            raise DomainError(_("选项不能重复。"), field="options")
        if any(len(label) > 200 for label in labels):
            raise DomainError(_("每个选项最多200个字。"), field="options")
    normalised: dict[str, Any]
    if rule == TallyRule.PLURALITY:
        normalised = {}
    elif rule == TallyRule.APPROVAL:
        max_choices = _positive_int(config.get("max_choices", 1), field="max_choices", label=_("最多可选项数"))
        seats = _positive_int(config.get("seats", 1), field="seats", label=_("当选名额"))
        if max_choices > len(labels):
            raise DomainError(_("最多可选项数不能超过选项数。"), field="max_choices")
        if seats > len(labels):
            raise DomainError(_("当选名额不能超过选项数。"), field="seats")
        normalised = {"max_choices": max_choices, "seats": seats}
    elif rule == TallyRule.YES_NO:
        threshold = parse_fraction(config.get("threshold", "1/2"), field="threshold")
        quorum = parse_fraction(config.get("quorum", "0"), field="quorum", allow_zero=True)
        normalised = {
            "threshold": fraction_text(threshold),
            "threshold_inclusive": bool(config.get("threshold_inclusive", False)),
            "quorum": fraction_text(quorum),
            "quorum_inclusive": bool(config.get("quorum_inclusive", True)),
        }
    else:
        if electorate != Electorate.OWNERS:
            raise DomainError(_("业主共同决定事项只能由业主表决（投票范围请选“业主”）。"), field="electorate")
        if is_secret:
            # MOHURD 2009 rules Art. 22: every owner's ballot carries the owner's signature; and an area
            # weight on an anonymous ballot would name the voter anyway.
            raise DomainError(_("业主共同决定须实名表决，不能设为无记名投票。"), field="is_secret")
        matter = config.get("matter", "")
        if matter not in Matter.values:
            raise DomainError(_("请选择表决事项的类别（民法典第二百七十八条）。"), field="matter")
        normalised = {"matter": matter, "major": matter in MAJOR_MATTERS}
    return normalised, labels


def _positive_int(value: object, *, field: str, label: object) -> int:
    try:
        number = int(str(value))
    except ValueError as exc:
        raise DomainError(_("%(f)s应为正整数。") % {"f": label}, field=field) from exc
    if number < 1:
        raise DomainError(_("%(f)s应为正整数。") % {"f": label}, field=field)
    return number


def validate_choices(
    *, rule: str, config: Mapping[str, Any], option_ids: Sequence[int], chosen: Sequence[int]
) -> list[int]:
    """Check one question's answer on a ballot; returns the chosen option ids, sorted."""
    picked = sorted(set(chosen))
    if len(picked) != len(chosen):
        raise DomainError(_("同一选项只能选一次。"), field="choices")
    if not picked:
        raise DomainError(_("请作出选择（可选“弃权”的题目请选“弃权”）。"), field="choices")
    if any(option not in option_ids for option in picked):
        raise DomainError(_("所选选项不属于该题目。"), field="choices")
    limit = int(config.get("max_choices", 1)) if rule == TallyRule.APPROVAL else 1
    if len(picked) > limit:
        raise DomainError(_("该题最多选择%(n)d项。") % {"n": limit}, field="choices")
    return picked


# --- counting -----------------------------------------------------------------------------------------


def tally_options(
    *, rule: str, config: Mapping[str, Any], option_ids: Sequence[int], answers: Iterable[Sequence[int]]
) -> dict[str, Any]:
    """Plurality and approval: votes per option, ranking and winners (ties at the cut are reported)."""
    counts: Counter[int] = Counter(dict.fromkeys(option_ids, 0))
    ballots = 0
    for answer in answers:
        ballots += 1
        counts.update(answer)
    seats = int(config.get("seats", 1)) if rule == TallyRule.APPROVAL else 1
    ranking = sorted(option_ids, key=lambda option: (-counts[option], option_ids.index(option)))
    winners: list[int] = []
    tie = False
    if ballots:
        cut = counts[ranking[min(seats, len(ranking)) - 1]]
        winners = [o for o in ranking if counts[o] > cut]
        at_cut = [o for o in ranking if counts[o] == cut and cut > 0]
        if len(winners) + len(at_cut) > seats:
            tie = True  # more options share the last seat than there are seats: nobody is declared for it
        else:
            winners += at_cut
    return {
        "rule": rule,
        "ballots": ballots,
        "counts": {str(option): counts[option] for option in option_ids},
        "ranking": ranking,
        "winners": winners,
        "tie": tie,
        "seats": seats,
    }


def _meets(part: int, whole: int, threshold: Fraction, *, inclusive: bool) -> bool:
    """part/whole ≥ threshold (inclusive) or > threshold, in integers; nothing of nothing never passes."""
    if whole == 0:
        return False
    lhs, rhs = part * threshold.denominator, whole * threshold.numerator
    return lhs >= rhs if inclusive else lhs > rhs


def tally_yes_no(*, config: Mapping[str, Any], opinions: Iterable[str], roll_size: int) -> dict[str, Any]:
    counts = Counter({o.value: 0 for o in Opinion})
    counts.update(opinions)
    cast = sum(counts.values())
    quorum = Fraction(config["quorum"])
    threshold = Fraction(config["threshold"])
    quorum_ok = quorum == 0 or _meets(cast, roll_size, quorum, inclusive=config["quorum_inclusive"])
    passed = quorum_ok and _meets(counts[Opinion.YES], cast, threshold, inclusive=config["threshold_inclusive"])
    return {
        "rule": TallyRule.YES_NO.value,
        "roll": roll_size,
        "ballots": cast,
        "counts": {o.value: counts[o.value] for o in Opinion},
        "turnout": percent_text(cast, roll_size),
        "yes_share": percent_text(counts[Opinion.YES], cast),
        "threshold": config["threshold"],
        "threshold_inclusive": config["threshold_inclusive"],
        "quorum": config["quorum"],
        "quorum_ok": quorum_ok,
        "passed": passed,
    }


# --- the owners' assembly: Civil Code Art. 278 and SPC interpretation Arts. 8-9 -------------------------


@dataclass(frozen=True)
class Holding:
    """One exclusive part (专有部分) and who holds it: person keys, or a developer or organisation key."""

    dwelling: str
    area_dm2: int
    holders: frozenset[str]


@dataclass
class Owner:
    """One head in the Art. 278 count, with the summed area of everything it holds."""

    key: str
    holders: frozenset[str]
    area_dm2: int = 0
    dwellings: list[str] = field(default_factory=list)
    heads: int = 1


def owner_key(holders: frozenset[str]) -> str:
    """The same holders, in any order, give the same key; very long sets are hashed to fit a column."""
    text = "+".join(sorted(holders))
    if len(text) > 200:
        text = "h" + hashlib.sha256(text.encode()).hexdigest()[:40]
    return f"owner:{text}"


def group_owners(holdings: Iterable[Holding]) -> list[Owner]:
    """Heads and areas per SPC interpretation (2020) Art. 9.

    - one exclusive part counts as one owner;
    - the same buyer (同一买受人) holding several parts is one owner, their areas summed;
    - the developer's unsold parts are one owner together (they share the developer's key);
    - co-owners of a part are one owner (MOHURD 2009 rules: they name one of them to vote).

    "The same buyer" is read as the same set of holders: a person who owns 101 alone and 102 jointly with
    their spouse is two owners, one for 101 and one (with the spouse) for 102, because the buyer of 102 is
    the couple, not the person. See docs/votes.md for why.
    """
    owners: dict[frozenset[str], Owner] = {}
    seen: set[str] = set()
    for holding in holdings:
        if holding.dwelling in seen:
            raise DomainError(_("房屋“%(d)s”重复出现。") % {"d": holding.dwelling}, field="roll")
        seen.add(holding.dwelling)
        if not holding.holders:
            raise DomainError(_("房屋“%(d)s”没有产权人。") % {"d": holding.dwelling}, field="roll")
        owner = owners.setdefault(holding.holders, Owner(key=owner_key(holding.holders), holders=holding.holders))
        owner.area_dm2 += holding.area_dm2
        owner.dwellings.append(holding.dwelling)
    return sorted(owners.values(), key=lambda o: o.key)


@dataclass(frozen=True)
class Art278Result:
    matter: str
    major: bool
    total_area_dm2: int
    total_heads: int
    voted_area_dm2: int
    voted_heads: int
    participating_area_dm2: int
    participating_heads: int
    yes_area_dm2: int
    yes_heads: int
    no_area_dm2: int
    no_heads: int
    abstain_area_dm2: int
    abstain_heads: int
    quorum_area_ok: bool
    quorum_heads_ok: bool
    pass_area_ok: bool
    pass_heads_ok: bool
    follow_majority: bool
    followed_side: str  # "yes", "no" or "" when non-voters were not counted with a side
    threshold: str
    threshold_inclusive: bool

    @property
    def quorum_ok(self) -> bool:
        return self.quorum_area_ok and self.quorum_heads_ok

    @property
    def passed(self) -> bool:
        return self.quorum_ok and self.pass_area_ok and self.pass_heads_ok

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(
            rule=TallyRule.ART278.value,
            quorum_ok=self.quorum_ok,
            passed=self.passed,
            participation_area=_ratio(self.participating_area_dm2, self.total_area_dm2, area=True),
            participation_heads=_ratio(self.participating_heads, self.total_heads),
            yes_area_share=_ratio(self.yes_area_dm2, self.participating_area_dm2, area=True),
            yes_heads_share=_ratio(self.yes_heads, self.participating_heads),
        )
        return data


def _ratio(part: int, whole: int, *, area: bool = False) -> dict[str, str]:
    """The share as a reduced fraction, as written ("304.75/504.75" ㎡ or "3/4" heads) and in percent."""
    fraction = Fraction(part, whole) if whole else Fraction(0)
    exact = f"{area_text(part)}/{area_text(whole)}" if area else f"{part}/{whole}"
    return {"fraction": fraction_text(fraction), "exact": exact, "percent": percent_text(part, whole)}


def tally_art278(
    *,
    owners: Sequence[Owner],
    opinions: Mapping[str, str],
    major: bool,
    matter: str = "",
    follow_majority: bool = False,
) -> Art278Result:
    """Count an owners' assembly vote. ``opinions`` maps an owner's key to yes/no/abstain.

    Quorum: participants hold ≥ 2/3 of the area and are ≥ 2/3 of the owners. Approval, against the
    participants: ≥ 3/4 of area and owners for a major matter (Art. 278 items 6-8), > 1/2 of both otherwise.

    从众 (non-voters follow the majority) applies only when the compound's rules of procedure say so
    (MOHURD 2009 rules Art. 26(2)): owners on the roll who did not vote are then counted as taking part
    and on the side that leads among the voters on both area and heads; if neither side leads on both,
    nobody is added.
    """
    by_key = {owner.key: owner for owner in owners}
    unknown = set(opinions) - set(by_key)
    if unknown:
        raise DomainError(_("有%(n)d张选票不属于业主名册。") % {"n": len(unknown)}, field="ballots")
    area: Counter[str] = Counter()
    heads: Counter[str] = Counter()
    for key, opinion in opinions.items():
        if opinion not in Opinion.values:
            raise DomainError(_("表决意见应为同意、反对或弃权。"), field="ballots")
        area[opinion] += by_key[key].area_dm2
        heads[opinion] += by_key[key].heads
    voted_area, voted_heads = sum(area.values()), sum(heads.values())
    followed = ""
    if follow_majority:
        if area[Opinion.YES] > area[Opinion.NO] and heads[Opinion.YES] > heads[Opinion.NO]:
            followed = Opinion.YES.value
        elif area[Opinion.NO] > area[Opinion.YES] and heads[Opinion.NO] > heads[Opinion.YES]:
            followed = Opinion.NO.value
        if followed:
            for owner in owners:
                if owner.key not in opinions:
                    area[followed] += owner.area_dm2
                    heads[followed] += owner.heads
    total_area = sum(o.area_dm2 for o in owners)
    total_heads = sum(o.heads for o in owners)
    part_area, part_heads = sum(area.values()), sum(heads.values())
    threshold, inclusive = (MAJOR, True) if major else (ORDINARY, False)
    return Art278Result(
        matter=matter,
        major=major,
        total_area_dm2=total_area,
        total_heads=total_heads,
        voted_area_dm2=voted_area,
        voted_heads=voted_heads,
        participating_area_dm2=part_area,
        participating_heads=part_heads,
        yes_area_dm2=area[Opinion.YES],
        yes_heads=heads[Opinion.YES],
        no_area_dm2=area[Opinion.NO],
        no_heads=heads[Opinion.NO],
        abstain_area_dm2=area[Opinion.ABSTAIN],
        abstain_heads=heads[Opinion.ABSTAIN],
        quorum_area_ok=_meets(part_area, total_area, QUORUM, inclusive=True),
        quorum_heads_ok=_meets(part_heads, total_heads, QUORUM, inclusive=True),
        pass_area_ok=_meets(area[Opinion.YES], part_area, threshold, inclusive=inclusive),
        pass_heads_ok=_meets(heads[Opinion.YES], part_heads, threshold, inclusive=inclusive),
        follow_majority=follow_majority,
        followed_side=followed,
        threshold=fraction_text(threshold),
        threshold_inclusive=inclusive,
    )
