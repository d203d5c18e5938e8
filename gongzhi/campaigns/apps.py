"""campaigns: door-to-door campaigns (排查、消杀、登记、宣传) — 不漏一户、不漏一人.

At opening the campaign snapshots one row per household and per person in its scope; visits update
those rows and an exact per-grid tally in the same transaction, so coverage at any level is a sum over a
few thousand tally rows. See docs/campaigns.md.
"""

from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "gongzhi.campaigns"
    label = "campaigns"
    verbose_name = "入户走访任务"
