"""Real circulation ranges (LibrariesWest monthly issues, Toulouse top-500) for demo calibration."""

from __future__ import annotations

import csv
import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from service.data.demo.zipf import (
    coefficient_of_variation,
    fit_zipf_exponent,
    peak_trough_ratio,
    zipf_top_share,
)

# Each LibrariesWest export is a rolling window; counts for the same month shrink in later
# exports (5-23 % on the 2017-07..2018-02 overlap) and an export's last month may be cut
# short (the 2018-03-28 export). So a calendar year is used only when one export holds all
# twelve of its months complete; stitching exports would put false steps into the profile.
LW_EXPORTS: dict[str, str] = {
    "issues_summary_2016-06_2018-03.csv": "2018-03",  # month in which the export was taken
    "issues_summary_2017-07_2019-06.csv": "2019-07",
    "issues_summary_2019-07_2021-06.csv": "2021-07",
}
# COVID closures and reopening with restrictions: not a library's normal rhythm.
COVID_MONTHS = frozenset([f"2020-{m:02d}" for m in range(3, 13)] + [f"2021-{m:02d}" for m in range(1, 7)])
TOULOUSE_PRINT = "top-500-des-imprimes-les-plus-empruntes-a-la-bibliotheque-de-toulouse.csv"
# 2013's list was compiled differently: its 500th title has 33 loans where every other year's
# has 91-164, and novels/comics (ROM, BD, POL) almost vanish from it. Kept in zipf_by_year.
TOULOUSE_EXCLUDED_YEARS: dict[int, str] = {
    2013: "list not comparable: 500th title has 33 loans (other years 91-164), novels absent",
}


@dataclass(frozen=True)
class AuthorityYear:
    """One LibrariesWest authority's monthly issues over one full calendar year."""

    authority: str
    year: int
    monthly_issues: tuple[int, ...]
    cv: float
    peak_trough: float


@dataclass(frozen=True)
class RealRanges:
    """What real libraries show, as ranges the demo's plan must fall inside."""

    authority_years: tuple[AuthorityYear, ...]
    cv_min: float
    cv_max: float
    peak_trough_min: float
    peak_trough_max: float
    seasonal_shape: tuple[float, ...]  # mean of the normalised (mean 1) Jan..Dec profiles
    renewal_ratio_min: float  # renewals / issues per authority-year (information only)
    renewal_ratio_max: float
    zipf_by_year: dict[int, float]  # all printed items, every year, 2013 included
    zipf_min: float  # over years not in TOULOUSE_EXCLUDED_YEARS
    zipf_max: float
    zipf_monographs_min: float  # periodicals removed, years that label document type
    zipf_monographs_max: float

    def implied_top_share_range(self, n_titles: int, fraction: float) -> tuple[float, float]:
        """Top-`fraction` share a catalogue of n_titles would have at the real Zipf extremes."""
        return (
            zipf_top_share(self.zipf_min, n_titles, fraction),
            zipf_top_share(self.zipf_max, n_titles, fraction),
        )


def default_data_dir() -> Path:
    """The shared real-data folder: $LECTOR_SHARED_DATA or <repo>/../shared/data."""
    repo_root = Path(__file__).resolve().parents[3]
    return Path(os.environ.get("LECTOR_SHARED_DATA", repo_root.parent / "shared" / "data"))


def _loans_dir(data_dir: Path) -> Path:
    return data_dir / "loans" if (data_dir / "loans").is_dir() else data_dir


def librarieswest_years(loans_dir: Path) -> list[tuple[AuthorityYear, float]]:
    """Every (authority, full calendar year) held whole by one export, with its renewal ratio."""
    out: list[tuple[AuthorityYear, float]] = []
    for name, export_month in LW_EXPORTS.items():
        issues: dict[tuple[str, str], int] = defaultdict(int)
        renewals: dict[tuple[str, str], int] = defaultdict(int)
        with open(loans_dir / "librarieswest" / name, encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                key = (row["authority"], row["month_issued"])
                issues[key] += int(row["issues"])
                renewals[key] += int(row["renewals"])
        authorities = sorted({a for a, _ in issues})
        years = sorted({int(m[:4]) for _, m in issues})
        for authority in authorities:
            for year in years:
                months = [f"{year}-{m:02d}" for m in range(1, 13)]
                complete = all(
                    (authority, m) in issues and m < export_month and m not in COVID_MONTHS for m in months
                )
                if not complete:
                    continue
                series = tuple(issues[(authority, m)] for m in months)
                ratio = sum(renewals[(authority, m)] for m in months) / sum(series)
                ay = AuthorityYear(
                    authority,
                    year,
                    series,
                    coefficient_of_variation(series),
                    peak_trough_ratio(series),
                )
                out.append((ay, ratio))
    return out


def toulouse_rows(loans_dir: Path) -> dict[int, list[tuple[int, bool]]]:
    """Per year, (loans, is_periodical or None-if-unlabelled) rows of the printed top-500 list."""
    by_year: dict[int, list[tuple[int, bool]]] = defaultdict(list)
    path = loans_dir / "toulouse" / TOULOUSE_PRINT
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for row in csv.reader(fh, delimiter=";"):
            try:
                year, loans = int(row[0]), int(row[1])
            except (ValueError, IndexError):
                continue  # header, and the record broken across lines (blank but AUTEUR)
            by_year[year].append((loans, "PERIO" in row))
    return dict(by_year)


def _labelled_years(rows: dict[int, list[tuple[int, bool]]]) -> list[int]:
    # 2019 and 2020 have no 'Cat 2' column, so periodicals cannot be told from books there.
    return [y for y, r in rows.items() if any(is_perio for _, is_perio in r)]


def compute_real_ranges(data_dir: Path | None = None) -> RealRanges:
    """Read shared/data/loans and return the real ranges the demo is checked against."""
    loans_dir = _loans_dir(data_dir or default_data_dir())
    years = librarieswest_years(loans_dir)
    ays = [ay for ay, _ in years]
    shape = tuple(
        sum(ay.monthly_issues[m] / (sum(ay.monthly_issues) / 12) for ay in ays) / len(ays) for m in range(12)
    )
    rows = toulouse_rows(loans_dir)
    zipf_by_year = {y: fit_zipf_exponent([n for n, _ in r]) for y, r in sorted(rows.items())}
    kept = [s for y, s in zipf_by_year.items() if y not in TOULOUSE_EXCLUDED_YEARS]
    mono = [
        fit_zipf_exponent([n for n, is_perio in rows[y] if not is_perio])
        for y in _labelled_years(rows)
        if y not in TOULOUSE_EXCLUDED_YEARS
    ]
    return RealRanges(
        authority_years=tuple(ays),
        cv_min=min(ay.cv for ay in ays),
        cv_max=max(ay.cv for ay in ays),
        peak_trough_min=min(ay.peak_trough for ay in ays),
        peak_trough_max=max(ay.peak_trough for ay in ays),
        seasonal_shape=shape,
        renewal_ratio_min=min(r for _, r in years),
        renewal_ratio_max=max(r for _, r in years),
        zipf_by_year=zipf_by_year,
        zipf_min=min(kept),
        zipf_max=max(kept),
        zipf_monographs_min=min(mono),
        zipf_monographs_max=max(mono),
    )
