"""Forms of meetings: the record and correction form (attendance is parsed from its checkboxes and reason
inputs, the service says who may be ticked) and the filters of the list and the compliance table."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.core.forms import PhotosField
from gongzhi.party.choices import MeetingKind
from gongzhi.party.forms import DATE

REASON_PREFIX = "reason-"


class MeetingForm(forms.Form):
    held_on = forms.DateField(label=_("会议日期"), widget=DATE)
    topic = forms.CharField(label=_("主题"), max_length=100)
    place = forms.CharField(label=_("地点"), max_length=100, required=False)
    lecturer = forms.CharField(label=_("授课人"), max_length=50, required=False)
    minutes = forms.CharField(label=_("会议记录"), widget=forms.Textarea(attrs={"rows": 6}))
    photos = PhotosField(label=_("照片（最多6张）"), required=False)

    def __init__(self, *args: Any, kind: str, correcting: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kind != MeetingKind.LECTURE:
            del self.fields["lecturer"]
        else:
            self.fields["lecturer"].required = True
        if correcting:
            # The day and the photos stay as recorded: the day decides the period it counts for.
            del self.fields["held_on"], self.fields["photos"]


def attendance_from(data: Mapping[str, Any]) -> tuple[list[int], dict[int, str]]:
    """The ticked member ids and the absence reasons typed beside the others, as posted. Which ids may be
    ticked is the service's rule (those entitled), so unknown ones are passed on, not dropped."""
    getlist = getattr(data, "getlist", None)
    raw = getlist("present") if getlist is not None else data.get("present", [])
    present = [int(v) for v in raw if str(v).isdigit()]
    reasons = {
        int(key[len(REASON_PREFIX) :]): str(value)
        for key, value in data.items()
        if key.startswith(REASON_PREFIX) and key[len(REASON_PREFIX) :].isdigit() and str(value).strip()
    }
    return present, reasons


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100, required=False)
