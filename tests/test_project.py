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


def test_shipped_parser_tables_match_the_grammar() -> None:
    from engine.lang.parser import CACHE_FILE, cache_key

    folder = ROOT / "engine" / "lang"
    shipped = (folder / CACHE_FILE).read_bytes().split(b"\n", 1)[0].decode().split()[0]
    assert shipped == cache_key((folder / "grammar.lark").read_text("utf-8")).split()[0], (
        "the grammar changed: run python -c 'from pathlib import Path; from engine.lang.parser import "
        "write_parser_cache; write_parser_cache(Path(\"engine/lang\"))'")


def test_shipped_folders_read_the_same_as_plain_files_or_through_importlib_resources(monkeypatch) -> None:
    from engine import data

    on_disk = {name: sorted(entry.name for entry in data.folder(name).iterdir()) for name in ("rules", "schemas")}
    assert "catalogue.yaml" in on_disk["rules"] and "bundle.schema.json" in on_disk["schemas"]
    # As in a zip, where the package's folder is not a directory on disk.
    monkeypatch.setattr(data, "__file__", "/nowhere/engine/data/__init__.py")
    for name, names in on_disk.items():
        folder = data.folder(name)
        assert sorted(entry.name for entry in folder.iterdir()) == names
        assert folder.joinpath(names[0]).read_bytes() == (ROOT / name / names[0]).read_bytes()
