"""Import every event module so the type registry is complete before anything is decoded."""

from events import (
    accounts,
    campaigns,
    catalogue,
    configuration,
    engagement,
    exports,
    families,
    feedback,
    fines,
    holds,
    insights,
    loans,
    notices,
    readers,
    transit,
)

MODULES = (accounts, campaigns, catalogue, configuration, engagement, exports, families,
           feedback, fines, holds, insights, loans, notices, readers, transit)
