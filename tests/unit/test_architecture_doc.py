"""docs/architecture.md stays true: every path it names exists, and every package of shared/ is described."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "architecture.md"
PATH_IN_BACKTICKS = re.compile(r"`((?:functions|shared|tests|bench|devstack|sandbox|web|infra|docs)/[\w./-]*)`")


def test_every_path_the_architecture_names_exists() -> None:
    named = set(PATH_IN_BACKTICKS.findall(DOC.read_text(encoding="utf-8")))
    assert len(named) >= 20, "the page names the files where decisions live"
    assert sorted(path for path in named if not (ROOT / path).exists()) == []


def test_every_package_of_shared_is_described() -> None:
    text = DOC.read_text(encoding="utf-8")
    packages = sorted(p.name for p in (ROOT / "shared").iterdir() if (p / "__init__.py").exists())
    assert packages  # adapters, domain, services, web…
    assert [name for name in packages if f"`shared/{name}/`" not in text] == []


def test_the_readme_sends_readers_to_the_architecture_in_the_repo() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/architecture.md" in readme
    assert "../shared/DESIGN.md" not in readme
