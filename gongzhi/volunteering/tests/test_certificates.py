"""志愿服务记录证明: issued from the records, printed as PDF with Chinese text, checkable by its code."""

import datetime as dt
import re
import subprocess
import tempfile
from pathlib import Path

import pytest

from gongzhi.core.exceptions import DomainError, NotAllowed
from gongzhi.core.models import AccessLog
from gongzhi.volunteering import services
from gongzhi.volunteering.certificates import (
    certificate_find,
    certificate_issue,
    certificate_pdf,
    verification_code_display,
)
from gongzhi.volunteering.testing import attend, make_activity

pytestmark = pytest.mark.django_db


def test_certificate_carries_the_fields_of_the_2015_format(vworld, world):
    c = vworld.certificate
    assert c.number == f"ZYZM{c.issued_on:%Y}{c.pk:07d}"
    assert c.name == "居民甲"
    assert (c.id_type_label, c.id_masked) == ("居民身份证", "340303********1233")
    assert c.volunteer_number == vworld.volunteer.number
    assert (c.minutes, c.activity_count) == (180, 1)
    assert c.content == "环境整治（1次）"
    assert c.issuer_name == "纬二路街道志愿者协会"
    assert c.handler_name == "线上自助开具"
    assert len(c.verification_code) == 16


def test_certificate_counts_corrections_and_the_period(vworld, actor_of, world):
    services.hours_correct(actor=actor_of("zhiyuan"), record=vworld.record, minutes=120, reason="提前一小时离开")
    earlier = vworld.activity.starts_at - dt.timedelta(days=2)
    second = make_activity(organiser=actor_of("zhiyuan"), node=world.community, title="敬老院探访", starts_at=earlier)
    second.service_content = "助老服务"
    second.save()
    attend(second, vworld.volunteer, minutes=90)
    c = certificate_issue(actor=actor_of("zhiyuan"), volunteer=vworld.volunteer)
    assert (c.minutes, c.activity_count) == (210, 2)
    assert "助老服务（1次）" in c.content and "环境整治（1次）" in c.content
    assert c.handler_name == "志愿者协会管理员"


def test_no_certified_time_no_certificate(world, actor_of, rule):
    from gongzhi.volunteering.testing import register

    volunteer = register(world.people["jumin"], actor=actor_of("jumin"))
    with pytest.raises(DomainError, match="没有已认定的服务时长"):
        certificate_issue(actor=actor_of("jumin"), volunteer=volunteer)


def test_only_the_volunteer_guardian_or_manager_issues(vworld, actor_of):
    for persona in ("shequ", "wangge_a", "outsider"):
        with pytest.raises(NotAllowed):
            certificate_issue(actor=actor_of(persona), volunteer=vworld.volunteer)


def test_verification_finds_the_certificate_by_its_code_in_any_spelling(vworld):
    code = vworld.certificate.verification_code
    assert certificate_find(verification_code_display(code).lower()) == vworld.certificate
    assert certificate_find(code[:-1] + ("2" if code[-1] != "2" else "3")) is None
    assert certificate_find("") is None


@pytest.mark.skipif(not Path("/usr/bin/pdftotext").exists(), reason="poppler-utils is not installed")
def test_pdf_has_the_chinese_name_hours_and_code_and_embeds_a_cjk_font(vworld, actor_of):
    pdf = certificate_pdf(
        actor=actor_of("jumin"), certificate=vworld.certificate, verify_url="http://testserver/volunteering/verify/"
    )
    assert pdf.startswith(b"%PDF")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "c.pdf"
        path.write_bytes(pdf)
        text = subprocess.run(  # noqa: S603 - fixed arguments, our own file
            ["/usr/bin/pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        fonts = subprocess.run(["/usr/bin/pdffonts", str(path)], capture_output=True, text=True, check=True).stdout  # noqa: S603
    compact = "".join(text.split())
    assert "志愿服务记录证明" in compact
    assert "居民甲" in compact
    assert "累计志愿服务时长3小时" in compact
    assert "340303********1233" in compact
    assert verification_code_display(vworld.certificate.verification_code) in compact
    assert re.search(r"Noto-?S(erif|ans)-?CJK-?SC.*yes", fonts), fonts  # embedded, not tofu
    assert not AccessLog.objects.exists()  # the volunteer printing their own: nothing to log


def test_staff_printing_a_certificate_is_logged(vworld, actor_of):
    certificate_pdf(actor=actor_of("zhiyuan"), certificate=vworld.certificate, verify_url="http://testserver/v/")
    log = AccessLog.objects.get()
    assert (log.action, log.subject_type, log.subject_label) == (
        "print",
        "volunteering.certificate",
        vworld.certificate.number,
    )
