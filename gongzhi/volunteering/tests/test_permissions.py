"""Persona × action matrix for volunteering; docs/permissions.md holds the same table."""

import pytest

from gongzhi.volunteering.permissions import (
    can_create_activity,
    can_decide_adjustment,
    can_issue_certificate,
    can_manage_activity,
    can_manage_rules,
    can_manage_shop,
    can_view_ledger,
    visible_activities,
    visible_orders,
    visible_points_entries,
    visible_shop_items,
    visible_volunteers,
)

pytestmark = pytest.mark.django_db

# persona: (volunteers seen, activities seen, shop items seen, orders seen, ledger entries seen,
#           may organise in 第一社区, may keep the world activity's roster, manager pages, may issue jumin's
#           certificate, may decide the pending adjustment, may set points rules, may manage the shop)
MATRIX = {
    "jiedao": (0, 1, 0, 0, 0, False, False, False, False, False, False, False),
    "shequ": (0, 1, 0, 0, 0, True, False, False, False, False, False, False),
    "lingdao": (0, 0, 0, 0, 0, False, False, False, False, False, False, False),
    "baobao": (0, 0, 0, 0, 0, False, False, False, False, False, False, False),
    "wangge_a": (0, 0, 0, 0, 0, False, False, False, False, False, False, False),
    "wangge_b": (0, 0, 0, 0, 0, False, False, False, False, False, False, False),
    "louzhang": (0, 0, 0, 0, 0, False, False, False, False, False, False, False),
    "wuye": (0, 0, 0, 0, 0, False, False, False, False, False, False, False),
    "yeweihui": (0, 0, 0, 0, 0, False, False, False, False, False, False, False),
    "dangzhibu": (0, 1, 0, 0, 0, False, False, False, False, False, False, False),
    # zhiyuan asked for the adjustment, so a second manager must decide it (four eyes).
    "zhiyuan": (1, 1, 1, 1, 2, True, True, True, True, False, True, True),
    "jumin": (1, 1, 1, 1, 2, False, False, False, True, False, False, False),
    "admin": (0, 0, 0, 0, 0, False, False, False, False, False, False, False),
    "shenji": (0, 0, 0, 0, 0, False, False, False, False, False, False, False),
    "outsider": (0, 0, 0, 0, 0, False, False, False, False, False, False, False),
}


@pytest.mark.parametrize("persona", sorted(MATRIX))
def test_volunteering_matrix(world, vworld, actor_of, persona):
    (volunteers, activities, items, orders, entries, organise, roster, manager, certificate, decide, rules, shop) = (
        MATRIX[persona]
    )
    actor = actor_of(persona)
    assert visible_volunteers(actor).count() == volunteers
    assert visible_activities(actor).count() == activities
    assert visible_shop_items(actor).count() == items
    assert visible_orders(actor).count() == orders
    assert visible_points_entries(actor).count() == entries
    assert can_create_activity(actor, node=world.community) is organise
    assert can_manage_activity(actor, vworld.activity) is roster
    assert can_view_ledger(actor) is manager
    assert can_issue_certificate(actor, vworld.volunteer) is certificate
    assert can_decide_adjustment(actor, vworld.adjustment) is decide
    assert can_manage_rules(actor) is rules
    assert can_manage_shop(actor, vworld.item) is shop


def test_a_second_manager_decides_and_a_community_manager_sees_only_their_community(world, vworld, actor_of):
    from gongzhi.accounts.choices import Role
    from gongzhi.testing.world import add_user, grant
    from gongzhi.volunteering.testing import register

    other = add_user("zhiyuan_c2", "第二社区志愿管理员")
    grant(other, Role.VOLUNTEER_MANAGER, node=world.other_community)
    world.users["zhiyuan_c2"] = other
    register(world.people["community2"])
    actor = actor_of("zhiyuan_c2")
    assert list(visible_volunteers(actor).values_list("person__name", flat=True)) == ["住户丁"]
    assert not can_decide_adjustment(actor, vworld.adjustment)  # jumin lives outside their community
    assert not can_manage_rules(actor)  # rules apply to the whole subdistrict
    assert visible_shop_items(actor).count() == 1  # the subdistrict's shop serves their residents too
    assert not can_manage_shop(actor, vworld.item)
