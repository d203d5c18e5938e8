"""config.settings.production passes Django's deployment checks with the environment docs/deployment.md gives.

Each check runs `manage.py check --deploy` in a fresh process, as an operator would: the settings module is
read once per process, so it cannot be reloaded inside the test run.
"""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """The process environment of a deployment: keys generated as scripts/make_secrets.py does, no secrets file."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GONGZHI_", "DJANGO_"))}

    def key() -> str:
        return base64.b64encode(os.urandom(32)).decode()

    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        GONGZHI_SECRETS_FILE=str(tmp_path / "absent.env"),
        GONGZHI_SECRET_KEY=secrets.token_urlsafe(50),
        GONGZHI_PII_KEYS=f"k1:{key()}",
        GONGZHI_BLIND_INDEX_KEY=key(),
        GONGZHI_DB="postgres",
        GONGZHI_DB_NAME="gongzhi",
        GONGZHI_ALLOWED_HOSTS="gongzhi.example.gov.cn",
        GONGZHI_TRUSTED_PROXIES="127.0.0.1,::1",
        GONGZHI_STATIC_ROOT=str(tmp_path / "static"),
        GONGZHI_MEDIA_ROOT=str(tmp_path / "media"),
    )
    env.update(overrides)
    return {k: v for k, v in env.items() if v != ""}


def check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own manage.py, a fixed argument list
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_check_deploy_without_warnings(tmp_path: Path) -> None:
    result = check_deploy(production_env(tmp_path))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output
    assert "WARNING" not in output


def test_check_deploy_fails_when_an_operator_turns_hsts_preload_off(tmp_path: Path) -> None:
    result = check_deploy(production_env(tmp_path, GONGZHI_HSTS_PRELOAD="0"))
    assert result.returncode != 0
    assert "security.W021" in result.stderr


def test_production_settings_refuse_to_start_without_the_personal_data_keys(tmp_path: Path) -> None:
    result = check_deploy(production_env(tmp_path, GONGZHI_PII_KEYS=""))
    assert result.returncode != 0
    assert "GONGZHI_PII_KEYS is required" in result.stderr
