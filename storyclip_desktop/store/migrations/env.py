from __future__ import annotations

from alembic import context

from storyclip_desktop.store.models import Base

config = context.config
engine = config.attributes.get("engine")
if engine is None:  # plain `alembic` command line: use the app's configured store
    from storyclip_desktop.config import database_url
    from storyclip_desktop.store.db import make_engine

    engine = make_engine(config.get_main_option("sqlalchemy.url") or database_url())

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
