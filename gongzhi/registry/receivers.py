"""A resident's Actor rests on their person's household and status: a change drops it (accounts.actor_cache)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from gongzhi.accounts import actor_cache
from gongzhi.registry.models import Person


@receiver([post_save, post_delete], sender=Person, dispatch_uid="actor-cache-person")
def _person_changed(sender: Any, instance: Person, **kwargs: Any) -> None:
    user_id = instance.user_id
    if user_id is None and kwargs["signal"] is post_save and not kwargs["created"]:
        # An instance loaded before its account was linked still saves onto the linked row.
        user_id = Person.objects.filter(pk=instance.pk).values_list("user_id", flat=True).first()
    if user_id is not None:
        actor_cache.invalidate_users([user_id])
