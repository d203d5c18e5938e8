"""python manage.py rotate_pii_key [--batch-size N] [--check]"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from gongzhi.core import pii
from gongzhi.core.rekey import DEFAULT_BATCH_SIZE, Batch, RotationError, key_id_totals, rotate, token_counts


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field under the first key of GONGZHI_PII_KEYS, in batches by primary key, "
        "one transaction each; run it again to resume after a crash. --check counts the tokens under each key. "
        "Blind indexes (GONGZHI_BLIND_INDEX_KEY) are not rotated."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE, help="Rows per transaction.")
        parser.add_argument("--check", action="store_true", help="Only report tokens per key id; change nothing.")

    def handle(self, *args: Any, batch_size: int, check: bool, **options: Any) -> None:
        if batch_size < 1:
            raise CommandError(_("--batch-size 至少为 1。"))
        if check:
            self._check()
            return
        primary = pii.keyring().primary_id
        self.stdout.write(_("用密钥 %(key)s 重新加密……") % {"key": primary})

        def progress(batch: Batch) -> None:
            self.stdout.write(
                _("  %(table)s: %(done)s/%(total)s 行（至主键 %(pk)s）")
                % {"table": batch.label, "done": f"{batch.done:,}", "total": f"{batch.total:,}", "pk": batch.last_pk}
            )

        try:
            rotation = rotate(batch_size=batch_size, on_batch=progress)
        except RotationError as exc:
            raise CommandError(
                _(
                    "%(table)s 主键 %(pk)s 的密文属于密钥 '%(key)s'，但 GONGZHI_PII_KEYS 中没有它或它无法解密："
                    "请把该密钥加回 GONGZHI_PII_KEYS 后重新运行。已提交的批次保留，重新运行会从未完成处继续。"
                )
                % {"table": exc.label, "pk": exc.pk, "key": exc.key_id}
            ) from exc
        self.stdout.write(
            _("完成：%(batches)s 批、%(rows)s 行、%(tokens)s 个密文改用密钥 %(key)s。")
            % {
                "batches": rotation.batches,
                "rows": f"{rotation.rows:,}",
                "tokens": f"{rotation.tokens:,}",
                "key": primary,
            }
        )
        self._check()

    def _check(self) -> None:
        ring = pii.keyring()
        counts = token_counts()
        for column, by_key in counts.items():
            if by_key:
                self.stdout.write(f"  {column}: " + ", ".join(f"{k} {n:,}" for k, n in by_key.items()))
        totals = key_id_totals(counts)
        for key_id in ring.keys:
            n = totals.get(key_id, 0)
            if key_id == ring.primary_id:
                message = _("密钥 %(key)s（当前加密密钥）：%(n)s 个密文")
            elif n:
                message = _("密钥 %(key)s：仍有 %(n)s 个密文，暂不能删除。")
            else:
                message = _("密钥 %(key)s：0 个密文，可以从 GONGZHI_PII_KEYS 中删除（旧的数据备份仍需要它）。")
            self.stdout.write(message % {"key": key_id, "n": f"{n:,}"})
        for key_id in sorted(set(totals) - set(ring.keys)):
            self.stdout.write(
                _("密钥 %(key)s：%(n)s 个密文，但 GONGZHI_PII_KEYS 中没有这个密钥！")
                % {"key": key_id, "n": f"{totals[key_id]:,}"}
            )
