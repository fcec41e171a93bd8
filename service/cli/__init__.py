"""The `lector` command for operators: every subcommand group, assembled on the main group.

Each group lives in its own module and knows nothing of the others; only this package
module puts them together, so no module imports the package it is registered in.
"""

from __future__ import annotations

from service.cli import data, demo, evaluate, notices, readers, sip2, staff
from service.cli.ops import main

for command in (notices.notices, data.import_, data.export, sip2.kiosk, sip2.sip2, demo.demo,
                staff.staff, readers.readers, evaluate.evaluate, evaluate.segments):
    main.add_command(command)

__all__ = ["main"]
