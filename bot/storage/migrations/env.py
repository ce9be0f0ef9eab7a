"""Alembic environment: runs against the engine ``huddle db upgrade`` hands it."""

from alembic import context
from sqlmodel import SQLModel

import bot.storage.appointment_models  # registers the schedule tables
import bot.storage.blueprint_models  # registers the blueprint tables
import bot.storage.models  # noqa: F401  (registers the tables on SQLModel.metadata)

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    engine = config.attributes["engine"]
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
