"""Channel subscriptions to the weekly meeting, and the skipped dates."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from bot.storage.models import Skip, Subscription


def get_subscription(
    *, session: Session, workspace_id: int, channel_id: str
) -> Subscription | None:
    statement = select(Subscription).where(
        Subscription.workspace_id == workspace_id, Subscription.channel_id == channel_id
    )
    return session.exec(statement).first()


def subscribe(
    *,
    session: Session,
    workspace_id: int,
    channel_id: str,
    weekday: int,
    hour: int,
    minute: int,
    timezone: str,
    user_id: str,
    now: datetime,
) -> Subscription:
    """Subscribe a channel, or change its time. One subscription per channel."""
    subscription = get_subscription(
        session=session, workspace_id=workspace_id, channel_id=channel_id
    )
    if subscription is None:
        subscription = Subscription(
            workspace_id=workspace_id,
            channel_id=channel_id,
            weekday=weekday,
            hour=hour,
            minute=minute,
            timezone=timezone,
            created_by=user_id,
            created_at=now,
            updated_at=now,
        )
        try:
            with session.begin_nested():
                session.add(subscription)
            return subscription
        except sa.exc.IntegrityError:
            subscription = get_subscription(
                session=session, workspace_id=workspace_id, channel_id=channel_id
            )
            assert subscription is not None
    subscription.weekday = weekday
    subscription.hour = hour
    subscription.minute = minute
    subscription.timezone = timezone
    subscription.active = True
    subscription.updated_at = now
    session.add(subscription)
    return subscription


def unsubscribe(*, session: Session, subscription: Subscription, now: datetime) -> Subscription:
    subscription.active = False
    subscription.updated_at = now
    session.add(subscription)
    return subscription


def pause_until(
    *, session: Session, subscription: Subscription, until: date | None, now: datetime
) -> Subscription:
    subscription.paused_until = until
    subscription.updated_at = now
    session.add(subscription)
    return subscription


def stop_subscriptions(
    *, session: Session, workspace_id: int, now: datetime, channel_id: str | None = None
) -> int:
    """Stop the weekly meeting in a whole workspace (or one channel). Returns how many."""
    statement = (
        sa.update(Subscription)
        .where(Subscription.workspace_id == workspace_id, Subscription.active)
        .values(active=False, updated_at=now)
    )
    if channel_id is not None:
        statement = statement.where(Subscription.channel_id == channel_id)
    return session.exec(statement).rowcount or 0


def add_skip(
    *, session: Session, subscription: Subscription, skip_date: date, user_id: str, now: datetime
) -> bool:
    """Skip a date. False when it was already skipped."""
    try:
        with session.begin_nested():
            session.add(
                Skip(
                    workspace_id=subscription.workspace_id,
                    subscription_id=subscription.id,
                    skip_date=skip_date,
                    created_by=user_id,
                    created_at=now,
                )
            )
    except sa.exc.IntegrityError:
        return False
    return True


def skipped_dates(
    *, session: Session, subscription: Subscription, from_date: date | None = None
) -> list[date]:
    statement = select(Skip.skip_date).where(Skip.subscription_id == subscription.id)
    if from_date is not None:
        statement = statement.where(Skip.skip_date >= from_date)
    return list(session.exec(statement.order_by(Skip.skip_date)))
