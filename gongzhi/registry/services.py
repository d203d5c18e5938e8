"""Writes to the registry: registering people and households, moving in, out and house, and edits.

Every derived column of a Person (pinyin keys, ciphertexts, blind indexes, masks, birth date and sex
from the ID, the territory copies) is computed in ``person_build``, which the import and the demo seed
use too, so that a person is the same whichever door they came in by.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor, subtree_q
from gongzhi.core.audit import access_record, audit_record, changed_only, snapshot
from gongzhi.core.exceptions import DomainError, NotAllowed
from gongzhi.core.identity import DocumentType, InvalidDocument, InvalidPhone, Sex, parse_document, parse_phone
from gongzhi.core.pii import blind_index, mask_id_number, mask_phone
from gongzhi.core.pinyin import mask_name, name_keys
from gongzhi.registry.choices import PersonStatus, Relation
from gongzhi.registry.models import Dwelling, Household, Membership, Person, Residence
from gongzhi.registry.permissions import can_edit_household, can_edit_person, can_edit_registry_at, can_reveal_person
from gongzhi.territory.choices import NodeKind
from gongzhi.territory.models import Grid, Node
from gongzhi.territory.permissions import can_manage_territory

ID_PURPOSE = "id-number"
PHONE_PURPOSE = "phone"


def id_blind_index(search_key: str) -> str:
    return blind_index(ID_PURPOSE, search_key)


def phone_blind_index(normalised_phone: str) -> str:
    return blind_index(PHONE_PURPOSE, normalised_phone)


@dataclass(frozen=True)
class PersonData:
    """What a user types about a person; ``person_build`` turns it into columns."""

    name: str
    id_type: str = ""
    id_number: str = ""
    phone: str = ""
    born_on: dt.date | None = None
    sex: str = ""


def person_fields(data: PersonData, *, today: dt.date | None = None) -> dict[str, Any]:
    """Validate and derive every column of a person from what was typed. Raises DomainError per field."""
    name = " ".join(data.name.split())
    if not name:
        raise DomainError(_("姓名不能为空。"), field="name")
    if len(name) > 50:
        raise DomainError(_("姓名过长（最多50个字）。"), field="name")
    pinyin, initials = name_keys(name)
    fields: dict[str, Any] = {
        "name": name,
        "name_pinyin": pinyin[:120],
        "name_initials": initials[:30],
        "id_type": "",
        "id_number": "",
        "id_bidx": None,
        "id_masked": "",
        "phone": "",
        "phone_bidx": "",
        "phone_masked": "",
        "born_on": data.born_on,
        "sex": data.sex or Sex.UNKNOWN,
    }
    if data.id_number.strip():
        if not data.id_type:
            raise DomainError(_("请选择证件类型。"), field="id_type")
        try:
            document = parse_document(data.id_type, data.id_number, today=today)
        except InvalidDocument as exc:
            raise DomainError(str(exc), field="id_number") from exc
        fields.update(
            id_type=document.type,
            id_number=document.number,
            id_bidx=id_blind_index(document.search_key),
            id_masked=mask_id_number(document.number),
        )
        if document.birth_on is not None:
            if data.born_on is not None and data.born_on != document.birth_on:
                raise DomainError(_("出生日期与证件号码中的出生日期不一致。"), field="born_on")
            fields["born_on"] = document.birth_on
        if document.sex:
            if data.sex and data.sex != document.sex:
                raise DomainError(_("性别与证件号码不一致。"), field="sex")
            fields["sex"] = document.sex
    elif data.id_type and data.id_type != DocumentType.OTHER:
        raise DomainError(_("已选择证件类型，请填写证件号码。"), field="id_number")
    if data.phone.strip():
        try:
            phone = parse_phone(data.phone)
        except InvalidPhone as exc:
            raise DomainError(str(exc), field="phone") from exc
        fields.update(phone=phone, phone_bidx=phone_blind_index(phone), phone_masked=mask_phone(phone))
    if fields["born_on"] is not None and fields["born_on"] > (today or timezone.localdate()):
        raise DomainError(_("出生日期不能晚于今天。"), field="born_on")
    return fields


def person_build(data: PersonData, *, household: Household | None = None, today: dt.date | None = None) -> Person:
    """An unsaved Person with every derived column filled in."""
    person = Person(**person_fields(data, today=today))
    if household is not None:
        person.household = household
        person.org_path = household.org_path
        person.grid_id = household.grid_id
    return person


def _next_household_number() -> str:
    last = Household.objects.aggregate(last=Max("id"))["last"] or 0
    return f"H{last + 1:08d}"


def _ensure_edit_at(actor: Actor, *, org_path: str, grid_id: int | None) -> None:
    if not can_edit_registry_at(actor, org_path=org_path, grid_id=grid_id):
        raise NotAllowed(_("您没有在该区域登记或修改人员信息的权限。"))


def _duplicate_id_error(person_id_bidx: str | None) -> DomainError:
    existing = Person.objects.filter(id_bidx=person_id_bidx).only("id", "name", "org_path").first()
    return DomainError(
        _("该证件号码已登记（人员编号 %(id)s），请勿重复登记。") % {"id": existing.pk if existing else "?"},
        field="id_number",
    )


@transaction.atomic
def household_register(
    *, actor: Actor, dwelling: Dwelling, head: PersonData, moved_in_on: dt.date | None = None
) -> Household:
    """Register a new household in a dwelling with its head of household."""
    _ensure_edit_at(actor, org_path=dwelling.org_path, grid_id=dwelling.grid_id)
    moved_in_on = moved_in_on or timezone.localdate()
    household = Household.objects.create(
        number=_next_household_number(),
        dwelling=dwelling,
        org_path=dwelling.org_path,
        grid_id=dwelling.grid_id,
        registered_on=moved_in_on,
    )
    Residence.objects.create(household=household, dwelling=dwelling, moved_in_on=moved_in_on)
    head_person = person_register(
        actor=actor, data=head, household=household, relation=Relation.HEAD, joined_on=moved_in_on
    )
    household.head = head_person
    household.save(update_fields=["head", "updated_at"])
    audit_record(
        actor=actor,
        action="registry.household_register",
        target=household,
        label=household.number,
        after={"dwelling": dwelling.pk, "head": head_person.pk},
    )
    return household


@transaction.atomic
def person_register(
    *,
    actor: Actor,
    data: PersonData,
    household: Household | None = None,
    relation: str = Relation.OTHER,
    joined_on: dt.date | None = None,
) -> Person:
    """Register a person, as a member of ``household`` when given."""
    if household is not None:
        _ensure_edit_at(actor, org_path=household.org_path, grid_id=household.grid_id)
    elif not actor.is_system:
        raise NotAllowed(_("登记人员时请选择其所在的户。"))
    person = person_build(data, household=household)
    if person.id_bidx and Person.objects.filter(id_bidx=person.id_bidx).exists():
        raise _duplicate_id_error(person.id_bidx)
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as exc:  # a concurrent registration of the same ID won the race
        raise _duplicate_id_error(person.id_bidx) from exc
    if household is not None:
        _membership_start(
            person=person, household=household, relation=relation, joined_on=joined_on or timezone.localdate()
        )
    audit_record(
        actor=actor, action="registry.person_register", target=person, after=snapshot(person), label=f"#{person.pk}"
    )
    return person


def _membership_start(*, person: Person, household: Household, relation: str, joined_on: dt.date) -> Membership:
    if (
        relation == Relation.HEAD
        and household.memberships.filter(relation=Relation.HEAD, left_on__isnull=True).exists()
    ):
        raise DomainError(_("该户已有户主，请先变更原户主的关系。"), field="relation")
    return Membership.objects.create(person=person, household=household, relation=relation, joined_on=joined_on)


def _membership_end(*, person: Person, left_on: dt.date, reason: str) -> Membership | None:
    current = Membership.objects.filter(person=person, left_on__isnull=True).select_related("household").first()
    if current is None:
        return None
    if left_on < current.joined_on:
        raise DomainError(_("迁出日期不能早于迁入日期（%(date)s）。") % {"date": current.joined_on}, field="moved_on")
    current.left_on = left_on
    current.left_reason = reason
    current.save(update_fields=["left_on", "left_reason"])
    if current.relation == Relation.HEAD:
        Household.objects.filter(pk=current.household_id, head=person).update(head=None)
    return current


@transaction.atomic
def person_move_in(
    *, actor: Actor, person: Person, household: Household, relation: str, moved_on: dt.date | None = None
) -> Person:
    """Move a person into a household (from another household, or back after moving out)."""
    _ensure_edit_at(actor, org_path=household.org_path, grid_id=household.grid_id)
    if person.household_id == household.pk:
        raise DomainError(_("该人员已是本户成员。"), field="person")
    if not household.is_active:
        raise DomainError(_("该户已注销，不能迁入。"), field="household")
    moved_on = moved_on or timezone.localdate()
    before = snapshot(person, ["household", "org_path", "grid", "status"])
    _membership_end(person=person, left_on=moved_on, reason=_("迁入其他户"))
    _membership_start(person=person, household=household, relation=relation, joined_on=moved_on)
    if relation == Relation.HEAD:
        Household.objects.filter(pk=household.pk).update(head=person)
    person.household = household
    person.org_path = household.org_path
    person.grid_id = household.grid_id
    person.status = PersonStatus.RESIDENT
    person.save(update_fields=["household", "org_path", "grid", "status", "updated_at"])
    audit_record(
        actor=actor,
        action="registry.person_move_in",
        target=person,
        label=f"#{person.pk}",
        before=before,
        after=snapshot(person, ["household", "org_path", "grid", "status"]),
    )
    return person


@transaction.atomic
def person_move_out(
    *, actor: Actor, person: Person, moved_on: dt.date | None = None, reason: str = "", deceased: bool = False
) -> Person:
    """A person leaves their household: moved away, or deceased. History stays in the membership rows."""
    if not can_edit_person(actor, person):
        raise NotAllowed(_("您没有修改该人员信息的权限。"))
    if person.status != PersonStatus.RESIDENT:
        raise DomainError(_("该人员已不在住。"), field="person")
    moved_on = moved_on or timezone.localdate()
    if moved_on > timezone.localdate():
        raise DomainError(_("迁出日期不能晚于今天。"), field="moved_on")
    reason = reason.strip() or (_("死亡") if deceased else _("迁出"))
    before = snapshot(person, ["household", "status"])
    _membership_end(person=person, left_on=moved_on, reason=reason)
    person.household = None
    person.status = PersonStatus.DECEASED if deceased else PersonStatus.MOVED_OUT
    # org_path and grid stay: the last place is where staff look for them.
    person.save(update_fields=["household", "status", "updated_at"])
    audit_record(
        actor=actor,
        action="registry.person_move_out",
        target=person,
        label=f"#{person.pk}",
        before=before,
        after={**snapshot(person, ["household", "status"]), "reason": reason},
    )
    return person


@transaction.atomic
def household_move(
    *, actor: Actor, household: Household, dwelling: Dwelling, moved_on: dt.date | None = None
) -> Household:
    """The whole household moves house: a new residence row, and every member's place copies follow."""
    if not can_edit_household(actor, household):
        raise NotAllowed(_("您没有修改该户信息的权限。"))
    _ensure_edit_at(actor, org_path=dwelling.org_path, grid_id=dwelling.grid_id)
    if household.dwelling_id == dwelling.pk:
        raise DomainError(_("新住址与原住址相同。"), field="dwelling")
    moved_on = moved_on or timezone.localdate()
    current = Residence.objects.filter(household=household, moved_out_on__isnull=True).first()
    if current is not None:
        if moved_on < current.moved_in_on:
            raise DomainError(
                _("搬家日期不能早于入住日期（%(date)s）。") % {"date": current.moved_in_on}, field="moved_on"
            )
        current.moved_out_on = moved_on
        current.save(update_fields=["moved_out_on"])
    Residence.objects.create(household=household, dwelling=dwelling, moved_in_on=moved_on)
    before = {"dwelling": household.dwelling_id, "grid": household.grid_id}
    household.dwelling = dwelling
    household.org_path = dwelling.org_path
    household.grid_id = dwelling.grid_id
    household.save(update_fields=["dwelling", "org_path", "grid", "updated_at"])
    Person.objects.filter(household=household).update(org_path=dwelling.org_path, grid_id=dwelling.grid_id)
    audit_record(
        actor=actor,
        action="registry.household_move",
        target=household,
        label=household.number,
        before=before,
        after={"dwelling": dwelling.pk, "grid": dwelling.grid_id},
    )
    return household


EDITABLE_PERSON_FIELDS = ("name", "id_type", "id_number", "phone", "born_on", "sex")


@transaction.atomic
def person_update(*, actor: Actor, person: Person, data: PersonData) -> Person:
    """Correct a person's details; the old values go to history (ciphertext only) and the audit trail."""
    if not can_edit_person(actor, person):
        raise NotAllowed(_("您没有修改该人员信息的权限。"))
    fields = person_fields(data)
    if fields["id_bidx"] and Person.objects.filter(id_bidx=fields["id_bidx"]).exclude(pk=person.pk).exists():
        raise _duplicate_id_error(fields["id_bidx"])
    before = snapshot(person)
    for key, value in fields.items():
        setattr(person, key, value)
    person.save()
    changed_before, changed_after = changed_only(before, snapshot(person))
    if changed_after:
        audit_record(
            actor=actor,
            action="registry.person_update",
            target=person,
            label=f"#{person.pk}",
            before=changed_before,
            after=changed_after,
        )
    return person


@transaction.atomic
def building_assign_grid(*, actor: Actor, building: Node, grid: Grid) -> Node:
    """Put a building in a grid of its own community; its units and every registry row below follow."""
    if not can_manage_territory(actor, building):
        raise NotAllowed(_("只有街道干部可以维护区域和网格。"))
    if building.kind != NodeKind.BUILDING:
        raise DomainError(_("只有楼栋可以划入网格。"), field="building")
    if not building.path.startswith(grid.org_path):
        raise DomainError(_("楼栋与网格不属于同一社区：一个网格只能属于一个社区。"), field="grid")
    before = {"grid": building.grid_id}
    below = subtree_q("path", building.path)
    Node.objects.filter(below).update(grid=grid)
    registry_rows = subtree_q("org_path", building.path)
    for model in (Dwelling, Household, Person):
        model.objects.filter(registry_rows).update(grid=grid)
    building.refresh_from_db()
    audit_record(
        actor=actor,
        action="territory.building_assign_grid",
        target=building,
        label=building.name,
        before=before,
        after={"grid": grid.pk},
    )
    return building


REVEALABLE_FIELDS = {"id_number": _("证件号码"), "phone": _("联系电话")}
MIN_REASON_LENGTH = 4


@transaction.atomic
def person_reveal(*, actor: Actor, person: Person, fields: list[str], reason: str) -> dict[str, str]:
    """Show a person's full ID number and/or phone, once, for a stated reason; every reveal is logged."""
    if not can_reveal_person(actor, person):
        raise NotAllowed(_("您无权查看该人员的完整信息（需要相应职责，并完成双因素认证）。"))
    fields = [f for f in fields if f in REVEALABLE_FIELDS]
    if not fields:
        raise DomainError(_("请选择要查看的信息。"), field="fields")
    reason = " ".join(reason.split())
    if len(reason) < MIN_REASON_LENGTH:
        raise DomainError(_("请填写查看原因（至少%(n)d个字）。") % {"n": MIN_REASON_LENGTH}, field="reason")
    access_record(
        actor=actor,
        action="reveal",
        subject_type="registry.person",
        subject_id=str(person.pk),
        subject_label=mask_name(person.name),
        fields=",".join(fields),
        reason=reason,
    )
    return {field: getattr(person, field) or "" for field in fields}
