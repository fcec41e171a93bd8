"""`python -m service.cli` runs the same command as `lector`."""

from __future__ import annotations

from service.cli import main

main()
