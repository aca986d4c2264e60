"""The Info panel and docs/teaching.md tell the class the same thing."""

from pathlib import Path

from labelmarket.viz.info_panel import info_html, info_sections

TEACHING = Path(__file__).resolve().parents[2] / "docs" / "teaching.md"


def test_the_info_panel_has_the_three_sections():
    assert list(info_sections()) == ["The story", "What to notice", "Things to try"]
    assert "<h2>Things to try</h2>" in info_html()


def test_teaching_md_carries_each_info_section_word_for_word():
    guide = TEACHING.read_text(encoding="utf-8")
    for heading, body in info_sections().items():
        assert f"### {heading}\n\n{body}\n" in guide, heading
