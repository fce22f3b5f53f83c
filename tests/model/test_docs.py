"""The docs stay true: the data-model reference is the one the declarations render."""

from pathlib import Path

from arsenalnet.cli.app import app
from arsenalnet.model.docs import BEGIN, END, render

ROOT = Path(__file__).resolve().parents[2]


def test_data_model_page_matches_the_declarations() -> None:
    text = (ROOT / "docs" / "data-model.md").read_text()
    generated = text[text.index(BEGIN) : text.index(END) + len(END)]
    assert generated == render(), "run: python -m arsenalnet.model.docs docs/data-model.md"


def test_readme_gives_the_two_commands_and_ci_runs_the_test_one() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "make demo\nmake test\n" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_every_command_is_documented() -> None:
    import arsenalnet.cli.main  # noqa: F401  (registers the commands)

    docs = (ROOT / "README.md").read_text() + "".join(p.read_text() for p in (ROOT / "docs").glob("*.md"))
    for command in app.registered_commands:
        name = command.name or (command.callback.__name__ if command.callback else "")
        assert f"arsenal {name}" in docs, name
