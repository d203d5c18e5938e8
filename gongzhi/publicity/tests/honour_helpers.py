"""Honour campaigns over compound X of the test world, at any phase.

Two categories: 文明楼栋 (buildings 1 and 2 of X) and 好媳妇 (曾小红 and 邻居乙); a rubric of one item out
of 10; the panel is shequ and jiedao; public vote 60%. The residents on the roll of X are 居民甲,
曾小红, 邻居乙 and 住户丙.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from gongzhi.accounts.actors import actor_for_user
from gongzhi.core.actors import Actor
from gongzhi.core.photos import CleanPhoto, photo_clean
from gongzhi.publicity import honour
from gongzhi.publicity.choices_honour import CampaignPhase, CategoryKind
from gongzhi.publicity.honour import CategorySpec, RubricSpec
from gongzhi.publicity.models_honour import HonourCampaign, HonourCategory, HonourNomination, HonourPhoto, HonourResult
from gongzhi.testing.world import World


@dataclass
class Honour:
    campaign: HonourCampaign
    buildings: HonourCategory
    persons: HonourCategory
    nominations: dict[str, HonourNomination] = field(default_factory=dict)

    def refresh(self) -> HonourCampaign:
        self.campaign.refresh_from_db()
        return self.campaign


def actor(world: World, username: str) -> Actor:
    return actor_for_user(world.user(username))


def jpeg() -> CleanPhoto:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 40, 40)).save(out, format="JPEG")
    data = out.getvalue()
    return photo_clean(SimpleUploadedFile("p.jpg", data, content_type="image/jpeg"), size=len(data))


def build_campaign(
    world: World, *, allows_self_nomination: bool = False, weight: int = 60, open_nominations: bool = True
) -> Honour:
    shequ = actor(world, "shequ")
    campaign = honour.campaign_create(
        actor=shequ,
        scope=world.compound_x,
        title="X小区2026年度文明评选",
        categories=[
            CategorySpec(kind=CategoryKind.BUILDING, name="文明楼栋", winners=1, max_choices=1),
            CategorySpec(kind=CategoryKind.PERSON, name="好媳妇", winners=1, max_choices=1),
        ],
        rubric=[RubricSpec(name="事迹", max_points=10)],
        judges=[world.user("shequ"), world.user("jiedao")],
        vote_weight_percent=weight,
        allows_self_nomination=allows_self_nomination,
    )
    if open_nominations:
        campaign = honour.campaign_nominations_open(actor=shequ, campaign=campaign)
    buildings, persons = list(campaign.categories.order_by("position"))
    return Honour(campaign=campaign, buildings=buildings, persons=persons)


REASON = "多年来热心邻里事务，带头清理楼道，深受邻居称赞。"


def nominate_all(world: World, h: Honour, *, photos: bool = False) -> Honour:
    jumin = actor(world, "jumin")
    b = world.buildings
    p = world.people
    h.nominations["b1"] = honour.nomination_create(actor=jumin, category=h.buildings, building=b["1"], reason=REASON)
    h.nominations["b2"] = honour.nomination_create(actor=jumin, category=h.buildings, building=b["2"], reason=REASON)
    h.nominations["spouse"] = honour.nomination_create(
        actor=jumin,
        category=h.persons,
        person=p["jumin_spouse"],
        reason=REASON,
        has_consent=True,
        photos=[jpeg()] if photos else [],
    )
    h.nominations["neighbour"] = honour.nomination_create(
        actor=actor(world, "shequ"), category=h.persons, person=p["neighbour"], reason=REASON, has_consent=True
    )
    return h


def open_vote(world: World, h: Honour) -> Honour:
    shequ = actor(world, "shequ")
    for n in h.nominations.values():
        honour.nomination_review(actor=shequ, nomination=n, approve=True)
    if h.refresh().phase == CampaignPhase.NOMINATING:
        honour.campaign_nominations_close(actor=shequ, campaign=h.campaign)
    h.campaign = honour.campaign_vote_open(
        actor=shequ, campaign=h.campaign, closes_at=timezone.now() + dt.timedelta(days=7)
    )
    for key, n in h.nominations.items():
        n.refresh_from_db()
        h.nominations[key] = n
    return h


def voting_campaign(world: World, *, photos: bool = False) -> Honour:
    return open_vote(world, nominate_all(world, build_campaign(world), photos=photos))


def published_campaign(world: World) -> Honour:
    """Voted by jumin only (building 1, 曾小红), scored, decided, cited and published."""
    h = voting_campaign(world)
    n = h.nominations
    honour.honour_ballot_cast(
        actor=actor(world, "jumin"),
        campaign=h.campaign,
        choices={h.buildings.pk: [n["b1"].pk], h.persons.pk: [n["spouse"].pk]},
    )
    shequ = actor(world, "shequ")
    honour.campaign_vote_close(actor=shequ, campaign=h.campaign)
    item = h.campaign.rubric.get()
    for username in ("shequ", "jiedao"):
        honour.scores_record(
            actor=actor(world, username),
            campaign=h.campaign,
            points={(x.pk, item.pk): 8 if key in {"b1", "spouse"} else 5 for key, x in n.items()},
        )
    honour.campaign_decide(actor=shequ, campaign=h.campaign)
    for result in HonourResult.objects.filter(category__campaign=h.campaign, is_winner=True):
        honour.citation_write(actor=shequ, result=result, text="孝老爱亲，邻里和睦，是全楼学习的榜样。")
    h.campaign = honour.campaign_publish(actor=shequ, campaign=h.campaign)
    return h


def rows_for_routes(world: World) -> dict[str, int]:
    h = published_campaign(world)
    result = HonourResult.objects.filter(category__campaign=h.campaign, is_winner=True).order_by("id").first()
    assert result is not None
    # A photo row without a file: the route test only checks who gets a 404.
    photo = HonourPhoto.objects.create(
        nomination=h.nominations["spouse"], image="publicity/honour/t.jpg", width=1, height=1
    )
    return {
        "honour_id": h.campaign.pk,
        "honour_nomination_id": h.nominations["spouse"].pk,
        "honour_result_id": result.pk,
        "honour_photo_id": photo.pk,
    }
