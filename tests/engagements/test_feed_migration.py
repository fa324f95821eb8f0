"""When the task feed and the engagements feed became one, calendars subscribed to either
old address had to keep working: the task feed's tokens are carried over."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from luodi.accounts.models import User
from luodi.engagements import feeds
from luodi.engagements.models import FeedToken

BEFORE = [("engagements", "0001_initial"), ("pipeline", "0001_initial")]


@pytest.mark.django_db(transaction=True)
def test_task_feed_tokens_become_feed_tokens() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    # accounts is not rolled back: its current model writes the row.
    user = User.objects.create(username="subscriber")
    task_digest, feed_digest = "a" * 64, "b" * 64
    old.get_model("pipeline", "CalendarToken").objects.create(user_id=user.pk, digest=task_digest)
    old.get_model("engagements", "FeedToken").objects.create(user_id=user.pk, digest=feed_digest)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    digests = set(FeedToken.objects.filter(user_id=user.pk).values_list("digest", flat=True))
    assert digests == {task_digest, feed_digest}
    # A reset leaves the person one address again.
    feeds.reset_feed_token(actor=user)
    assert FeedToken.objects.filter(user_id=user.pk).count() == 1
