"""Set-based writes for rebuilds: handlers fold into memory, each batch is flushed in bulk.

A rebuild folds the log into brand-new, empty build tables that nothing else writes, so an
in-memory copy of every build table (its rows by primary key) stays exact for the whole
rebuild. During a rebuild, handlers get a ``BufferedConnection`` instead of the real one: the
statements they run (unchanged, written against the live tables) are carried out on those
copies when their shape allows it:

- INSERT of rows (one, a list, or ``.values([...])``), with ``ON CONFLICT DO NOTHING`` or
  ``DO UPDATE SET col = col + excluded.col`` on the primary key, with RETURNING;
- UPDATE and DELETE whose WHERE is a conjunction of ``col = value`` / ``!=`` / ``IS [NOT]
  NULL`` / ``IS true`` / ``= true`` (or false) / ``IN``, with SET values that are literals,
  parameters, or ``col +/- value``;
- SELECT of columns (or count/max/min/sum of them) of one table under such a WHERE.

So the thousand updates of one reader's row in a batch become one row written once: keyed
upserts are coalesced in memory. At the end of each batch the rows that changed are flushed,
in the batch's transaction, by one executemany per table and kind (DELETE, UPDATE, INSERT;
insertmanyvalues on both databases), before the build's position moves.

Any other statement (a join, an ORDER BY, SQL text, a dialect function) is run on the
database as it is, after flushing the tables it names; if it writes, that table's copy is
given up and it is written directly for the rest of the rebuild. Correctness therefore never
depends on the shapes recognised here, only speed does; the rebuild == incremental tests of
every projection check both paths. The live, incremental runner never uses this module.
"""

from __future__ import annotations

import operator
import weakref
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import JSON, Connection, Index, Table, UniqueConstraint, and_, bindparam
from sqlalchemy.sql import elements, operators
from sqlalchemy.sql.dml import Delete, Insert, Update
from sqlalchemy.sql.functions import Function
from sqlalchemy.sql.selectable import Select
from sqlalchemy.sql.util import find_tables

Key = tuple[Any, ...]


class Unsupported(Exception):
    """A statement shape the copies cannot carry out: run it on the database instead."""


class DuplicateKey(Exception):
    """An INSERT without ON CONFLICT hit an existing primary key (the database would refuse)."""


_ARITH = {operators.add: operator.add, operators.sub: operator.sub, operators.mul: operator.mul}
_ORDER = {operators.gt: operator.gt, operators.ge: operator.ge, operators.lt: operator.lt,
          operators.le: operator.le}
_AGGREGATES = {"count", "max", "min", "sum"}


class TableMirror:
    """The rows of one build table, by primary key, and what the database still lacks."""

    def __init__(self, table: Table, target: str | None = None) -> None:
        self.table = table
        # The build table's real name, for COPY (which the redirection of compiled SQL does
        # not see); None: new rows go through executemany.
        self.target = target
        self._copy_types: tuple[Any, ...] | None = None
        self.pk = tuple(c.name for c in table.primary_key.columns)
        self.columns = tuple(c.name for c in table.columns)
        self.column_set = frozenset(self.columns)
        self.json = frozenset(c.name for c in table.columns if isinstance(c.type, JSON))
        self.defaults: dict[str, Any] = {}
        self.enabled = bool(self.pk)
        for column in table.columns:
            default = column.default
            if default is not None and getattr(default, "is_scalar", False):
                self.defaults[column.name] = getattr(default, "arg", None)
            elif default is not None or (column.server_default is not None):
                self.enabled = False  # a value only the database (or a callable) knows
        self.other_unique = any(c.unique for c in table.columns) or any(
            isinstance(c, UniqueConstraint) for c in table.constraints) or any(
            i.unique for i in table.indexes)
        # A new row before its values: every column, with its default (in column order).
        self.blank = {c: self.defaults.get(c) for c in self.columns}
        self.rows: dict[Key, dict[str, Any]] = {}
        self.in_db: set[Key] = set()  # keys whose row the database holds now
        self.dirty: set[Key] = set()  # keys whose row differs from the database's
        self.indexes: dict[str, dict[Any, set[Key]]] = {}
        # The build table's secondary indexes not made yet (rebuilding._start leaves them
        # out): made once the bulk fold is done, one sorted build each instead of an index
        # update per row, or as soon as a statement on this table has to run on the database.
        self.deferred: list[Index] = []
        self.indexed = True  # whether the deferred indexes exist (rebuilding._start says)
        # What happened, for the rebuild's report and the tests that keep every projection
        # on this path: statements done in memory, rows flushed, and whether we gave up.
        self.in_memory = 0
        self.flushed = 0
        self.gave_up = False

    # -- rows ------------------------------------------------------------------------------
    def key(self, row: dict[str, Any]) -> Key:
        return tuple(row[c] for c in self.pk)

    def put(self, key: Key, row: dict[str, Any]) -> None:
        old = self.rows.get(key)
        for name, index in self.indexes.items():
            if old is not None:
                index.get(_hashable(old[name]), set()).discard(key)
            index.setdefault(_hashable(row[name]), set()).add(key)
        self.rows[key] = row
        self.dirty.add(key)

    def drop(self, key: Key) -> None:
        old = self.rows.pop(key)
        for name, index in self.indexes.items():
            index.get(_hashable(old[name]), set()).discard(key)
        self.dirty.add(key)

    def candidates(self, conditions: list[tuple[str, Any, Any]]) -> Iterable[Key]:
        """Keys that may match (a superset); the conditions are checked by the caller."""
        equal = {c: v for c, op, v in conditions if op is operators.eq}
        if all(c in equal for c in self.pk):
            key = tuple(equal[c] for c in self.pk)
            return (key,) if key in self.rows else ()
        if equal:
            name = next(iter(equal))
            index = self.indexes.get(name)
            if index is None:
                index = self.indexes[name] = {}
                for key, row in self.rows.items():
                    index.setdefault(_hashable(row[name]), set()).add(key)
            return list(index.get(_hashable(equal[name]), ()))
        return list(self.rows)

    def matching(self, conditions: list[tuple[str, Any, Any]]) -> list[Key]:
        return [k for k in self.candidates(conditions)
                if all(_holds(self.rows[k][c], op, v) for c, op, v in conditions)]

    def give_up(self) -> None:
        """Stop mirroring: from now on the table is written directly (flush first)."""
        self.gave_up = self.gave_up or self.enabled
        self.enabled = False
        self.rows.clear()
        self.in_db.clear()
        self.dirty.clear()
        self.indexes.clear()
        # Indexes made in a transaction that is now rolled back are gone: check again.
        self.indexed = not self.deferred

    def make_indexes(self, conn: Connection) -> None:
        """Create the deferred indexes that do not exist yet (a no-op once made)."""
        if not self.indexed:
            for index in self.deferred:
                index.create(conn, checkfirst=True)
            self.indexed = True

    # -- flush -----------------------------------------------------------------------------
    def flush(self, conn: Connection) -> None:
        if not self.dirty:
            return
        table = self.table
        deletes, updates, inserts = [], [], []
        for key in self.dirty:
            row = self.rows.get(key)
            if row is None:
                if key in self.in_db:
                    deletes.append({f"_k_{c}": v for c, v in zip(self.pk, key, strict=True)})
                    self.in_db.discard(key)
            elif key in self.in_db:
                updates.append({**{f"_k_{c}": row[c] for c in self.pk},
                                **{f"_v_{c}": row[c] for c in self.columns if c not in self.pk}})
            else:
                inserts.append(dict(row))
                self.in_db.add(key)
        self.dirty.clear()
        self.flushed += len(deletes) + len(updates) + len(inserts)
        where = and_(*(table.c[c] == bindparam(f"_k_{c}") for c in self.pk))
        if deletes:
            conn.execute(table.delete().where(where), deletes)
        others = [c for c in self.columns if c not in self.pk]
        if updates and others:
            conn.execute(table.update().where(where)
                         .values({c: bindparam(f"_v_{c}") for c in others}), updates)
        if inserts:
            if self.target is not None and conn.dialect.name == "postgresql":
                self._copy(conn, inserts)
            else:
                conn.execute(table.insert(), inserts)

    def _copy(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        """New rows by COPY FROM STDIN (PostgreSQL), several times as fast as executemany;
        each value goes through its column type's bind processing (JSON -> Json(...), as
        executemany does), so the stored rows are the same."""
        if self._copy_types is None:
            self._copy_types = tuple(c.type._cached_bind_processor(conn.dialect)
                                     for c in self.table.columns)
        quote = conn.dialect.identifier_preparer.quote
        columns = ", ".join(quote(c) for c in self.columns)
        plain = [(i, c) for i, (c, p) in enumerate(zip(self.columns, self._copy_types,
                                                        strict=True)) if p is None]
        processed = [(i, c, p) for i, (c, p) in enumerate(zip(self.columns, self._copy_types,
                                                               strict=True)) if p is not None]
        width = len(self.columns)
        assert self.target is not None  # the caller copies only into a named build table
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            with cursor.copy(f"COPY {quote(self.target)} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    values: list[Any] = [None] * width
                    for i, c in plain:
                        values[i] = row[c]
                    for i, c, process in processed:
                        values[i] = process(row[c])
                    copy.write_row(values)
        finally:
            cursor.close()


class BufferedConnection:
    """Stands in for the rebuild's connection inside handlers (see the module's docstring)."""

    def __init__(self, conn: Connection, mirrors: Iterable[TableMirror]) -> None:
        self.conn = conn
        self.mirrors: dict[str, TableMirror] = {m.table.name: m for m in mirrors}

    def __getattr__(self, name: str) -> Any:  # dialect, engine, ...
        return getattr(self.conn, name)

    # -- what handlers call ----------------------------------------------------------------
    def execute(self, statement: Any, parameters: Any = None, **kw: Any) -> Any:
        if not kw:
            try:
                result = self._in_memory(statement, parameters)
            except Unsupported:
                pass
            else:
                self._last.in_memory += 1
                return result
        return self._on_database(statement, parameters, **kw)

    def scalar(self, statement: Any, parameters: Any = None, **kw: Any) -> Any:
        return self.execute(statement, parameters, **kw).scalar()

    def scalars(self, statement: Any, parameters: Any = None, **kw: Any) -> Any:
        return self.execute(statement, parameters, **kw).scalars()

    def exec_driver_sql(self, statement: str, *args: Any, **kw: Any) -> Any:
        self.flush()
        for mirror in self.mirrors.values():
            mirror.make_indexes(self.conn)
        if not statement.lstrip().lower().startswith("select"):
            for mirror in self.mirrors.values():
                mirror.give_up()
        return self.conn.exec_driver_sql(statement, *args, **kw)

    def flush(self, only: Iterable[TableMirror] | None = None) -> None:
        for mirror in (self.mirrors.values() if only is None else only):
            mirror.flush(self.conn)

    def give_up(self) -> None:
        """The transaction is lost (rolled back): the copies no longer match the database."""
        for mirror in self.mirrors.values():
            mirror.give_up()

    # -- the database path -----------------------------------------------------------------
    def _on_database(self, statement: Any, parameters: Any, **kw: Any) -> Any:
        if isinstance(statement, elements.ClauseElement) and not isinstance(
                statement, elements.TextClause):
            named = {t.name for t in find_tables(statement, include_crud=True,
                                                 include_aliases=True, include_joins=True,
                                                 include_selects=True) if isinstance(t, Table)}
            touched = [m for n, m in self.mirrors.items() if n in named]
        else:
            touched = list(self.mirrors.values())
        self.flush(touched)
        for mirror in touched:  # the database may need them to run it (or keep them up)
            mirror.make_indexes(self.conn)
        if not isinstance(statement, Select):
            written = (getattr(statement, "table", None),)
            for mirror in touched:
                if not isinstance(statement, (Insert, Update, Delete)) \
                        or mirror.table is written[0]:
                    mirror.give_up()
        return self.conn.execute(statement, parameters, **kw)

    # -- the in-memory path ----------------------------------------------------------------
    def _mirror(self, table: Any) -> TableMirror:
        mirror = self.mirrors.get(getattr(table, "name", ""))
        if mirror is None or not mirror.enabled or mirror.table is not table:
            raise Unsupported
        self._last = mirror
        return mirror

    def _in_memory(self, statement: Any, parameters: Any) -> Any:
        if isinstance(statement, Insert):
            return self._insert(statement, parameters)
        if isinstance(statement, Update):
            return self._update(statement, parameters)
        if isinstance(statement, Delete):
            return self._delete(statement, parameters)
        if isinstance(statement, Select):
            return self._select(statement, parameters)
        raise Unsupported

    def _insert(self, stmt: Insert, parameters: Any) -> Any:
        mirror = self._mirror(stmt.table)
        if stmt.select is not None:
            raise Unsupported
        conflict = _conflict(stmt, mirror)
        given = _param_sets(parameters)
        if stmt._multi_values:
            if len(stmt._multi_values) != 1 or len(given) > 1:
                raise Unsupported
            params = given[0]
            multi: Any = stmt._multi_values[0]
            if not all(isinstance(values, dict) for values in multi):
                raise Unsupported
            raw = [{_name(k): _evaluate(v, None, None, params) for k, v in values.items()}
                   for values in multi]
        elif stmt._values:
            raw = [{**{_name(k): _evaluate(v, None, None, p) for k, v in stmt._values.items()},
                    **{k: v for k, v in p.items() if k in mirror.columns}} for p in given]
        else:
            raw = [dict(p) for p in given]
        rows = []
        for values in raw:
            if not mirror.column_set.issuperset(values):
                raise Unsupported
            row = {**mirror.blank, **values}
            if any(row[c] is None for c in mirror.pk):
                raise Unsupported  # a key the database makes (autoincrement)
            for name in mirror.json:
                row[name] = _copy_json(row[name])
            rows.append(row)
        returning = _returning(stmt, mirror)
        out: list[tuple[Any, ...]] = []
        for row in rows:
            key = mirror.key(row)
            old = mirror.rows.get(key)
            if old is None:
                mirror.put(key, row)
                written = row
            elif conflict is None:
                raise DuplicateKey(f"{mirror.table.name}: duplicate key {key!r}")
            elif conflict == "nothing":
                continue
            else:
                new = dict(old)
                for column, expr in conflict:
                    new[column] = _evaluate(expr, old, row, {})
                mirror.put(key, new)
                written = new
            if returning is not None:
                out.append(tuple(written[c] for c in returning))
        return MemoryResult(returning or (), out, rowcount=len(rows))

    def _update(self, stmt: Update, parameters: Any) -> Any:
        mirror = self._mirror(stmt.table)
        if stmt._returning or getattr(stmt, "_extra_froms", None) \
                or getattr(stmt, "_ordered_values", None):
            raise Unsupported
        count = 0
        plans = []
        for params in _param_sets(parameters):
            conditions = _conditions(stmt._where_criteria, mirror, params)
            sets = {_name(k): v for k, v in (stmt._values or {}).items()}
            used = _bind_keys(stmt)
            for name, value in params.items():
                if name in mirror.column_set and name not in used and name not in sets:
                    sets[name] = bindparam(name, value)
            if not sets or not mirror.column_set.issuperset(sets):
                raise Unsupported
            for expr in sets.values():
                _check(expr)
            plans.append((conditions, sets, params))
        for conditions, sets, params in plans:
            for key in mirror.matching(conditions):
                old = mirror.rows[key]
                new = dict(old)
                for name, expr in sets.items():
                    new[name] = _evaluate(expr, old, None, params)
                if mirror.key(new) != key:
                    raise Unsupported  # a changed primary key: leave it to the database
                mirror.put(key, new)
                count += 1
        return MemoryResult((), [], rowcount=count)

    def _delete(self, stmt: Delete, parameters: Any) -> Any:
        mirror = self._mirror(stmt.table)
        if stmt._returning or getattr(stmt, "_extra_froms", None):
            raise Unsupported
        plans = [_conditions(stmt._where_criteria, mirror, p) for p in _param_sets(parameters)]
        count = 0
        for conditions in plans:
            for key in mirror.matching(conditions):
                mirror.drop(key)
                count += 1
        return MemoryResult((), [], rowcount=count)

    def _select(self, stmt: Select[Any], parameters: Any) -> Any:
        if (stmt._setup_joins or stmt._group_by_clauses or stmt._having_criteria
                or stmt._order_by_clauses or stmt._limit_clause is not None
                or stmt._offset_clause is not None or stmt._distinct or stmt._from_obj
                or getattr(stmt, "_for_update_arg", None) is not None):
            raise Unsupported
        # The one table named by the columns (get_final_froms would compile the statement).
        froms = {id(t): t for t in map(_table_of, stmt._raw_columns) if t is not None}
        if len(froms) != 1:
            raise Unsupported
        mirror = self._mirror(next(iter(froms.values())))
        params = _param_sets(parameters)
        if len(params) != 1:
            raise Unsupported
        conditions = _conditions(stmt._where_criteria, mirror, params[0])
        plain: list[str] = []
        aggregates: list[tuple[str, str | None]] = []
        for column in stmt._raw_columns:
            if column is mirror.table:
                plain.extend(mirror.columns)
            elif isinstance(column, elements.Label) and not aggregates and not plain:
                raise Unsupported
            elif isinstance(column, Function) and column.name.lower() in _AGGREGATES:
                args = list(column.clauses)
                if not args and column.name.lower() == "count":
                    aggregates.append(("count", None))
                elif len(args) == 1 and _own_column(args[0], mirror):
                    aggregates.append((column.name.lower(), args[0].name))
                else:
                    raise Unsupported
            elif _own_column(column, mirror):
                plain.append(_name(column))
            else:
                raise Unsupported
        if plain and aggregates:
            raise Unsupported
        keys = mirror.matching(conditions)
        if aggregates:
            names = [f"{fn}_{i}" for i, (fn, _c) in enumerate(aggregates)]
            return MemoryResult(names, [tuple(_aggregate(fn, col, keys, mirror)
                                              for fn, col in aggregates)])
        keys.sort(key=_order_key)  # stable: the same on every run, like an index scan
        # Copies of the JSON values selected (a handler may change them), not of the rest.
        copied = [(c, c in mirror.json) for c in plain]
        rows = [mirror.rows[k] for k in keys]
        return MemoryResult(plain, [tuple(_copy_json(r[c]) if json else r[c]
                                          for c, json in copied) for r in rows])


class MemoryResult:
    """Enough of a CursorResult for what handlers do with one."""

    def __init__(self, keys: Sequence[str], rows: list[tuple[Any, ...]], rowcount: int = -1
                 ) -> None:
        self._keys = list(keys)
        self._rows = [_Row(r, self._keys) for r in rows]
        self.rowcount = rowcount if rowcount >= 0 else len(rows)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rows)

    def keys(self) -> list[str]:
        return self._keys

    def all(self) -> list[Any]:
        return list(self._rows)

    def fetchall(self) -> list[Any]:
        return list(self._rows)

    def first(self) -> Any:
        return self._rows[0] if self._rows else None

    def one(self) -> Any:
        if len(self._rows) != 1:
            from sqlalchemy.exc import MultipleResultsFound, NoResultFound
            raise (NoResultFound if not self._rows else MultipleResultsFound)(
                "expected one row")
        return self._rows[0]

    def one_or_none(self) -> Any:
        return self.one() if self._rows else None

    def scalar(self) -> Any:
        return self._rows[0][0] if self._rows else None

    def scalar_one(self) -> Any:
        return self.one()[0]

    def scalar_one_or_none(self) -> Any:
        return self.one()[0] if self._rows else None

    def scalars(self) -> _Many:
        return _Many([r[0] for r in self._rows])

    def mappings(self) -> _Many:
        return _Many([dict(zip(self._keys, r, strict=True)) for r in self._rows])


class _Many:
    def __init__(self, items: list[Any]) -> None:
        self.items = items

    def __iter__(self) -> Iterator[Any]:
        return iter(self.items)

    def all(self) -> list[Any]:
        return list(self.items)

    def first(self) -> Any:
        return self.items[0] if self.items else None

    def one(self) -> Any:
        if len(self.items) != 1:
            from sqlalchemy.exc import MultipleResultsFound, NoResultFound
            raise (NoResultFound if not self.items else MultipleResultsFound)(
                "expected one row")
        return self.items[0]

    def one_or_none(self) -> Any:
        return self.one() if self.items else None


class _Row(tuple[Any, ...]):
    _fields: list[str]

    def __new__(cls, values: tuple[Any, ...], fields: list[str]) -> _Row:
        row = super().__new__(cls, values)
        row._fields = fields
        return row

    def __getattr__(self, name: str) -> Any:
        try:
            return self[self._fields.index(name)]
        except ValueError:
            raise AttributeError(name) from None

    @property
    def _mapping(self) -> dict[str, Any]:
        return dict(zip(self._fields, self, strict=True))


# -- statement analysis ----------------------------------------------------------------------
def _param_sets(parameters: Any) -> list[dict[str, Any]]:
    if parameters is None:
        return [{}]
    if isinstance(parameters, dict):
        return [parameters]
    if isinstance(parameters, (list, tuple)) and parameters \
            and all(isinstance(p, dict) for p in parameters):
        return list(parameters)
    raise Unsupported


def _name(key: Any) -> str:
    return key if isinstance(key, str) else str(getattr(key, "name", key))


def _table_of(column: Any) -> Any:
    if isinstance(column, Table):
        return column
    if isinstance(column, Function):
        tables = [_table_of(c) for c in column.clauses]
        return tables[0] if len(tables) == 1 else None
    return getattr(column, "table", None)


def _own_column(expr: Any, mirror: TableMirror) -> bool:
    return isinstance(expr, elements.ColumnClause) and getattr(expr, "table", None) is mirror.table


def _conflict(stmt: Insert, mirror: TableMirror) -> Any:
    clause = getattr(stmt, "_post_values_clause", None)
    if clause is None:
        return None
    kind = type(clause).__name__
    target = getattr(clause, "inferred_target_elements", None)
    if getattr(clause, "constraint_target", None) is not None \
            or getattr(clause, "inferred_target_whereclause", None) is not None:
        raise Unsupported
    if target is not None and sorted(map(_name, target)) != sorted(mirror.pk):
        raise Unsupported
    if target is None and mirror.other_unique:
        raise Unsupported  # a conflict on another unique key would count too
    if kind == "OnConflictDoNothing":
        return "nothing"
    if kind == "OnConflictDoUpdate" and target is not None \
            and getattr(clause, "update_whereclause", None) is None:
        sets = clause.update_values_to_set
        pairs = list(sets.items()) if isinstance(sets, dict) else list(sets)
        out = [(_name(k), v) for k, v in pairs]
        if any(n not in mirror.columns or n in mirror.pk for n, _v in out):
            raise Unsupported
        for _n, expr in out:
            _check(expr)
        return out
    raise Unsupported


def _returning(stmt: Insert, mirror: TableMirror) -> list[str] | None:
    if not stmt._returning:
        return None
    names = []
    for column in stmt._returning:
        if not _own_column(column, mirror):
            raise Unsupported
        names.append(_name(column))
    return names


def _bind_keys(stmt: Any) -> frozenset[str]:
    # Statements are immutable and a handler's are often built once and run per event:
    # walk each one's tree once (weakly held, so statements built per call still go).
    found = _BINDS.get(stmt)
    if found is None:
        keys: set[str] = set()
        for criterion in stmt._where_criteria:
            _collect_binds(criterion, keys)
        for value in (stmt._values or {}).values():
            _collect_binds(value, keys)
        found = _BINDS[stmt] = frozenset(keys)
    return found


_BINDS: weakref.WeakKeyDictionary[Any, frozenset[str]] = weakref.WeakKeyDictionary()


def _collect_binds(expr: Any, found: set[str]) -> None:
    if isinstance(expr, elements.BindParameter):
        found.add(expr.key)
    for child in getattr(expr, "get_children", lambda: ())():
        _collect_binds(child, found)


def _conditions(criteria: Sequence[Any], mirror: TableMirror,
                params: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    out: list[tuple[str, Any, Any]] = []
    for criterion in criteria:
        _condition(criterion, mirror, params, out)
    return out


def _condition(expr: Any, mirror: TableMirror, params: dict[str, Any],
               out: list[tuple[str, Any, Any]]) -> None:
    if isinstance(expr, elements.BooleanClauseList) and expr.operator is operators.and_:
        for clause in expr.clauses:
            _condition(clause, mirror, params, out)
        return
    if isinstance(expr, elements.Grouping):
        return _condition(expr.element, mirror, params, out)
    if not isinstance(expr, elements.BinaryExpression) or not _own_column(expr.left, mirror):
        raise Unsupported
    op = expr.operator
    right = expr.right
    constant = _BOOLEAN_CONSTANTS.get(type(right))
    if op is operators.is_ and constant is not None:
        # "col IS true" holds exactly where "col = true" does (both are false on NULL).
        out.append((expr.left.name, operators.eq, constant))
    elif op in (operators.is_, operators.is_not):
        if not isinstance(right, elements.Null):
            raise Unsupported
        out.append((expr.left.name, op, None))
    elif op in (operators.eq, operators.ne) and constant is not None:
        out.append((expr.left.name, op, constant))
    elif op in (operators.eq, operators.ne) or op in _ORDER:
        if not isinstance(right, elements.BindParameter):
            raise Unsupported
        out.append((expr.left.name, op, _bound(right, params)))
    elif op is operators.in_op:
        if not isinstance(right, elements.BindParameter) or not right.expanding:
            raise Unsupported
        out.append((expr.left.name, op, frozenset(map(_hashable, _bound(right, params)))))
    else:
        raise Unsupported


# The SQL constants true and false (``.is_(True)``, ``== True``) compare like bound values.
_BOOLEAN_CONSTANTS: dict[type, bool] = {elements.True_: True, elements.False_: False}


def _holds(value: Any, op: Any, wanted: Any) -> bool:
    if op is operators.eq:
        return value is not None and value == wanted
    if op is operators.ne:
        return value is not None and wanted is not None and value != wanted
    if op is operators.is_:
        return value is None
    if op is operators.is_not:
        return value is not None
    if op in _ORDER:
        return value is not None and wanted is not None and bool(_ORDER[op](value, wanted))
    return value is not None and _hashable(value) in wanted  # in_op


def _bound(bind: elements.BindParameter[Any], params: dict[str, Any]) -> Any:
    if bind.key in params:
        return params[bind.key]
    if bind.callable is not None:
        return bind.callable()
    if bind.required and bind.value is None:
        raise Unsupported
    return bind.value


def _check(expr: Any) -> None:
    """Raise Unsupported now if _evaluate could not evaluate this expression."""
    if not isinstance(expr, elements.ClauseElement):
        return
    if isinstance(expr, (elements.BindParameter, elements.Null, elements.True_,
                         elements.False_, elements.ColumnClause)):
        return
    if isinstance(expr, elements.Grouping):
        return _check(expr.element)
    if isinstance(expr, elements.BinaryExpression) and expr.operator in _ARITH:
        _check(expr.left)
        _check(expr.right)
        return
    raise Unsupported


def _evaluate(expr: Any, row: dict[str, Any] | None, excluded: dict[str, Any] | None,
              params: dict[str, Any]) -> Any:
    if not isinstance(expr, elements.ClauseElement):
        return expr
    if isinstance(expr, elements.BindParameter):
        return _bound(expr, params)
    if isinstance(expr, elements.Null):
        return None
    if isinstance(expr, elements.True_):
        return True
    if isinstance(expr, elements.False_):
        return False
    if isinstance(expr, elements.Grouping):
        return _evaluate(expr.element, row, excluded, params)
    if isinstance(expr, elements.ColumnClause):
        source = excluded if getattr(expr.table, "name", None) == "excluded" else row
        if source is None:
            raise Unsupported
        return source[expr.name]
    if isinstance(expr, elements.BinaryExpression) and expr.operator in _ARITH:
        left = _evaluate(expr.left, row, excluded, params)
        right = _evaluate(expr.right, row, excluded, params)
        return None if left is None or right is None else _ARITH[expr.operator](left, right)
    raise Unsupported


def _aggregate(fn: str, column: str | None, keys: list[Key], mirror: TableMirror) -> Any:
    if column is None:
        return len(keys)
    values = [mirror.rows[k][column] for k in keys if mirror.rows[k][column] is not None]
    if fn == "count":
        return len(values)
    if not values:
        return None
    pick: Any = {"max": max, "min": min, "sum": sum}[fn]
    return pick(values)


def _copy_json(value: Any) -> Any:
    """A deep copy of a JSON column's value (dicts, lists, tuples of scalars), several times
    as fast as copy.deepcopy, which the fold of every JSON row went through."""
    kind = type(value)
    if kind is dict:
        return {k: _copy_json(v) for k, v in value.items()}
    if kind is list:
        return [_copy_json(v) for v in value]
    if kind is tuple:
        return tuple(_copy_json(v) for v in value)
    if kind in _SCALARS:
        return value
    import copy  # anything else (a subclass, a set): the general way

    return copy.deepcopy(value)


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _hashable(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    return value


def _order_key(key: Key) -> tuple[Any, ...]:
    return tuple((v is None, str(type(v)), v if v is not None else 0) for v in key)
