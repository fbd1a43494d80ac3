"""Bundles: one file, or a directory of section files and record files, merged."""

from __future__ import annotations

import os

import pytest

from engine.diagnostics import Span
from engine.evidence.bundle import load_bundle
from evidence_helpers import refusal


def bundle_refusal(path):
    return refusal(load_bundle, path)


def test_single_file_bundle(write):
    path = write("bundle.yaml", "meta:\n  as_of: 2025-06-30\npeople: []\n")
    bundle = load_bundle(path)
    assert bundle.data == {"meta": {"as_of": "2025-06-30"}, "people": []}
    assert [d.display for d in bundle.documents] == [str(path)]
    assert bundle.root == path
    assert bundle.locate("") == Span(str(path), 1, 1)
    assert bundle.locate("/meta/as_of") == Span(str(path), 2, 10)


def test_directory_bundle_merges_files_in_name_order(tmp_path, write):
    write("b/services.yaml", "services: []\n")
    write("b/a.json", '{"meta": {"as_of": "2025-06-30"}, "people": []}')
    write("b/roles.yml", "roles: []\n")
    bundle = load_bundle(tmp_path / "b")
    assert list(bundle.data) == ["meta", "people", "roles", "services"]
    root = str(tmp_path / "b")
    assert [d.display for d in bundle.documents] == [f"{root}/a.json", f"{root}/roles.yml", f"{root}/services.yaml"]
    assert bundle.locate("/roles") == Span(f"{root}/roles.yml", 1, 8)
    assert bundle.locate("") is None


def test_same_section_in_two_files_names_both(tmp_path, write):
    write("b/a.yaml", "meta: {}\npeople:\n  - id: p1\n")
    write("b/b.yaml", "# more people\npeople:\n  - id: p2\n")
    d = bundle_refusal(tmp_path / "b")
    root = tmp_path / "b"
    assert d.code == "CG331"
    assert d.message == f"section 'people' is already defined in {root}/a.yaml"
    assert str(d.span) == f"{root}/b.yaml:3:3"
    assert d.hint == f"it is first defined at {root}/a.yaml:3:3; keep each section in one file"


def test_record_file_clashing_with_a_section(tmp_path, write):
    write("b/incidents.jsonl", '{"id": "I1"}\n')
    write("b/main.yaml", "incidents: []\n")
    d = bundle_refusal(tmp_path / "b")
    assert (d.code, d.message) == ("CG331", f"section 'incidents' is already defined in {tmp_path}/b/incidents.jsonl")


def test_hidden_files_subdirectories_and_other_types_are_skipped(tmp_path, write):
    write("b/meta.yaml", "meta: {}\n")
    write("b/.hidden.yaml", "people: []\n")
    write("b/README.md", "# notes\n")
    write("b/sub/people.yaml", "people: []\n")
    write("b/.incidents.jsonl", "not json\n")
    assert load_bundle(tmp_path / "b").data == {"meta": {}}


def test_empty_directory_is_refused(tmp_path):
    (tmp_path / "b").mkdir()
    d = bundle_refusal(tmp_path / "b")
    assert (d.code, d.message) == ("CG330", "bundle directory holds no evidence file")


def test_missing_bundle(tmp_path):
    assert bundle_refusal(tmp_path / "nope.yaml").code == "CG301"


@pytest.mark.parametrize("name", ["incidents.jsonl", "incidents.csv"])
def test_record_file_alone_is_not_a_bundle(write, name):
    d = bundle_refusal(write(name, ""))
    assert d.code == "CG325"


def test_symlink_leading_outside_is_refused(tmp_path, write):
    outside = write("secret.yaml", "meta: {}\n")
    write("b/people.yaml", "people: []\n")
    (tmp_path / "b" / "meta.yaml").symlink_to(outside)
    d = bundle_refusal(tmp_path / "b")
    assert (d.code, d.message) == ("CG332", "symbolic link leads outside the bundle directory")
    assert d.span.file == f"{tmp_path}/b/meta.yaml"


def test_symlink_chain_leading_outside_is_refused(tmp_path, write):
    outside = write("secret.yaml", "meta: {}\n")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "hop").symlink_to(outside)
    (tmp_path / "b" / "meta.yaml").symlink_to(tmp_path / "b" / "hop")
    assert bundle_refusal(tmp_path / "b").code == "CG332"


def test_symlink_inside_the_bundle_is_followed(tmp_path, write):
    write("b/data/meta.yaml", "meta: {}\n")
    (tmp_path / "b" / "meta.yaml").symlink_to(tmp_path / "b" / "data" / "meta.yaml")
    assert load_bundle(tmp_path / "b").data == {"meta": {}}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need POSIX")
def test_fifo_in_a_bundle_is_refused(tmp_path, write):
    write("b/meta.yaml", "meta: {}\n")
    os.mkfifo(tmp_path / "b" / "people.yaml")
    d = bundle_refusal(tmp_path / "b")
    assert (d.code, d.span.file) == ("CG302", f"{tmp_path}/b/people.yaml")


def test_directory_named_like_a_file_is_skipped(tmp_path, write):
    write("b/meta.yaml", "meta: {}\n")
    (tmp_path / "b" / "people.yaml").mkdir()
    assert load_bundle(tmp_path / "b").data == {"meta": {}}


def test_locate_falls_back_to_the_nearest_ancestor(tmp_path, write):
    write("b/meta.yaml", "meta:\n  as_of: 2025-06-30\n")
    bundle = load_bundle(tmp_path / "b")
    assert bundle.locate("/meta/missing/deeper") == Span(f"{tmp_path}/b/meta.yaml", 2, 3)
    assert bundle.locate("/nosuchsection/0") is None
