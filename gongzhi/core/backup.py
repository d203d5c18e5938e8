"""Backups of the database, and of the keys apart from it (MLPS level 3 "backup and restore").

- SQLite: the online backup API copies the live database page by page in one step, so the copy is one
  consistent state even while the application writes (WAL lets the writers go on).
- PostgreSQL: pg_dump in custom format, run on a snapshot exported by our own REPEATABLE READ transaction;
  the manifest's row counts and checksums are computed in that same transaction, so they describe exactly
  the rows in the dump.

Each data backup has a manifest next to it (FILE.manifest.json): per-table row counts and checksums (SHA-256
over the rows in primary-key order), the file's own SHA-256, and how many personal-data tokens each key id
holds, i.e. which keys a restore needs. The keys themselves are never in a data backup: backup_keys writes
them to a separate 0600 file and refuses a place next to the data.

Every file is written under a temporary name and renamed when complete: an interrupted backup leaves no
file that looks finished.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import glob
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import gettext as _

from gongzhi.core import pii, rekey

MANIFEST_FORMAT = "gongzhi-backup/1"
MANIFEST_SUFFIX = ".manifest.json"
SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
KEY_SETTINGS = (
    ("GONGZHI_SECRET_KEY", "SECRET_KEY"),
    ("GONGZHI_PII_KEYS", "PII_ENCRYPTION_KEYS"),
    ("GONGZHI_BLIND_INDEX_KEY", "PII_BLIND_INDEX_KEY"),
)
KEYS_HEADER = "# Gongzhi key backup"


class BackupError(Exception):
    """An operator's error, with a message in Chinese that says what to do."""


# --- table checksums --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TableSum:
    rows: int
    sha256: str


class _View:
    """A read-only, consistent view of one database: its tables, their checksums, its tokens' key ids."""

    vendor: str

    def tables(self) -> list[str]:
        raise NotImplementedError

    def rows(self, table: str) -> Iterator[bytes]:
        raise NotImplementedError

    def cursor(self) -> Any:
        raise NotImplementedError

    def table_sums(self) -> dict[str, TableSum]:
        sums = {}
        for table in self.tables():
            digest = hashlib.sha256()
            count = 0
            for row in self.rows(table):
                digest.update(row)
                digest.update(b"\n")
                count += 1
            sums[table] = TableSum(count, digest.hexdigest())
        return sums

    def key_ids(self) -> dict[str, int]:
        cursor = self.cursor()
        try:
            return rekey.key_id_totals(rekey.key_id_counts(cursor, self.vendor, _quote))
        finally:
            cursor.close()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class _SqliteView(_View):
    vendor = "sqlite"

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def cursor(self) -> Any:
        return self.conn.cursor()

    def tables(self) -> list[str]:
        found = self.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
        return [name for (name,) in found]

    def rows(self, table: str) -> Iterator[bytes]:
        columns = self.conn.execute(f"PRAGMA table_info({_quote(table)})").fetchall()
        keyed = sorted((c for c in columns if c[5]), key=lambda c: c[5])
        order = ", ".join(_quote(c[1]) for c in (keyed or columns))
        # "+column" is the same value without its declared type, so that the converters Django registers on
        # its connection (dates, decimals) do not apply: values stay int, float, str, bytes or None, whose
        # repr is exact and the same on any connection.
        select = ", ".join("+" + _quote(c[1]) for c in columns)
        for row in self.conn.execute(f"SELECT {select} FROM {_quote(table)} ORDER BY {order}"):  # noqa: S608
            yield repr(row).encode()


class _PostgresView(_View):
    vendor = "postgresql"

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn
        # Row text depends on these session settings; fixing them makes checksums comparable across servers.
        for setting in (
            "SET TIME ZONE 'UTC'",
            "SET DateStyle = 'ISO, YMD'",
            "SET IntervalStyle = 'postgres'",
            "SET extra_float_digits = 1",
            "SET bytea_output = 'hex'",
        ):
            conn.execute(setting)

    def cursor(self) -> Any:
        return self.conn.cursor()

    def tables(self) -> list[str]:
        found = self.conn.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition "
            'ORDER BY c.relname COLLATE "C"'
        )
        return [name for (name,) in found]

    def rows(self, table: str) -> Iterator[bytes]:
        keyed = self.conn.execute(
            "SELECT a.attname, t.typcategory = 'S' FROM pg_index i "
            "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
            "JOIN pg_type t ON t.oid = a.atttypid "
            "WHERE i.indrelid = %s::regclass AND i.indisprimary "
            "ORDER BY array_position(i.indkey::int2[], a.attnum)",
            [_quote(table)],
        ).fetchall()
        # Text keys in byte order, so that a server with another default collation orders them the same.
        order = ", ".join(_quote(name) + (' COLLATE "C"' if is_text else "") for name, is_text in keyed)
        order = order or 't::text COLLATE "C"'
        with self.conn.cursor(name="gongzhi_backup_rows") as cursor:
            cursor.itersize = 2000
            cursor.execute(f"SELECT t::text FROM {_quote(table)} AS t ORDER BY {order}")  # noqa: S608
            for (text,) in cursor:
                yield text.encode()


# --- connections ------------------------------------------------------------------------------------------


def _engine() -> str:
    return str(connections[DEFAULT_DB_ALIAS].vendor)


def _pg_params(dbname: str | None = None) -> dict[str, str]:
    conf = connections[DEFAULT_DB_ALIAS].settings_dict
    params = {"dbname": dbname or conf["NAME"], "host": conf["HOST"], "port": str(conf["PORT"]), "user": conf["USER"]}
    if conf["PASSWORD"]:
        params["password"] = conf["PASSWORD"]
    return {k: v for k, v in params.items() if v}


def _pg_env() -> dict[str, str]:
    env = dict(os.environ)
    password = connections[DEFAULT_DB_ALIAS].settings_dict["PASSWORD"]
    if password:
        env["PGPASSWORD"] = password
    return env


def _pg_args(params: dict[str, str]) -> list[str]:
    args = ["--no-password"]
    for option, key in (("--host", "host"), ("--port", "port"), ("--username", "user")):
        if key in params:
            args += [option, params[key]]
    return args


@contextlib.contextmanager
def _pg_snapshot(dbname: str | None = None) -> Iterator[tuple[psycopg.Connection[Any], str]]:
    """A read-only REPEATABLE READ transaction and the id of its exported snapshot."""
    with psycopg.connect(**_pg_params(dbname)) as conn:  # type: ignore[arg-type]
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        row = conn.execute("SELECT pg_export_snapshot()").fetchone()
        assert row is not None  # noqa: S101
        try:
            yield conn, row[0]
        finally:
            conn.rollback()


@contextlib.contextmanager
def live_view() -> Iterator[_View]:
    """The configured database, as one consistent state (for the round-trip test and for checks)."""
    if _engine() == "postgresql":
        with _pg_snapshot() as (conn, _snapshot):
            yield _PostgresView(conn)
    else:
        connection = connections[DEFAULT_DB_ALIAS]
        connection.ensure_connection()
        yield _SqliteView(connection.connection)


@contextlib.contextmanager
def database_view(target: str) -> Iterator[_View]:
    """A restored database: an SQLite file path, or a PostgreSQL database name on the configured server."""
    if _engine() == "postgresql":
        with _pg_snapshot(target) as (conn, _snapshot):
            yield _PostgresView(conn)
    else:
        copy = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
        try:
            yield _SqliteView(copy)
        finally:
            copy.close()


def pg_tool(name: str, pg_bin: str | None = None) -> str:
    """The path of pg_dump or pg_restore: --pg-bin, else PATH, else the newest /usr/lib/postgresql/N/bin."""
    if pg_bin:
        candidate = Path(pg_bin) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
        raise BackupError(_("在 %(dir)s 中找不到 %(tool)s。") % {"dir": pg_bin, "tool": name})
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(Path(p).parts[-3]))
    if versions:
        return versions[-1]
    raise BackupError(
        _("找不到 %(tool)s：请安装 PostgreSQL 客户端（apt-get install postgresql-client-15），") % {"tool": name}
        + _("或用 --pg-bin 指定其目录。")
    )


def _run(command: list[str], what: str) -> None:
    done = subprocess.run(command, env=_pg_env(), capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(_("%(what)s 失败：%(error)s") % {"what": what, "error": done.stderr.strip()})


# --- files ------------------------------------------------------------------------------------------------


def manifest_path(backup: Path) -> Path:
    return backup.with_name(backup.name + MANIFEST_SUFFIX)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _temp_beside(path: Path) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    return Path(name)


def _publish(temp: Path, path: Path) -> None:
    """Make a finished temporary file appear under its real name, durably."""
    with temp.open("rb") as f:
        os.fsync(f.fileno())
    os.replace(temp, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _check_new(path: Path) -> None:
    if path.exists():
        raise BackupError(_("%(path)s 已存在：备份不覆盖已有文件，请换一个文件名。") % {"path": path})
    if not path.parent.is_dir():
        raise BackupError(_("目录 %(dir)s 不存在。") % {"dir": path.parent})


def default_name(engine: str, now: dt.datetime) -> str:
    suffix = "sqlite3" if engine == "sqlite" else "dump"
    return f"gongzhi-{engine}-{now:%Y%m%d-%H%M%S}.{suffix}"


# --- data backup ------------------------------------------------------------------------------------------


@dataclass
class Manifest:
    engine: str
    created_at: str
    file: str
    file_sha256: str
    file_bytes: int
    tables: dict[str, TableSum]
    key_ids: dict[str, int]
    format: str = MANIFEST_FORMAT

    def to_json(self) -> str:
        data = {
            "format": self.format,
            "engine": self.engine,
            "created_at": self.created_at,
            "file": self.file,
            "file_sha256": self.file_sha256,
            "file_bytes": self.file_bytes,
            # Which personal-data keys a restore needs: key id → number of tokens under it. Ids only.
            "pii_key_ids": self.key_ids,
            "tables": {name: {"rows": s.rows, "sha256": s.sha256} for name, s in sorted(self.tables.items())},
        }
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def read(cls, path: Path) -> Manifest:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise BackupError(_("找不到清单 %(path)s：没有清单无法校验备份。") % {"path": path}) from exc
        except ValueError as exc:
            raise BackupError(_("清单 %(path)s 不是有效的 JSON。") % {"path": path}) from exc
        if data.get("format") != MANIFEST_FORMAT:
            raise BackupError(_("%(path)s 不是共治的备份清单。") % {"path": path})
        return cls(
            engine=data["engine"],
            created_at=data["created_at"],
            file=data["file"],
            file_sha256=data["file_sha256"],
            file_bytes=data["file_bytes"],
            tables={name: TableSum(t["rows"], t["sha256"]) for name, t in data["tables"].items()},
            key_ids=data["pii_key_ids"],
        )


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest_path: Path
    manifest: Manifest


def backup_data(output: Path, *, pg_bin: str | None = None, now: dt.datetime | None = None) -> BackupResult:
    """Back the configured database up to output (a file, or a directory to name one in)."""
    now = now or dt.datetime.now(tz=dt.UTC)
    engine = _engine()
    path = output / default_name(engine, now) if output.is_dir() else output
    _check_new(path)
    _check_new(manifest_path(path))
    _refuse_key_backup_beside(path)
    temp = _temp_beside(path)
    try:
        if engine == "postgresql":
            sums, key_ids = _pg_dump(temp, pg_bin)
        else:
            sums, key_ids = _sqlite_backup(temp)
        manifest = Manifest(
            engine=engine,
            created_at=now.isoformat(timespec="seconds"),
            file=path.name,
            file_sha256=file_sha256(temp),
            file_bytes=temp.stat().st_size,
            tables=sums,
            key_ids=key_ids,
        )
        temp_manifest = _temp_beside(manifest_path(path))
        try:
            temp_manifest.write_text(manifest.to_json(), encoding="utf-8")
            _publish(temp, path)
            _publish(temp_manifest, manifest_path(path))
        finally:
            temp_manifest.unlink(missing_ok=True)
    finally:
        temp.unlink(missing_ok=True)
    return BackupResult(path, manifest_path(path), manifest)


def _sqlite_backup(temp: Path) -> tuple[dict[str, TableSum], dict[str, int]]:
    connection = connections[DEFAULT_DB_ALIAS]
    connection.ensure_connection()
    target = sqlite3.connect(temp)
    try:
        # pages=-1 (the default): one step, so the copy is a single state of the source.
        connection.connection.backup(target)
        # The copy inherits WAL mode; a backup must be one self-contained file.
        target.execute("PRAGMA journal_mode=DELETE")
        view = _SqliteView(target)
        return view.table_sums(), view.key_ids()
    finally:
        target.close()


def _pg_dump(temp: Path, pg_bin: str | None) -> tuple[dict[str, TableSum], dict[str, int]]:
    tool = pg_tool("pg_dump", pg_bin)
    params = _pg_params()
    with _pg_snapshot() as (conn, snapshot):
        _run(
            [
                tool,
                *_pg_args(params),
                "--format=custom",
                f"--snapshot={snapshot}",
                "--file",
                str(temp),
                params["dbname"],
            ],
            "pg_dump",
        )
        view = _PostgresView(conn)
        return view.table_sums(), view.key_ids()


# --- restore ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RestoreResult:
    target: str
    tables: int
    rows: int
    missing_keys: list[str]


def backup_engine(path: Path) -> str:
    with path.open("rb") as f:
        head = f.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    raise BackupError(_("%(path)s 既不是 SQLite 备份，也不是 pg_dump 自定义格式的备份。") % {"path": path})


def restore_data(backup: Path, *, target: str, create: bool = False, pg_bin: str | None = None) -> RestoreResult:
    """Restore a backup into a new database and check it against the manifest, table by table.

    SQLite: target is a new file. PostgreSQL: target is a database on the configured server, created when
    create is set, otherwise existing and empty. A restore that fails or does not match leaves nothing."""
    if not backup.is_file():
        raise BackupError(_("找不到备份文件 %(path)s。") % {"path": backup})
    engine = backup_engine(backup)
    if engine != _engine():
        raise BackupError(
            _("这是 %(backup)s 的备份，而当前配置的数据库是 %(current)s（GONGZHI_DB）：请在同类数据库上恢复。")
            % {"backup": ENGINE_NAMES[engine], "current": ENGINE_NAMES.get(_engine(), _engine())}
        )
    manifest = Manifest.read(manifest_path(backup))
    if file_sha256(backup) != manifest.file_sha256:
        raise BackupError(_("备份文件 %(path)s 与清单中的校验和不符：文件已损坏或被改动。") % {"path": backup})
    if engine == "postgresql":
        _pg_restore(backup, target, manifest, create=create, pg_bin=pg_bin)
    else:
        _sqlite_restore(backup, Path(target), manifest)
    missing = sorted(set(manifest.key_ids) - set(pii.keyring().keys))
    return RestoreResult(
        target, len(manifest.tables), sum(t.rows for t in manifest.tables.values()), [k for k in missing if k != "?"]
    )


def _verify(view: _View, manifest: Manifest) -> None:
    found = view.table_sums()
    wrong = sorted(name for name in set(found) | set(manifest.tables) if found.get(name) != manifest.tables.get(name))
    if wrong:
        raise BackupError(
            _("恢复结果与清单不符（%(n)s 张表）：%(tables)s。") % {"n": len(wrong), "tables": ", ".join(wrong[:10])}
        )


def _sqlite_restore(backup: Path, target: Path, manifest: Manifest) -> None:
    if target.exists():
        raise BackupError(_("目标数据库 %(path)s 已存在：只恢复到新文件，不覆盖已有数据库。") % {"path": target})
    if not target.parent.is_dir():
        raise BackupError(_("目录 %(dir)s 不存在。") % {"dir": target.parent})
    temp = _temp_beside(target)
    try:
        source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
        copy = sqlite3.connect(temp)
        try:
            source.backup(copy)
            (check,) = copy.execute("PRAGMA integrity_check").fetchone()
            if check != "ok":
                raise BackupError(_("恢复出的数据库未通过完整性检查：%(detail)s") % {"detail": check})
            _verify(_SqliteView(copy), manifest)
        finally:
            copy.close()
            source.close()
        _publish(temp, target)
    finally:
        temp.unlink(missing_ok=True)


def _maintenance() -> psycopg.Connection[Any]:
    return psycopg.connect(**_pg_params("postgres"), autocommit=True)  # type: ignore[arg-type]


def database_exists(name: str) -> bool:
    with _maintenance() as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def drop_database(name: str) -> None:
    with _maintenance() as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {_quote(name)} WITH (FORCE)")


def _pg_restore(backup: Path, target: str, manifest: Manifest, *, create: bool, pg_bin: str | None) -> None:
    tool = pg_tool("pg_restore", pg_bin)
    if target == connections[DEFAULT_DB_ALIAS].settings_dict["NAME"]:
        raise BackupError(_("不能恢复到正在使用的数据库 %(name)s：请恢复到一个新数据库。") % {"name": target})
    exists = database_exists(target)
    if create and exists:
        raise BackupError(_("目标数据库 %(name)s 已存在：只恢复到新数据库，不覆盖已有数据。") % {"name": target})
    if not create:
        if not exists:
            raise BackupError(_("目标数据库 %(name)s 不存在：加 --create 以新建它。") % {"name": target})
        with psycopg.connect(**_pg_params(target)) as conn:  # type: ignore[arg-type]
            tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()").fetchone()
        if tables and tables[0]:
            raise BackupError(_("目标数据库 %(name)s 不是空的：只恢复到空数据库。") % {"name": target})
    if create:
        with _maintenance() as conn:
            conn.execute(f"CREATE DATABASE {_quote(target)}")
    try:
        params = _pg_params(target)
        # One transaction: a failed restore leaves the database as empty as it was.
        _run(
            [
                tool,
                *_pg_args(params),
                "--single-transaction",
                "--exit-on-error",
                "--no-owner",
                "--dbname",
                target,
                str(backup),
            ],
            "pg_restore",
        )
        with database_view(target) as view:
            _verify(view, manifest)
    except BaseException:
        if create:
            drop_database(target)
        raise


# --- keys -------------------------------------------------------------------------------------------------


def _is_data_backup_dir(directory: Path) -> Path | None:
    for candidate in sorted(directory.glob(f"*{MANIFEST_SUFFIX}")):
        with contextlib.suppress(OSError, ValueError):
            if json.loads(candidate.read_text(encoding="utf-8")).get("format") == MANIFEST_FORMAT:
                return candidate
    return None


def _is_key_backup(path: Path) -> bool:
    try:
        return path.is_file() and path.stat().st_size < 4096 and path.read_text("utf-8").startswith(KEYS_HEADER)
    except (OSError, UnicodeDecodeError):
        return False


def _refuse_key_backup_beside(data: Path) -> None:
    for sibling in sorted(data.parent.iterdir()) if data.parent.is_dir() else []:
        if _is_key_backup(sibling):
            raise BackupError(
                _("目录 %(dir)s 中有密钥备份 %(keys)s：数据备份必须与密钥分开存放。")
                % {"dir": data.parent, "keys": sibling.name}
            )


def check_keys_apart(keys: Path, data: list[Path]) -> None:
    """Refuse a key file in, beside or inside a data backup: whoever has both reads every ID number."""
    keys = keys.resolve()
    for item in data:
        item = item.resolve()
        place = item if item.is_dir() else item.parent
        if keys == item or keys.parent == place or place in keys.parents:
            raise BackupError(
                _("密钥不能写在数据备份旁边或里面（%(data)s）：请写到另一个位置，最好是另一台机器或介质。")
                % {"data": item}
            )
    beside = _is_data_backup_dir(keys.parent)
    if beside is not None:
        raise BackupError(
            _("目录 %(dir)s 中有数据备份（%(manifest)s）：密钥必须与数据分开存放。")
            % {"dir": keys.parent, "manifest": beside.name}
        )


def backup_keys(output: Path, *, data: list[Path] | None = None, now: dt.datetime | None = None) -> Path:
    """Write the key material to output, mode 0600, in the format of var/secrets.env."""
    now = now or dt.datetime.now(tz=dt.UTC)
    _check_new(output)
    check_keys_apart(output, data or [])
    values = {name: str(getattr(settings, setting, "") or "") for name, setting in KEY_SETTINGS}
    if not values["GONGZHI_PII_KEYS"] or not values["GONGZHI_BLIND_INDEX_KEY"]:
        raise BackupError(_("没有配置个人信息密钥（GONGZHI_PII_KEYS、GONGZHI_BLIND_INDEX_KEY），无可备份。"))
    ring = pii.keyring()
    ids = ", ".join(f"{key_id}（加密）" if key_id == ring.primary_id else key_id for key_id in ring.keys)
    text = (
        f"{KEYS_HEADER}, {now.isoformat(timespec='seconds')}. Keep it apart from the data backups.\n"
        f"# Key ids: {ids}. Keep retired keys as long as any data backup still holds their tokens.\n"
        + "".join(f"{name}={value}\n" for name, value in values.items())
    )
    fd, name = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".part", dir=output.parent)
    temp = Path(name)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        _publish(temp, output)
    finally:
        temp.unlink(missing_ok=True)
    return output
