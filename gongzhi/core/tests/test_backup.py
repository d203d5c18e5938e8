"""Backup and restore round-trip on the engine under test: real sqlite3 backups, real pg_dump/pg_restore."""

from __future__ import annotations

import io
import sqlite3
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from gongzhi.core import pii
from gongzhi.core.backup import (
    BackupError,
    backup_data,
    backup_keys,
    database_view,
    drop_database,
    live_view,
    manifest_path,
    pg_tool,
    restore_data,
)
from gongzhi.registry.models import Person
from gongzhi.testing.world import JUMIN_ID

pytestmark = pytest.mark.django_db(transaction=True)
ON_POSTGRES = connection.vendor == "postgresql"


@pytest.fixture
def target(tmp_path: Path) -> Iterator[str]:
    """A database to restore into that does not exist yet; on PostgreSQL, dropped after the test."""
    if not ON_POSTGRES:
        yield str(tmp_path / "restored" / "gongzhi.sqlite3")
        return
    name = f"{connection.settings_dict['NAME']}_restored"
    drop_database(name)
    try:
        yield name
    finally:
        drop_database(name)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    (tmp_path / "restored").mkdir()
    path = tmp_path / "data"
    path.mkdir()
    return path


def _backup_text(path: Path) -> bytes:
    """The backup's content as readable bytes: the SQLite file itself, or the SQL that pg_restore would run."""
    if not ON_POSTGRES:
        return path.read_bytes()
    done = subprocess.run(  # noqa: S603
        [pg_tool("pg_restore"), "--file=-", str(path)], capture_output=True, check=True
    )
    return done.stdout


def test_backup_restores_into_a_fresh_database_with_every_table_identical(world, data_dir, target):
    out = io.StringIO()
    call_command("backup_data", str(data_dir), stdout=out)
    (backup,) = [p for p in data_dir.iterdir() if not p.name.endswith(".manifest.json")]
    assert manifest_path(backup).is_file()
    with live_view() as view:
        source = view.table_sums()
    assert source["registry_person"].rows == Person.objects.count() > 3
    assert source["registry_historicalperson"].rows > 0

    call_command("restore_data", str(backup), target, "--create", stdout=out)
    assert "行数与校验和均与清单一致" in out.getvalue()

    with database_view(target) as view:
        assert view.table_sums() == source
        cursor = view.cursor()
        cursor.execute("SELECT id, id_number, phone FROM registry_person ORDER BY id")
        restored = {pk: (pii.decrypt(i) if i else "", pii.decrypt(p) if p else "") for pk, i, p in cursor.fetchall()}
        cursor.close()
    assert restored == {p.pk: (p.id_number, p.phone) for p in Person.objects.all()}
    assert JUMIN_ID in {number for number, _phone in restored.values()}
    assert "13800001111" in {phone for _number, phone in restored.values()}


def test_manifest_counts_rows_and_its_checksums_follow_the_data(world, data_dir):
    result = backup_data(data_dir)
    person = result.manifest.tables["registry_person"]
    assert person.rows == Person.objects.count()
    assert result.manifest.key_ids == {pii.keyring().primary_id: pii_tokens()}
    Person.objects.filter(pk=world.people["jumin"].pk).update(name="居民甲乙")
    with live_view() as view:
        now = view.table_sums()
    changed = {name for name, sums in now.items() if sums != result.manifest.tables[name]}
    assert changed == {"registry_person"}


def pii_tokens() -> int:
    people = Person.objects.all()
    history = Person.history.all()
    return sum(bool(p.id_number) + bool(p.phone) for p in [*people, *history])


def test_data_backup_never_holds_the_keys(world, data_dir):
    result = backup_data(data_dir)
    content = _backup_text(result.path) + result.manifest_path.read_bytes()
    assert b"registry_person" in content
    assert f"g1:{pii.keyring().primary_id}:".encode() in content  # the tokens, which carry only a key's id
    for _key_id, key in (item.split(":", 1) for item in settings.PII_ENCRYPTION_KEYS.split(",")):
        assert key.encode() not in content
    assert settings.PII_BLIND_INDEX_KEY.encode() not in content
    assert settings.SECRET_KEY.encode() not in content


def test_key_backup_is_0600_and_refused_next_to_the_data(world, data_dir, tmp_path):
    result = backup_data(data_dir)
    with pytest.raises(BackupError, match="密钥不能写在数据备份旁边"):
        backup_keys(data_dir / "keys.env", data=[result.path])
    with pytest.raises(BackupError, match="中有数据备份"):
        backup_keys(data_dir / "keys.env")  # found by the manifest, even when not named
    assert not (data_dir / "keys.env").exists()
    vault = tmp_path / "vault"
    vault.mkdir()
    keys = backup_keys(vault / "keys.env", data=[result.path])
    assert stat.S_IMODE(keys.stat().st_mode) == 0o600
    text = keys.read_text()
    assert f"GONGZHI_PII_KEYS={settings.PII_ENCRYPTION_KEYS}\n" in text
    assert f"GONGZHI_BLIND_INDEX_KEY={settings.PII_BLIND_INDEX_KEY}\n" in text
    assert f"GONGZHI_SECRET_KEY={settings.SECRET_KEY}\n" in text
    assert sorted(p.name for p in vault.iterdir()) == ["keys.env"]  # no temporary file left behind
    # And the other way round: no data backup into the keys' directory.
    with pytest.raises(BackupError, match="中有密钥备份"):
        backup_data(vault)


def test_backup_data_with_keys_in_its_own_directory_writes_nothing(world, data_dir):
    with pytest.raises(CommandError, match="密钥不能写在数据备份旁边"):
        call_command("backup_data", str(data_dir / "b.bak"), "--keys", str(data_dir / "keys.env"))
    assert list(data_dir.iterdir()) == []


def test_restore_refuses_an_existing_target(world, data_dir, target):
    result = backup_data(data_dir)
    if ON_POSTGRES:
        with pytest.raises(BackupError, match="不存在：加 --create"):
            restore_data(result.path, target=target)
        restore_data(result.path, target=target, create=True)
        with pytest.raises(BackupError, match="已存在"):
            restore_data(result.path, target=target, create=True)
        with pytest.raises(BackupError, match="不是空的"):
            restore_data(result.path, target=target)
        with pytest.raises(BackupError, match="正在使用的数据库"):
            restore_data(result.path, target=connection.settings_dict["NAME"], create=True)
    else:
        Path(target).write_bytes(b"")
        with pytest.raises(CommandError, match="已存在"):
            call_command("restore_data", str(result.path), target)
        assert Path(target).read_bytes() == b""


def test_restore_refuses_a_corrupted_backup_and_leaves_nothing(world, data_dir, target):
    result = backup_data(data_dir)
    data = bytearray(result.path.read_bytes())
    data[-100] ^= 0xFF
    result.path.write_bytes(bytes(data))
    with pytest.raises(BackupError, match="校验和不符"):
        restore_data(result.path, target=target, create=True)
    if not ON_POSTGRES:
        assert list(Path(target).parent.iterdir()) == []


def test_restore_refuses_a_backup_of_the_other_engine(tmp_path):
    other = tmp_path / "other.bak"
    if ON_POSTGRES:
        sqlite3.connect(other).execute("CREATE TABLE t (id INTEGER PRIMARY KEY)").connection.close()
        message = "这是 SQLite 的备份，而当前配置的数据库是 PostgreSQL"
    else:
        other.write_bytes(b"PGDMP\x01\x0e\x00")
        message = "这是 PostgreSQL 的备份，而当前配置的数据库是 SQLite"
    with pytest.raises(BackupError, match=message):
        restore_data(other, target=str(tmp_path / "x"), create=True)


def test_missing_pg_tools_are_named_with_how_to_get_them(tmp_path):
    with pytest.raises(BackupError, match=f"在 {tmp_path} 中找不到 pg_dump"):
        pg_tool("pg_dump", str(tmp_path))
    if ON_POSTGRES:
        with pytest.raises(CommandError, match="找不到 pg_dump"):
            call_command("backup_data", str(tmp_path), "--pg-bin", str(tmp_path))
        assert list(tmp_path.iterdir()) == []
