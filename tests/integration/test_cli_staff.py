"""`lector staff` manages accounts from the shell, with the same rules as the API."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from events.engine import make_engine
from events.sqlalchemy_store import SqlEventStore
from service.application.accounts import authenticate_staff
from service.cli import main


def test_an_operator_creates_lists_demotes_resets_and_deactivates_staff_from_the_shell(
    database_url: str, tmp_path: Path
) -> None:
    env = {"DATABASE_URL": database_url, "LECTOR_INSTANCE_DIR": str(tmp_path),
           "LECTOR_SECRET_KEY": "cli-secret", "REDIS_URL": ""}
    runner = CliRunner(env=env)

    def run(*args: str, password: str | None = None) -> tuple[int, str]:
        extra = {"LECTOR_STAFF_PASSWORD": password} if password else {}
        result = runner.invoke(main, ["staff", *args], env=extra)
        return result.exit_code, result.output

    assert run("create", "chief", "--role", "admin", password="chief-pass-1")[0] == 0
    assert run("create", "li", "--role", "librarian", "--name", "李", password="li-pass-11")[0] == 0
    assert run("list")[1].splitlines() == ["chief\tadmin\tactive\tchief",
                                           "li\tlibrarian\tactive\t李"]
    code, out = run("deactivate", "chief")
    assert code == 1 and "last_admin" in out
    code, out = run("role", "chief", "desk")
    assert code == 1 and "last_admin" in out
    assert run("role", "li", "desk") == (0, "li is now desk\n")
    assert run("reset-password", "li", password="li-pass-22")[0] == 0
    assert run("deactivate", "li")[0] == 0
    assert run("list")[1].splitlines()[1] == "li\tdesk\tdeactivated\t李"
    assert run("deactivate", "nobody")[0] == 1

    engine = make_engine(database_url)
    try:
        assert authenticate_staff(engine, "li", "li-pass-22") is None  # deactivated
        assert run("reactivate", "li")[0] == 0
        assert authenticate_staff(engine, "li", "li-pass-22") is not None
        assert authenticate_staff(engine, "li", "li-pass-11") is None
        audit = [(e.type, e.meta["actor"], e.meta["channel"])
                 for e in SqlEventStore(engine).read_all() if e.stream_id == "staff-li"]
        assert [t for t, _, _ in audit] == ["staff.created", "staff.role_changed",
                                            "staff.password_reset", "staff.deactivated",
                                            "staff.reactivated"]
        assert {(a, c) for _, a, c in audit} == {("system:cli", "cli")}
    finally:
        engine.dispose()
