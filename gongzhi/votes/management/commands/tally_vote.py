"""python manage.py tally_vote ROLL.xlsx BALLOTS.xlsx --rule art278 --matter major|ordinary [--json]

Counts a paper owners' vote from the committee's two sheets and prints quorum, areas, heads, the exact
fractions and pass or fail, with every rejected ballot and its reason. ID numbers are printed masked.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongzhi.votes.rules import Art278Result, area_text
from gongzhi.votes.sheets import PaperCount, SheetError, count_paper_vote


def _yes(flag: bool) -> str:
    return "是" if flag else "否"


def _share(what: str, ratio: dict[str, str], ok: bool) -> str:
    """ "  面积 304.75 ㎡，占总面积 304.75/504.75 = 1219/2019（60.38%）：否" """
    return f"  {what} {ratio['exact']} = {ratio['fraction']}（{ratio['percent']}）：{_yes(ok)}"


class Command(BaseCommand):
    help = "Count a paper owners' assembly vote (Civil Code Art. 278) from a roll and a ballots workbook."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("roll", help="业主名册 xlsx：房屋/房号、证件号码、专有面积")
        parser.add_argument("ballots", help="表决票 xlsx：房屋或证件号码、表决意见（同意/反对/弃权）")
        parser.add_argument("--rule", choices=["art278"], default="art278")
        parser.add_argument(
            "--matter",
            choices=["major", "ordinary"],
            required=True,
            help="major：筹集维修资金、改建重建、改变共有部分用途或经营（四分之三）；ordinary：其他（过半数）",
        )
        parser.add_argument(
            "--follow-majority",
            action="store_true",
            help="未投票业主计入多数（从众）：仅当议事规则明确规定时使用",
        )
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            count = count_paper_vote(
                options["roll"],
                options["ballots"],
                major=options["matter"] == "major",
                follow_majority=options["follow_majority"],
            )
        except SheetError as exc:
            raise CommandError("\n".join(exc.problems)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(self._as_json(count), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(self._as_text(count))

    def _as_json(self, count: PaperCount) -> dict[str, Any]:
        return {
            "rule": "art278",
            "roll": {
                "owners": len(count.roll.owners),
                "dwellings": count.roll.dwellings,
                "area_m2": area_text(count.result.total_area_dm2),
            },
            "ballots": {"valid": len(count.ballots.opinions), "rejected": len(count.ballots.rejected)},
            "rejected": [{"row": r.row, "who": r.who, "reason": r.reason} for r in count.ballots.rejected],
            "result": count.result.as_dict(),
        }

    def _as_text(self, count: PaperCount) -> str:
        r: Art278Result = count.result
        data = r.as_dict()
        need = "四分之三以上（≥ 3/4）" if r.major else "过半数（> 1/2）"
        lines = [
            f"业主表决计票（民法典第二百七十八条，{'重大事项' if r.major else '一般事项'}：同意须达参与表决的{need}）",
            f"业主名册：{r.total_heads} 人，{count.roll.dwellings} 套房屋，专有面积 {area_text(r.total_area_dm2)} ㎡",
            f"有效选票 {len(count.ballots.opinions)} 张，无效选票 {len(count.ballots.rejected)} 张",
            "",
            "参与表决（须面积和人数均达到三分之二以上）",
            _share(
                f"面积 {area_text(r.participating_area_dm2)} ㎡，占总面积", data["participation_area"], r.quorum_area_ok
            ),
            _share(f"人数 {r.participating_heads} 人，占总人数", data["participation_heads"], r.quorum_heads_ok),
            f"同意（须{need}）",
            _share(f"面积 {area_text(r.yes_area_dm2)} ㎡，占参与面积", data["yes_area_share"], r.pass_area_ok),
            _share(f"人数 {r.yes_heads} 人，占参与人数", data["yes_heads_share"], r.pass_heads_ok),
            f"反对：面积 {area_text(r.no_area_dm2)} ㎡，{r.no_heads} 人；"
            f"弃权：面积 {area_text(r.abstain_area_dm2)} ㎡，{r.abstain_heads} 人",
        ]
        if r.follow_majority:
            side = {"yes": "同意", "no": "反对"}.get(r.followed_side)
            lines.append(
                f"从众：未投票业主计入{side}" if side else "从众：同意和反对没有在面积和人数上同时领先，未计入"
            )
        lines += ["", f"结论：{'通过' if r.passed else '未通过'}"]
        if not r.quorum_ok:
            lines[-1] += "（参与表决未达三分之二）"
        if count.ballots.rejected:
            lines += ["", "无效选票："]
            lines += [f"  第{x.row}行 {x.who}：{x.reason}" for x in count.ballots.rejected]
        return "\n".join(lines)
