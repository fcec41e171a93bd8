"""Import every event module so the type registry is complete before anything is decoded."""

from events import (
    accounts,
    catalogue,
    configuration,
    exports,
    families,
    feedback,
    fines,
    holds,
    insights,
    loans,
    notices,
    readers,
)

MODULES = (accounts, catalogue, configuration, exports, families, feedback, fines, holds,
           insights, loans, notices, readers)
