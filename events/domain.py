"""Import every event module so the type registry is complete before anything is decoded."""

from events import (
    accounts,
    catalogue,
    configuration,
    exports,
    feedback,
    fines,
    holds,
    insights,
    loans,
    notices,
    readers,
    transit,
)

MODULES = (accounts, catalogue, configuration, exports, feedback, fines, holds, insights, loans,
           notices, readers, transit)
