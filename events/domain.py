"""Import every event module so the type registry is complete before anything is decoded."""

from events import catalogue, configuration, feedback, fines, holds, loans, notices, readers

MODULES = (catalogue, configuration, feedback, fines, holds, loans, notices, readers)
