"""Storage: engine, sessions, declarative base and Alembic migrations."""

from flarewatch.db.base import Base, UTCDateTime, utcnow
from flarewatch.db.engine import create_db_engine, get_engine, session_scope, sessionmaker_for

__all__ = [
    "Base",
    "UTCDateTime",
    "create_db_engine",
    "get_engine",
    "session_scope",
    "sessionmaker_for",
    "utcnow",
]
