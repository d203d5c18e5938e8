"""志愿服务记录证明: issued from the certified records, printed as PDF, checkable by anyone with its code.

《志愿服务条例》 Art. 19: on a volunteer's request the organisation issues the certificate free of charge and
truthfully, from the records. 民发〔2015〕149号 lists what it carries: the volunteer's name, document type and
number (masked here, as everywhere we print), volunteer number; the hours and the service content; the issuer,
its person in charge, the handler and a contact; the certificate number, issue date and remarks. The paper
copy is stamped with the issuer's seal by hand: the PDF leaves the place for it.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections import Counter

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.two_factor import qr_code_data_uri
from gongzhi.core.actors import Actor
from gongzhi.core.audit import access_record, audit_record
from gongzhi.core.exceptions import DomainError, NotAllowed
from gongzhi.core.identity import DocumentType
from gongzhi.territory.models import Node
from gongzhi.volunteering.hours import hours_text
from gongzhi.volunteering.ledger import PICKUP_ALPHABET
from gongzhi.volunteering.models import Certificate, ServiceRecord, Volunteer
from gongzhi.volunteering.permissions import can_act_for_volunteer, can_issue_certificate

CODE_LENGTH = 16  # 80 bits: guessing a valid code is out of reach, so the public page needs no login


def verification_code_new() -> str:
    return "".join(secrets.choice(PICKUP_ALPHABET) for _i in range(CODE_LENGTH))


def verification_code_normalise(text: str) -> str:
    return re.sub(r"[\s-]", "", text).upper()


def verification_code_display(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def certificate_number(certificate: Certificate) -> str:
    return f"ZYZM{certificate.issued_on:%Y}{certificate.pk:07d}"


def issuer_name(volunteer: Volunteer) -> str:
    """The configured name, or the association of the volunteer's subdistrict (the root of the tree)."""
    if settings.GONGZHI_VOLUNTEER_ISSUER_NAME:
        return str(settings.GONGZHI_VOLUNTEER_ISSUER_NAME)
    root = Node.objects.filter(path=volunteer.person.org_path[: Node.steplen]).values_list("name", flat=True).first()
    return _("%(place)s志愿者协会") % {"place": root or ""}


def service_summary(
    *, volunteer: Volunteer, period_from: dt.date | None, period_to: dt.date | None
) -> tuple[int, int, str]:
    """(minutes, activities, content) of the certified time in the period, corrections included."""
    records = ServiceRecord.objects.filter(volunteer=volunteer)
    if period_from is not None:
        records = records.filter(service_on__gte=period_from)
    if period_to is not None:
        records = records.filter(service_on__lte=period_to)
    grouped = records.order_by().values_list("activity_id", "content").annotate(total=Sum("minutes"))
    per_activity = [(content, total) for _activity, content, total in grouped if total > 0]
    minutes = sum(total for _content, total in per_activity)
    counts = Counter(content for content, _total in per_activity)
    content = "、".join(
        _("%(content)s（%(n)d次）") % {"content": c, "n": n} for c, n in sorted(counts.items(), key=lambda x: -x[1])
    )
    return minutes, len(per_activity), content[:300]


@transaction.atomic
def certificate_issue(
    *,
    actor: Actor,
    volunteer: Volunteer,
    period_from: dt.date | None = None,
    period_to: dt.date | None = None,
    remarks: str = "",
) -> Certificate:
    """Issue a certificate of the certified service in the period (all of it by default)."""
    if not can_issue_certificate(actor, volunteer):
        raise NotAllowed(_("您不能为该志愿者开具证明。"))
    today = timezone.localdate()
    if period_from and period_to and period_from > period_to:
        raise DomainError(_("起始日期不能晚于截止日期。"), field="period_from")
    if period_to and period_to > today:
        period_to = today
    minutes, activities, content = service_summary(volunteer=volunteer, period_from=period_from, period_to=period_to)
    if minutes <= 0:
        raise DomainError(_("所选期间没有已认定的服务时长，无法开具证明。"), field="period_from")
    person = volunteer.person
    if period_from is None:
        period_from = (
            ServiceRecord.objects.filter(volunteer=volunteer)
            .order_by("service_on")
            .values_list("service_on", flat=True)
            .first()
        )
    if period_to is None:
        period_to = (
            ServiceRecord.objects.filter(volunteer=volunteer)
            .order_by("-service_on")
            .values_list("service_on", flat=True)
            .first()
        )
    self_service = can_act_for_volunteer(actor, volunteer)
    certificate = Certificate.objects.create(
        verification_code=verification_code_new(),
        volunteer=volunteer,
        issued_on=today,
        issued_by_id=actor.user_id,
        name=person.name,
        id_type_label=str(DocumentType(person.id_type).label) if person.id_type else "",
        id_masked=person.id_masked,
        volunteer_number=volunteer.number or "",
        minutes=minutes,
        activity_count=activities,
        period_from=period_from,
        period_to=period_to,
        content=content,
        issuer_name=issuer_name(volunteer)[:100],
        person_in_charge=str(settings.GONGZHI_VOLUNTEER_ISSUER_PERSON_IN_CHARGE)[:50],
        handler_name=(_("线上自助开具") if self_service else (actor.display_name or actor.username))[:50],
        issuer_contact=str(settings.GONGZHI_VOLUNTEER_ISSUER_CONTACT)[:50],
        remarks=remarks.strip()[:200],
    )
    certificate.number = certificate_number(certificate)
    certificate.save(update_fields=["number"])
    audit_record(
        actor=actor,
        action="volunteering.certificate_issue",
        target=certificate,
        after={"number": certificate.number, "volunteer": volunteer.number, "minutes": minutes},
        label=certificate.number or "",
    )
    return certificate


def certificate_find(code: str) -> Certificate | None:
    """The public check: a certificate by its verification code, or None."""
    normalised = verification_code_normalise(code)
    if len(normalised) != CODE_LENGTH:
        return None
    return Certificate.objects.filter(verification_code=normalised).first()


def certificate_pdf(*, actor: Actor, certificate: Certificate, verify_url: str) -> bytes:
    """The certificate as an A4 PDF. Staff printing someone else's certificate is logged (it shows their name
    and masked document number)."""
    from weasyprint import HTML  # imported here: loading Pango costs ~0.3 s, and only this needs it

    if not can_act_for_volunteer(actor, certificate.volunteer):
        access_record(
            actor=actor,
            action="print",
            subject_type="volunteering.certificate",
            subject_id=str(certificate.pk),
            subject_label=certificate.number or "",
            fields="name,id_masked",
            reason=_("打印志愿服务记录证明"),
        )
    html = render_to_string(
        "volunteering/certificate_pdf.html",
        {
            "c": certificate,
            "hours": hours_text(certificate.minutes),
            "code": verification_code_display(certificate.verification_code),
            "verify_url": verify_url,
            "qr": qr_code_data_uri(verify_url),
        },
    )
    return bytes(HTML(string=html).write_pdf())
