"""Import MARC records through the catalogue handlers: create, update or leave each title."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO

from projections.runner import catch_up
from projections.title_keys import TitleKeys, find_title
from service.application.catalogue import (
    ISBN_REASONS,
    AddCopy,
    CatalogueTitle,
    add_copy,
    catalogue_title,
    copy_title_id,
    title_stream,
    update_title,
)
from service.application.context import Actor, Ports
from service.data.importing.batching import bulk_ports
from service.data.importing.marc import RecordError, TitleRecord, iter_marc_stream
from service.data.importing.report import (
    MarcImportSummary,
    RecordProblem,
    from_record_error,
    problem,
)
from service.data.importing.title_fields import fold_title, record_fields, title_changes
from service.domain.errors import DomainError

# (records read, bytes read, bytes in the file)
MarcProgress = Callable[[int, int, int], None]
MAX_BARCODE = 64


@dataclass
class MarcRun:
    """What one run has touched: match key -> title and title -> the record that touched it.

    It makes a run correct even while projections lag behind (Celery mode) and lets a
    repeated record (same keys) be recognised instead of fighting over the same title.
    """

    titles: dict[str, str] = field(default_factory=dict)
    first_seen: dict[str, str] = field(default_factory=dict)

    def find(self, keys: list[str]) -> str | None:
        return next((self.titles[k] for k in keys if k in self.titles), None)

    def remember(self, keys: list[str], title_id: str, where: str) -> None:
        for key in keys:
            self.titles.setdefault(key, title_id)
        self.first_seen.setdefault(title_id, where)


def file_digest(stream: BinaryIO) -> tuple[str, int]:
    """SHA-256 and size of a seekable stream, which is left at its start."""
    digest = hashlib.sha256()
    size = 0
    stream.seek(0)
    while block := stream.read(1 << 20):
        digest.update(block)
        size += len(block)
    stream.seek(0)
    return digest.hexdigest(), size


def import_marc(
    ports: Ports, actor: Actor, stream: BinaryIO, *, name: str = "upload",
    default_branch: str = "main", progress: MarcProgress | None = None,
    run: MarcRun | None = None, dialect: str = "auto", encoding: str | None = None,
) -> MarcImportSummary:
    """Import every record of a MARC 21 or CNMARC (UNIMARC) file, ISO 2709 or MARCXML.

    ``dialect`` ('auto', 'marc21', 'cnmarc') and ``encoding`` ('utf-8', 'gb18030', 'marc8';
    None: detected) override what is read from the file. Bad records are reported.
    """
    digest, size = file_digest(stream)
    run = run if run is not None else MarcRun()
    # Read our own keys up to the head of the log (cheap, locked like any runner), so a
    # re-import matches titles even when the workers have not caught up yet.
    catch_up(ports.engine, ports.store, TitleKeys())
    with bulk_ports(ports) as bulk:
        job = _Job(bulk, actor, name, digest[:16], default_branch, run)
        for item in iter_marc_stream(stream, dialect, encoding):
            job.summary.records += 1
            if isinstance(item, RecordError):
                job.summary.errors.append(from_record_error(name, item))
            else:
                job.record(item)
            if progress is not None:
                progress(job.summary.records, stream.tell(), size)
    return job.summary


class _Job:
    def __init__(self, ports: Ports, actor: Actor, name: str, digest: str, branch: str,
                 run: MarcRun) -> None:
        self.ports, self.actor, self.name, self.digest = ports, actor, name, digest
        self.branch, self.run = branch, run
        self.summary = MarcImportSummary(files=[name])

    def _note(self, record: TitleRecord, code: str, value: str = "",
              reason: tuple[str, str] = ("", "")) -> None:
        self.summary.notices.append(
            problem(self.name, record.source_position, record.control_number, code, value, reason))

    def _fail(self, record: TitleRecord, exc: DomainError) -> None:
        self.summary.errors.append(RecordProblem(
            self.name, record.source_position, record.control_number, exc.code, exc.en, exc.zh))

    def _seen(self, position: int) -> None:
        self.summary.last_position = max(self.summary.last_position, position)

    def record(self, record: TitleRecord) -> None:
        values, cut = record_fields(record)
        for issue in record.isbn_errors:
            self._note(record, "invalid_isbn", issue.raw, ISBN_REASONS.get(issue.reason, ("", "")))
        if cut:
            self._note(record, "field_cut", ", ".join(cut))
        keys = list(values["source_keys"])
        base = f"marc:{self.digest}:{record.source_position}"
        where = f"{self.name} #{record.source_position}"
        title_id = self.run.find(keys)
        try:
            if title_id is not None:
                self.summary.skipped += 1
                self._note(record, "repeated_in_run", self.run.first_seen.get(title_id, "?"))
            else:
                title_id = self._create_or_update(keys, values, base)
        except DomainError as exc:
            self._fail(record, exc)
            return
        self.run.remember(keys, title_id, where)
        self._copies(record, title_id, base)

    def _create_or_update(self, keys: list[str], values: dict[str, object], base: str) -> str:
        with self.ports.engine.connect() as conn:
            title_id = find_title(conn, keys)
        if title_id is None:
            outcome = catalogue_title(self.ports, self.actor, CatalogueTitle(**values), base)  # type: ignore[arg-type]
            # A replay means an earlier, interrupted run of this file already created it.
            if outcome.replayed:
                self.summary.unchanged += 1
            else:
                self.summary.created += 1
            self._seen(outcome.position)
            return str(outcome.result["title_id"])
        loaded = self.ports.store.load([title_stream(title_id)])
        changes = title_changes(fold_title(loaded.events) or {}, values)
        if not changes:
            self.summary.unchanged += 1
            return title_id
        # The title's version in the key: a crash re-run replays this very update, while a
        # later re-import of the same file after a manual edit still applies.
        key = f"{base}:v{loaded.version(title_stream(title_id))}"
        outcome = update_title(self.ports, self.actor, title_id, changes, key)
        self.summary.updated += 1
        self._seen(outcome.position)
        return title_id

    def _copies(self, record: TitleRecord, title_id: str, base: str) -> None:
        for spec in record.copies:
            barcode = (spec.barcode or "").strip()
            if not barcode or len(barcode) > MAX_BARCODE:
                self.summary.copies_without_barcode += 1
                continue
            owner = copy_title_id(self.ports, barcode)
            if owner is not None:
                self.summary.copies_existing += 1
                if owner != title_id:
                    self._note(record, "barcode_elsewhere", barcode)
                continue
            command = AddCopy(barcode=barcode, title_id=title_id,
                              branch=(spec.branch or self.branch)[:64],
                              item_type=spec.item_type.lower()[:32] if spec.item_type else None,
                              shelf_mark=spec.shelf_mark[:100] if spec.shelf_mark else None,
                              price_fen=spec.price_fen)
            try:
                outcome = add_copy(self.ports, self.actor, command, f"{base}:copy:{barcode}")
            except DomainError as exc:
                self._fail(record, exc)
                continue
            self.summary.copies_added += 1
            self._seen(outcome.position)
