"""Form fields shared by the modules' pages."""

from __future__ import annotations

from typing import Any

from django import forms

from gongzhi.core.exceptions import DomainError


class DateInput(forms.DateInput):
    """<input type="date">, rendered in ISO yyyy-mm-dd: the browser reads nothing else, and Django would
    otherwise render the locale's first input format (2026/12/07 under zh-hans), which the browser drops,
    leaving a required date blank so the form cannot be sent."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:
        super().__init__(attrs, format or "%Y-%m-%d")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one input (a phone's camera or gallery); core.photos checks and re-encodes them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [forms.FileField.clean(self, item, initial) for item in items]


def set_choices(form: forms.Form, name: str, choices: list[tuple[Any, Any]]) -> None:
    """Offer a choice field its choices when the form is built (they depend on who is asking)."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared as one
    field.choices = choices


def cleaned_or_error(form: forms.Form) -> dict[str, Any]:
    """The form's cleaned data, or a DomainError naming its first invalid field ("标签：错误"), for the
    action views that show one refusal above the page and write nothing."""
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        label = form.fields[field].label if field in form.fields else ""
        raise DomainError(f"{label}：{errors[0]}" if label else str(errors[0]), field=field)
    data: dict[str, Any] = form.cleaned_data
    return data
