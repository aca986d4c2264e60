"""Scenario files are parsed once per version of the file (scenarios/loader.py): a caller that edits what it
got cannot change what the next caller reads, and an edited file is read again."""

from __future__ import annotations

import os

from labelmarket.scenarios import loader


def test_a_caller_editing_its_document_does_not_change_the_cached_one():
    path = loader.scenario_path("meta_scale_2025").resolve()
    first = loader._read_scenario_toml(path)
    pristine = loader._read_scenario_toml(path)
    first["meta"]["name"] = "edited"
    first.setdefault("labs", {}).clear()
    first["extra"] = [1, 2]
    again = loader._read_scenario_toml(path)
    assert again == pristine and again["meta"]["name"] != "edited" and again["labs"]
    assert loader.load_scenario("meta_scale_2025") == loader.load_scenario("meta_scale_2025")


def test_an_edited_scenario_file_is_read_again(tmp_path):
    source = loader.scenario_path("toy").read_text(encoding="utf-8")
    path = tmp_path / "mine.toml"
    path.write_text(source, encoding="utf-8")
    before = loader.load_scenario(path)
    edited = source.replace(f'name = "{before.meta.name}"', 'name = "mine, edited"', 1)
    assert edited != source
    path.write_text(edited, encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))  # even within the clock's resolution
    assert loader.load_scenario(path).meta.name == "mine, edited"


def test_a_parent_edited_after_its_child_was_loaded_is_read_again(tmp_path):
    parent = tmp_path / "parent.toml"
    parent.write_text(loader.scenario_path("toy").read_text(encoding="utf-8"), encoding="utf-8")
    child = tmp_path / "child.toml"
    child.write_text('extends = "parent.toml"\n', encoding="utf-8")
    horizon = loader.load_scenario(child).meta.horizon_weeks
    text = parent.read_text(encoding="utf-8").replace(f"horizon_weeks = {horizon}", f"horizon_weeks = {horizon + 1}", 1)
    parent.write_text(text, encoding="utf-8")
    stat = parent.stat()
    os.utime(parent, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert loader.load_scenario(child).meta.horizon_weeks == horizon + 1
