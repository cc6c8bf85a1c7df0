"""The committed fixtures are exactly what `make fixtures` builds from seeds/."""

import pytest

from statements.seeding import seed_fixture_build
from tests.paths import ROOT


@pytest.mark.django_db
def test_committed_fixtures_equal_a_fresh_build_from_the_seeds():
    built = seed_fixture_build(
        seeds_dir=ROOT / "seeds", facts_path=ROOT / "seeds" / "curated_facts.toml"
    )
    committed = (ROOT / "fixtures" / "seed.json").read_text(encoding="utf-8")
    assert built == committed, "fixtures/seed.json is stale: run `make fixtures` and commit it"
