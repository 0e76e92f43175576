"""Every relative link in the README and the docs leads somewhere: to a file of the repository, and
where it names a heading (`file.md#heading` or `#heading`), to a heading of that file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOCUMENTS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md")), *sorted((REPO / "docs" / "history").glob("*.md"))]

# [text](target) or ![alt](target "title"); code spans and fenced blocks are removed first, since a
# link written inside code is an example, not a link.
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"`[^`\n]*`")
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)  # http:, https:, mailto:, ...


def links_in(text: str) -> list[str]:
    text = CODE_SPAN.sub("", FENCE.sub("", text))
    return [target for target in LINK.findall(text) if not EXTERNAL.match(target)]


def heading_anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    words = CODE_SPAN.sub(lambda span: span.group(0).strip("`"), heading.strip()).lower()
    return re.sub(r"[^\w\- ]", "", words).replace(" ", "-")


def anchors_of(path: Path) -> set[str]:
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    return {heading_anchor(line.lstrip("#")) for line in text.splitlines() if re.match(r"#{1,6} ", line)}


def broken_links(path: Path) -> list[str]:
    broken = []
    for target in links_in(path.read_text(encoding="utf-8")):
        file_part, _, anchor = target.partition("#")
        resolved = (path.parent / file_part).resolve() if file_part else path
        if not resolved.exists():
            broken.append(f"{target}: no such file")
        elif anchor and resolved.suffix == ".md" and anchor not in anchors_of(resolved):
            broken.append(f"{target}: no heading #{anchor} in {resolved.name}")
    return broken


def test_the_link_finder_sees_links_and_skips_code_and_external_ones():
    text = ("See [guide](docs/USER_GUIDE.md#start) and ![shot](a.png \"title\"), not `[x](code.md)`,\n"
            "[site](https://example.org), [mail](mailto:a@b.c).\n```\n[fenced](nope.md)\n```\n")
    assert links_in(text) == ["docs/USER_GUIDE.md#start", "a.png"]


def test_heading_anchors_follow_githubs_rule():
    assert heading_anchor(" Retraining workflow (`soe train`)") == "retraining-workflow-soe-train"
    assert heading_anchor(" Hard layouts: pages whose text layer lies") == "hard-layouts-pages-whose-text-layer-lies"


def test_a_missing_file_and_a_missing_heading_are_reported(tmp_path):
    (tmp_path / "other.md").write_text("# Other\n\n## A heading\n", encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text("[ok](other.md#a-heading) [gone](missing.md) [bad](other.md#nothing) [self](#nowhere)\n",
                    encoding="utf-8")
    assert broken_links(page) == ["missing.md: no such file", "other.md#nothing: no heading #nothing in other.md",
                                  "#nowhere: no heading #nowhere in page.md"]


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda path: str(path.relative_to(REPO)))
def test_every_relative_link_resolves(path):
    assert broken_links(path) == []


def test_the_readme_links_the_user_guide_before_any_other_document():
    documents = [target for target in links_in((REPO / "README.md").read_text(encoding="utf-8"))
                 if target.endswith(".md") or ".md#" in target]
    assert documents and documents[0].startswith("docs/USER_GUIDE.md")
