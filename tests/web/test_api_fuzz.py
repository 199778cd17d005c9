"""A bounded Schemathesis run over the API's own OpenAPI document, in process, on seeded data.

Every operation gets generated valid and invalid requests (ids up to and past 64 bits, statuses,
bodies); no answer may be a 5xx, and every answer must be documented and match its schema.
Derandomized and capped, so it is deterministic and takes seconds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode
from schemathesis.schemas import APIOperation

from flarewatch.accounts import service as accounts
from flarewatch.db.engine import session_scope

from .conftest import WebEnv, make_env
from .seed import Seeded


@pytest.fixture(scope="module")
def fuzz_env(
    tmp_path_factory: pytest.TempPathFactory, _template: tuple[Path, Seeded]
) -> Iterator[WebEnv]:
    """Its own copy of the seeded database: generated requests triage and add notes."""
    env = make_env(tmp_path_factory.mktemp("fuzz"), _template)
    yield env
    env.engine.dispose()


@pytest.fixture(scope="module")
def admin_token(fuzz_env: WebEnv) -> str:
    with session_scope(fuzz_env.engine) as session:
        user = accounts.get_user_by_email(session, fuzz_env.seeded.users["acme-admin"])
        assert user is not None
        _, secret = accounts.create_token(session, user, "fuzz")
    return secret


EXAMPLES_PER_OPERATION = 20


def _fuzz_operation(
    operation: APIOperation, mode: GenerationMode, headers: dict[str, str], seen: Counter[int]
) -> None:
    # Most requests should reach the seeded workspace rather than stop at its 404.
    pinned = {"slug": "acme"} if "{slug}" in operation.path else None
    strategy = operation.as_strategy(generation_mode=mode, path_parameters=pinned)

    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is reported as is
    )
    def run(case: Case) -> None:
        seen[case.call_and_validate(headers=headers).status_code] += 1

    run()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_api_conforms_to_its_schema(
    fuzz_env: WebEnv, admin_token: str, mode: GenerationMode
) -> None:
    """No 5xx, every status documented, every body as its schema says, invalid input refused.

    (Schemathesis' pytest plugin does not run on pytest 9, so the operations are walked here.)
    """
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", fuzz_env.app)
    headers = {"Authorization": f"Bearer {admin_token}"}
    failures: list[str] = []
    seen: Counter[int] = Counter()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:
        try:
            _fuzz_operation(operation, mode, headers, seen)
        except Unsatisfiable:
            # Negative mode, with the slug pinned: nothing left in the request to make invalid.
            assert mode is GenerationMode.NEGATIVE
        except Exception as error:  # one report for every operation that fails, not the first
            failures.append(f"{operation.label}: {error}")
    assert not failures, "\n\n".join(failures)
    if mode is GenerationMode.POSITIVE:
        # The run reached real data, not only 404s and 422s.
        assert sum(n for status, n in seen.items() if 200 <= status < 300) >= 50, seen
    else:
        assert seen[422] >= 50, seen
