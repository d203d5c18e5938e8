"""Honour campaigns (评选活动: 文明楼栋, 好婆婆, 好媳妇, 文明家庭, 最美志愿者): nomination → review → public vote
(the votes engine) → judges' scores → result → honour roll (光荣榜)."""

from __future__ import annotations

__all__: list[str] = []
