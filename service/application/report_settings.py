"""Collection-report settings, kept as events: dead-stock months, weeding X/Y per class and
holds per copy (R) per item type. Unset parts take the documented defaults (docs/reports.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from events.configuration import ReportSettingsChanged
from events.store import LoadedStreams, PendingEvent
from events.streams import REPORT_SETTINGS_STREAM
from service.application.context import Actor, Ports
from service.application.execute import Decision, Outcome, execute
from service.domain.errors import Invalid
from service.domain.i18n import NOT_A_WHOLE_NUMBER, UNKNOWN_FIELD, Message

SCHEMES = ("clc", "ddc", "lcc")
DEFAULT_DEAD_STOCK_MONTHS = 24
DEFAULT_HOLDS_PER_COPY = 4
MAX_MONTHS, MAX_YEARS, MAX_RATIO, MAX_KEYS = 240, 100, 100, 500

# CREW-style starting points (X years since publication, Y years since last use; X None: any
# age), adapted to each scheme's main classes. "default" covers every class not listed.
DEFAULT_WEEDING: dict[str, dict[str, tuple[int | None, int]]] = {
    "clc": {"default": (10, 3), "A": (15, 5), "D": (5, 3), "F": (5, 3), "I": (None, 5),
            "J": (15, 5), "K": (15, 5), "R": (5, 3), "T": (5, 3), "TN": (5, 3), "TP": (3, 2),
            "U": (5, 3), "X": (5, 3), "Z": (5, 3)},
    "ddc": {"default": (10, 3), "000": (5, 3), "500": (5, 3), "600": (5, 3), "700": (15, 5),
            "800": (None, 5), "900": (15, 3)},
    "lcc": {"default": (10, 3), "P": (None, 5), "Q": (5, 3), "QA": (5, 3), "R": (5, 3),
            "T": (5, 3), "D": (15, 3), "N": (15, 5)},
}

POSITIVE_RANGE = Message("must be a whole number from {low} to {high}",
                         "必须是 {low} 到 {high} 之间的整数")
NOT_AN_OBJECT = Message("must be an object", "必须是对象")
BAD_KEY = Message("class and item type names are 1 to 16 letters, digits, '-' or '_'",
                  "分类和文献类型名称须为 1 到 16 个字母、数字、“-”或“_”")
TOO_MANY = Message("at most {high} entries", "最多 {high} 项")


@dataclass(frozen=True)
class ReportSettings:
    dead_stock_months: int = DEFAULT_DEAD_STOCK_MONTHS
    default_holds_per_copy: int = DEFAULT_HOLDS_PER_COPY
    holds_per_copy: dict[str, int] = field(default_factory=lambda: {"book": 4})
    # Only the classes the library set; weeding_rules() lays them over DEFAULT_WEEDING.
    weeding: dict[str, dict[str, tuple[int | None, int]]] = field(default_factory=dict)

    def weeding_rules(self, scheme: str) -> dict[str, tuple[int | None, int]]:
        """The X/Y for every class of a scheme: the defaults, then what the library set."""
        return {**DEFAULT_WEEDING[scheme], **self.weeding.get(scheme, {})}

    def to_dict(self) -> dict[str, Any]:
        return {
            "dead_stock_months": self.dead_stock_months,
            "default_holds_per_copy": self.default_holds_per_copy,
            "holds_per_copy": dict(self.holds_per_copy),
            "weeding": {s: {k: {"age_years": x, "idle_years": y}
                            for k, (x, y) in sorted(self.weeding.get(s, {}).items())}
                        for s in SCHEMES if self.weeding.get(s)},
        }

    def effective(self) -> dict[str, Any]:
        """Everything in force, defaults included (what the GET answers)."""
        return {**self.to_dict(), "weeding": {
            s: {k: {"age_years": x, "idle_years": y}
                for k, (x, y) in sorted(self.weeding_rules(s).items())} for s in SCHEMES}}


def _number(value: Any, path: str, low: int, high: int, problems: dict[str, Message],
            allow_none: bool = False) -> Any:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        problems[path] = NOT_A_WHOLE_NUMBER
    elif not low <= value <= high:
        problems[path] = POSITIVE_RANGE.format(low=low, high=high)
    return value


def _key_ok(key: Any) -> bool:
    return (isinstance(key, str) and 1 <= len(key) <= 16
            and all(c.isascii() and (c.isalnum() or c in "-_") for c in key))


def _mapping(value: Any, path: str, problems: dict[str, Message],
             names: bool = True) -> dict[str, Any]:
    """A JSON object (``names``: its keys name classes or item types)."""
    if not isinstance(value, dict):
        problems[path] = NOT_AN_OBJECT
        return {}
    if len(value) > MAX_KEYS:
        problems[path] = TOO_MANY.format(high=MAX_KEYS)
        return {}
    for key in value if names else ():
        if not _key_ok(key):
            problems[f"{path}.{key}"] = BAD_KEY
    return value


def parse_report_settings(data: Any) -> ReportSettings:
    """Validate the settings a library sends; raise Invalid with a message per field."""
    problems: dict[str, Message] = {}
    data = _mapping(data, "settings", problems, names=False)
    for name in data:
        if name not in ("dead_stock_months", "default_holds_per_copy", "holds_per_copy",
                        "weeding"):
            problems[name] = UNKNOWN_FIELD
    months = _number(data.get("dead_stock_months", DEFAULT_DEAD_STOCK_MONTHS),
                     "dead_stock_months", 1, MAX_MONTHS, problems)
    default_r = _number(data.get("default_holds_per_copy", DEFAULT_HOLDS_PER_COPY),
                        "default_holds_per_copy", 1, MAX_RATIO, problems)
    ratios = {k: _number(v, f"holds_per_copy.{k}", 1, MAX_RATIO, problems)
              for k, v in _mapping(data.get("holds_per_copy", {"book": 4}), "holds_per_copy",
                                   problems).items()}
    weeding: dict[str, dict[str, tuple[int | None, int]]] = {}
    for scheme, rules in _mapping(data.get("weeding", {}), "weeding", problems).items():
        if scheme not in SCHEMES:
            problems[f"weeding.{scheme}"] = UNKNOWN_FIELD
            continue
        for key, rule in _mapping(rules, f"weeding.{scheme}", problems).items():
            path = f"weeding.{scheme}.{key}"
            rule = _mapping(rule, path, problems, names=False)
            extra = set(rule) - {"age_years", "idle_years"}
            if extra:
                problems[f"{path}.{sorted(extra)[0]}"] = UNKNOWN_FIELD
            x = _number(rule.get("age_years"), f"{path}.age_years", 0, MAX_YEARS, problems,
                        allow_none=True)
            y = _number(rule.get("idle_years", 3), f"{path}.idle_years", 0, MAX_YEARS, problems)
            weeding.setdefault(scheme, {})[key] = (x, y)
    if problems:
        raise Invalid("invalid_report_settings", "The report settings are not valid.",
                      "报表设置无效。", fields={k: [m.en] for k, m in problems.items()})
    return ReportSettings(months, default_r, ratios, weeding)


def current_report_settings(ports: Ports) -> ReportSettings:
    """The settings in force: the last change, or the defaults."""
    latest = None
    for stored in ports.store.load([REPORT_SETTINGS_STREAM]).events:
        if isinstance(stored.event, ReportSettingsChanged):
            latest = stored.event.settings
    return parse_report_settings(latest) if latest is not None else ReportSettings()


def change_report_settings(ports: Ports, actor: Actor, data: Any, key: str | None) -> Outcome:
    """Replace the report settings (validated; earlier versions stay in the log)."""
    parsed = parse_report_settings(data)

    def decide(loaded: LoadedStreams) -> Decision:
        return Decision([PendingEvent(ReportSettingsChanged(parsed.to_dict()),
                                      (REPORT_SETTINGS_STREAM,))],
                        {"settings": parsed.effective()})

    return execute(ports, actor, "change_report_settings", [REPORT_SETTINGS_STREAM], decide, key)
