"""Changes that a cached Actor or API token rests on drop it (accounts.actor_cache)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from gongzhi.accounts import actor_cache
from gongzhi.accounts.models import ApiToken, Duty, User


@receiver([post_save, post_delete], sender=Duty, dispatch_uid="actor-cache-duty")
def _duty_changed(sender: Any, instance: Duty, **kwargs: Any) -> None:
    actor_cache.invalidate_users([instance.user_id])


@receiver([post_save, post_delete], sender=User, dispatch_uid="actor-cache-user")
def _user_changed(sender: Any, instance: User, **kwargs: Any) -> None:
    if kwargs.get("update_fields") == frozenset({"last_login"}):
        return  # every login writes last_login; the scope does not rest on it
    actor_cache.invalidate_users([instance.pk])


@receiver([post_save, post_delete], sender=ApiToken, dispatch_uid="actor-cache-token")
def _token_changed(sender: Any, instance: ApiToken, **kwargs: Any) -> None:
    if kwargs.get("created"):
        return  # a new token is not in the cache yet
    actor_cache.invalidate_tokens()
