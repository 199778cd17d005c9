"""The log level, read without loading the settings model.

Every command configures logging first; loading pydantic-settings for that alone made light
commands (`query check`) start a third slower. `Settings.log_level` uses the same default and the
same variable (FLAREWATCH_LOG_LEVEL, any case, as pydantic-settings matches it).
"""

from __future__ import annotations

import os

DEFAULT_LOG_LEVEL = "INFO"
VARIABLE = "FLAREWATCH_LOG_LEVEL"


def configured_log_level() -> str:
    for name, value in os.environ.items():
        if name.upper() == VARIABLE:
            return value
    return DEFAULT_LOG_LEVEL
