"""Production hashes secrets with the strong Argon2 costs; the test processes with cheap ones."""

from __future__ import annotations

import subprocess
import sys

from argon2 import PasswordHasher

from service.application import accounts
from tests.conftest import TEST_ARGON2
from tests.worker_process import REPO

STRONG = {"time_cost": 2, "memory_cost": 19 * 1024, "parallelism": 1}


def test_the_production_costs_are_the_strong_ones() -> None:
    assert accounts.ARGON2_PARAMETERS == STRONG


def test_a_fresh_process_hashes_with_the_strong_costs() -> None:
    code = "from service.application.accounts import hash_secret; print(hash_secret('desk-pass-1'))"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True,
                         capture_output=True, text=True).stdout
    assert out.startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def test_the_test_suite_hashes_with_the_cheap_costs() -> None:
    stored = accounts.hash_secret("desk-pass-1")
    costs = "m={memory_cost},t={time_cost},p={parallelism}".format(**TEST_ARGON2)
    assert stored.startswith(f"$argon2id$v=19${costs}$")
    assert accounts.verify_secret(stored, "desk-pass-1")
    assert not accounts.verify_secret(stored, "desk-pass-2")


def test_a_hash_made_with_the_production_costs_still_verifies_under_the_cheap_ones() -> None:
    stored = PasswordHasher(**STRONG).hash("librarian-pass-1")
    assert accounts.verify_secret(stored, "librarian-pass-1")
    assert not accounts.verify_secret(stored, "librarian-pass-2")
    assert not accounts.verify_secret(None, "librarian-pass-1")
