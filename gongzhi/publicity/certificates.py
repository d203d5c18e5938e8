"""荣誉证书: one A4 PDF per winner of a published honour campaign, with the citation the staff wrote.

Printed by the staff who ran the campaign (the paper copy gets the community's seal by hand). It carries
the name (or the building's name), the title won, the campaign and the date: never an ID number or phone.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor
from gongzhi.core.audit import audit_record
from gongzhi.core.exceptions import DomainError, NotAllowed
from gongzhi.publicity.choices_honour import CampaignPhase
from gongzhi.publicity.honour_permissions import can_manage_campaign
from gongzhi.publicity.models_honour import HonourResult


def certificate_number(result: HonourResult) -> str:
    campaign = result.category.campaign
    year = campaign.published_at.year if campaign.published_at else 0
    return f"RY{year}{campaign.pk:04d}{result.pk:05d}"


def honour_certificate_pdf(*, actor: Actor, result: HonourResult) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango costs ~0.3 s, and only this needs it

    campaign = result.category.campaign
    if not can_manage_campaign(actor, campaign):
        raise NotAllowed(_("您不能打印这次评选的证书。"))
    if campaign.phase != CampaignPhase.PUBLISHED or not result.is_winner:
        raise DomainError(_("结果公布后才能打印获评者的荣誉证书。"), field="result")
    html = render_to_string(
        "publicity/honour_certificate_pdf.html",
        {
            "r": result,
            "campaign": campaign,
            "number": certificate_number(result),
            "issuer": _("%(s)s") % {"s": campaign.scope.name},
        },
    )
    audit_record(
        actor=actor,
        action="publicity.honour_certificate",
        target=result,
        label=result.nomination.label,
        after={"number": certificate_number(result)},
    )
    return bytes(HTML(string=html).write_pdf())
