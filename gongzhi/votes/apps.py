"""votes: the one ballot engine of Gongzhi.

Consultation resolutions, owners' assembly votes, honour campaigns and evaluations all put their
questions to a Poll here and read the outcome through ``poll_result``. The engine keeps the roll (who
may vote, frozen at opening), the participation (who voted: one row per voter, unique) and the ballot
box (what was voted) apart; see docs/votes.md.
"""

from django.apps import AppConfig


class VotesConfig(AppConfig):
    name = "gongzhi.votes"
    label = "votes"
    verbose_name = "投票表决"
