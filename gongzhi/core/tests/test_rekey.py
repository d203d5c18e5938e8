"""Key rotation: a new personal-data key, every token re-encrypted in batches, resumable, the old key freed."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.test import override_settings

from gongzhi.core import pii
from gongzhi.core.pii import EncryptedTextField, generate_key
from gongzhi.core.rekey import Batch, RotationError, key_id_totals, rotate, token_counts
from gongzhi.registry.models import Person
from gongzhi.robots.choices import RobotKind
from gongzhi.robots.models import RobotChannel
from gongzhi.testing.world import build_world

OLD = generate_key()
NEW = generate_key()


class Crash(Exception):
    """What a killed process looks like to the rotation: it stops between two batches."""


@pytest.fixture(autouse=True)
def _fresh_keys():
    pii.reset_key_cache()
    yield
    pii.reset_key_cache()


def _keys(value: str) -> Any:
    pii.reset_key_cache()
    return override_settings(PII_ENCRYPTION_KEYS=value)


def _plaintexts() -> dict[tuple[str, Any, str], str]:
    """Every encrypted value of every model (history tables included), decrypted through the model field."""
    values = {}
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                for pk, value in model._default_manager.values_list("pk", field.name):
                    values[(model._meta.label, pk, field.name)] = value
    return values


def _seed_under_old_key() -> dict[tuple[str, Any, str], str]:
    with _keys(f"old:{OLD}"):
        world = build_world()
        RobotChannel.objects.create(
            community=world.community,
            name="物业工作群",
            kind=RobotKind.DINGTALK,
            webhook_url="https://oapi.dingtalk.com/robot/send?access_token=abc123",
            secret="SEC0123456789",
        )
        values = _plaintexts()
    pii.reset_key_cache()
    return values


def test_rotation_resumes_after_a_crash_and_then_the_old_key_can_be_removed(db):
    originals = _seed_under_old_key()
    assert sum(1 for v in originals.values() if v) > 10
    history_rows = Person.history.count()

    with _keys(f"new:{NEW},old:{OLD}"):
        before = key_id_totals(token_counts())
        assert set(before) == {"old"}

        def crash_after_first(batch: Batch) -> None:
            raise Crash(batch)

        with pytest.raises(Crash) as crashed:
            rotate(batch_size=2, on_batch=crash_after_first)
        first: Batch = crashed.value.args[0]
        assert first.done == 2
        middle = key_id_totals(token_counts())
        # The first batch was committed before the crash; nothing after it was.
        assert middle["new"] == first.tokens > 0
        assert middle["old"] == before["old"] - first.tokens

        batches: list[Batch] = []
        rotation = rotate(batch_size=2, on_batch=batches.append)
        assert len(batches) > 3
        assert rotation.tokens == middle["old"]
        assert key_id_totals(token_counts()) == {"new": before["old"]}
        out = io.StringIO()
        call_command("rotate_pii_key", "--check", stdout=out)
        assert "密钥 old：0 个密文，可以从 GONGZHI_PII_KEYS 中删除" in out.getvalue()
        # A finished rotation has nothing left to do.
        assert rotate(batch_size=2).batches == 0

    with _keys(f"new:{NEW}"):
        assert _plaintexts() == originals
    # Rotation is not an edit of the person: no history rows are added.
    assert Person.history.count() == history_rows


def test_rotate_command_reports_progress_and_check_counts_the_old_key_until_done(db):
    _seed_under_old_key()
    with _keys(f"new:{NEW},old:{OLD}"):
        out = io.StringIO()
        call_command("rotate_pii_key", "--check", stdout=out)
        assert "密钥 old：仍有" in out.getvalue()
        assert "暂不能删除" in out.getvalue()
        out = io.StringIO()
        call_command("rotate_pii_key", "--batch-size", "3", stdout=out)
        text = out.getvalue()
        assert "registry.Person: 3/" in text
        assert "密钥 old：0 个密文" in text


def test_rotation_stops_with_a_clear_message_when_a_token_key_is_missing(db):
    _seed_under_old_key()
    with _keys(f"new:{NEW}"):
        with pytest.raises(RotationError) as error:
            rotate(batch_size=5)
        assert error.value.key_id == "old"
        with pytest.raises(CommandError, match="密文属于密钥 'old'"):
            call_command("rotate_pii_key")
        assert "new" not in key_id_totals(token_counts())
