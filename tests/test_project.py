"""The project's promises about itself: the README's commands and CI stay in step."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text("utf-8")
    blocks = text.split("```sh\n")[1:3]
    return [block.split("\n```")[0].strip() for block in blocks]


def test_readme_opens_with_the_check_and_the_test_command() -> None:
    check, test = _readme_commands()
    assert "clausegate check fixtures/" in check and check.startswith("pip install .")
    assert "pytest" in test and test.startswith("pip install")


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    _, test = _readme_commands()
    ci_lines = (ROOT / ".ci" / "run").read_text("utf-8").splitlines()
    assert test in ci_lines
