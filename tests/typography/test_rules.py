"""Each typography rule on its own, from its fixture file (tests/typography/fixtures/<rule>.txt): cases of
a title, the input markup and the expected markup, each followed by a line holding a dot, as in
markdown-it-py's fixtures. `{WJ}` stands for the invisible word joiner U+2060, `{ZWSP}` for the zero-width
space U+200B, `{NBSP}` for the no-break space U+00A0."""

from __future__ import annotations

from pathlib import Path

import pytest

from publish.typography import BUILTIN_RULES, EPUB_RULES, PDF_RULES, builtin_rules, typeset_markup

FIXTURES = Path(__file__).parent / "fixtures"


def _cases() -> list:
    cases = []
    for path in sorted(FIXTURES.glob("*.txt")):
        fields = [field.strip("\n") for field in path.read_text(encoding="utf-8").split("\n.\n")]
        fields = [field for field in fields if field.strip()]
        assert len(fields) % 3 == 0, f"{path}: every case is a title, an input and an expected output"
        for index in range(0, len(fields), 3):
            title, given, expected = fields[index : index + 3]
            cases.append(
                pytest.param(
                    path.stem,
                    given,
                    expected.replace("{WJ}", "\u2060").replace("{ZWSP}", "\u200b").replace("{NBSP}", "\u00a0"),
                    id=f"{path.stem}: {title}",
                )
            )
    return cases


def test_every_rule_has_a_fixture_file() -> None:
    assert sorted(p.stem for p in FIXTURES.glob("*.txt")) == sorted(rule.name for rule in BUILTIN_RULES)


@pytest.mark.parametrize(("rule", "given", "expected"), _cases())
def test_rule(rule: str, given: str, expected: str) -> None:
    assert typeset_markup(given, builtin_rules((rule,))) == expected


def test_a_rule_added_by_someone_else_runs_in_its_place() -> None:
    """The chain is open: a rule slots in next to a named one without editing the package."""
    from publish.typography.ruler import Ruler

    ruler = Ruler()
    seen: list[str] = []
    ruler.push("first", lambda root: seen.append("first"))
    ruler.push("last", lambda root: seen.append("last"))
    ruler.after("first", "middle", lambda root: seen.append("middle"))
    assert ruler.names() == ["first", "middle", "last"]
    for rule in ruler.select(["last", "middle", "first"]):
        rule.function(None)  # type: ignore[arg-type]
    assert seen == ["first", "middle", "last"]
    with pytest.raises(ValueError, match="unknown typography rules: nope"):
        ruler.select(["nope"])
    with pytest.raises(ValueError, match="already in the chain"):
        ruler.push("first", lambda root: None)


def test_closing_punctuation_after_inline_code_is_joined_to_it_in_the_epub() -> None:
    """Chromium put 。 and 、 at the start of a line after `<code>` at 320 px; a word joiner binds them."""
    joined = typeset_markup(
        "<p>框架库<code>Solara</code>。首先（用<code>最终版.docx</code>）。</p>", builtin_rules(EPUB_RULES)
    )
    assert "</code>\u2060。" in joined
    assert '</code>\u2060<span class="halt">）' in joined  # ）。 compressed: the mark is in a halt span
    block = typeset_markup("<pre><code>print(1)</code></pre><p><code>x</code> 之后。</p>", builtin_rules(EPUB_RULES))
    assert "\u2060" not in block.split("<p>")[0]  # a program, and code followed by a space, are left alone
    assert "</code> " in block
    assert (
        "\u2060"
        not in typeset_markup("<p>框架库<code>Solara</code>。</p>", builtin_rules(PDF_RULES)).split("</code>")[1][:1]
    )
