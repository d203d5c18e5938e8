"""The SMS interface. No provider is called in this repository: a provider plugs in as a backend class named
by settings.GONGZHI_SMS_BACKEND with ``send(phone, text) -> str`` (the provider's message id), raising
SmsError on a refusal. The default backend logs a line with the masked number and returns an id, so the
delivery log and retries work the same in development as they will with a provider."""

from __future__ import annotations

import hashlib
import logging
from functools import cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("gongzhi.sms")

MAX_CHARS = 300  # providers split longer texts into several billed messages


class SmsError(Exception):
    """The provider refused or could not be reached; the delivery is tried again later."""


class SmsBackend(Protocol):
    def send(self, phone: str, text: str) -> str: ...


class LoggingBackend:
    """Development: writes the message to the log (the number masked 3+4), sends nothing."""

    def send(self, phone: str, text: str) -> str:
        if not phone.isdigit() or len(phone) != 11:
            raise SmsError("not a mobile number")
        masked = f"{phone[:3]}****{phone[-4:]}"
        message_id = "log-" + hashlib.sha256(f"{phone}:{text}".encode()).hexdigest()[:16]
        logger.info("sms to %s (%d chars) id=%s", masked, len(text), message_id)
        return message_id


@cache
def backend() -> SmsBackend:
    cls = import_string(settings.GONGZHI_SMS_BACKEND)
    return cls()
