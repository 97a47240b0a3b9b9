from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO.parent / "shared" / "seeds"
PSA_2002_3 = SEEDS / "002_e60160bc507d1125.txt"
PSA_2000_2 = SEEDS / "004_f84740e5ee7e20f0.txt"
CERT_000 = SEEDS / "000_72145ec7ad54c583.txt"
CERT_001 = SEEDS / "001_1b496b0a61acfa02.txt"


@pytest.fixture(scope="session")
def seeds() -> Path:
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not beside the checkout")
    return SEEDS


@pytest.fixture(scope="session")
def ingest_2002_3(seeds: Path):  # type: ignore[no-untyped-def]
    from rmbs.deal.build import ingest_seed

    return ingest_seed(PSA_2002_3)


@pytest.fixture(scope="session")
def ingest_2000_2(seeds: Path):  # type: ignore[no-untyped-def]
    from rmbs.deal.build import ingest_seed

    return ingest_seed(PSA_2000_2)
