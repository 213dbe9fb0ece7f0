"""The model card: YAML front matter (with the line of each field) and the body's sections and links.

Front matter is parsed as hostile input: bounded size and depth, and YAML aliases are refused
(an alias bomb expands to gigabytes once anything walks the data). Field meanings follow the
Hugging Face card metadata (`huggingface_hub.ModelCardData`); `model-index` is normalised with
`huggingface_hub`'s own parser when present.
"""

from __future__ import annotations

from osaid import regex
from osaid.evidence import safe_yaml
from osaid.model import CardFacts, Evidence, Problem, TextDocument

CARD_NAMES = (
    "README.md",
    "MODEL_CARD.md",
    "model_card.md",
    "ModelCard.md",
    "modelcard.md",
    "README.markdown",
    "README.rst",
    "README.txt",
    "README",
)
MAX_FRONT_MATTER = 128 * 1024
MAX_DEPTH = 40

_HEADING = regex.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_SETEXT = regex.compile(r"^(=+|-+)\s*$")
_MD_LINK = regex.compile(r"\[([^\]\n]{0,200})\]\((https?://[^)\s]{1,500})\)")
_BARE_URL = regex.compile(r"(?<![(\[<])\bhttps?://[^\s)\]>\"'`]{1,500}")


def find_card(documents: dict[str, TextDocument]) -> TextDocument | None:
    for name in CARD_NAMES:
        if name in documents:
            return documents[name]
    lowered = {k.lower(): v for k, v in documents.items() if "/" not in k}
    for name in CARD_NAMES:
        if name.lower() in lowered:
            return lowered[name.lower()]
    return None


def parse_card(doc: TextDocument) -> tuple[CardFacts, list[Problem]]:
    problems: list[Problem] = []
    lines = doc.text.splitlines()
    fields: dict[str, object] = {}
    field_lines: dict[str, int] = {}
    body_start = 0
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
        if end is None:
            problems.append(
                Problem(
                    "card-front-matter-unclosed",
                    "The card's YAML front matter has no closing '---'; its fields were not read.",
                    (Evidence(path=doc.path, line=1, quote="---"),),
                )
            )
        else:
            body_start = end + 1
            raw = "\n".join(lines[1:end])
            fields, field_lines, problem = _front_matter(raw, doc.path)
            if problem:
                problems.append(problem)
    sections, links = _body(lines, body_start)
    return CardFacts(
        path=doc.path,
        fields=fields,
        field_lines=field_lines,
        sections=tuple(sections),
        links=tuple(links),
    ), problems


def _front_matter(raw: str, path: str) -> tuple[dict, dict, Problem | None]:
    def bad(message: str, line: int | None = None) -> tuple[dict, dict, Problem]:
        return (
            {},
            {},
            Problem("card-front-matter-invalid", message, (Evidence(path=path, line=line),)),
        )

    if len(raw) > MAX_FRONT_MATTER:
        return bad(
            f"The card's front matter is larger than {MAX_FRONT_MATTER // 1024} KiB; "
            "it was not read.",
            1,
        )
    try:
        parsed = safe_yaml.parse(raw, MAX_DEPTH)
    except safe_yaml.UnsafeYaml as exc:
        # Lines in the front matter are one below the card's (the opening '---').
        return bad(
            f"The card's front matter {exc.reason}; its fields were not read.",
            exc.line + 2 if exc.line is not None else None,
        )
    if parsed.data is None:
        return {}, {}, None
    if not isinstance(parsed.data, dict):
        return bad("The card's front matter is not a mapping of fields; it was not read.", 2)
    field_lines = {k: line + 2 for k, line in parsed.lines.items() if "." not in k and "[" not in k}
    return parsed.data, field_lines, None


def _body(lines: list[str], start: int):
    sections: list[tuple[str, int, str]] = []
    links: list[tuple[str, int, str]] = []
    heading, heading_line, buf = "", start + 1, []
    in_fence = False
    for i in range(start, len(lines)):
        line = lines[i]
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        m = None if in_fence else _HEADING.match(line)
        if (
            m is None
            and not in_fence
            and i > start
            and _SETEXT.match(line)
            and lines[i - 1].strip()
            and buf
            and buf[-1] == lines[i - 1]
        ):
            buf.pop()
            sections.append((heading, heading_line, "\n".join(buf)))
            heading, heading_line, buf = lines[i - 1].strip(), i, []
            continue
        if m:
            sections.append((heading, heading_line, "\n".join(buf)))
            heading, heading_line, buf = m.group(2).strip(), i + 1, []
            continue
        buf.append(line)
        if "http" in line:
            seen = set()
            for lm in _MD_LINK.finditer(line):
                links.append((lm.group(2), i + 1, lm.group(1)))
                seen.add(lm.group(2))
            for um in _BARE_URL.finditer(line):
                url = um.group(0).rstrip(".,;:")
                if url not in seen:
                    links.append((url, i + 1, ""))
    sections.append((heading, heading_line, "\n".join(buf)))
    return [s for s in sections if s[0] or s[2].strip()], links


def eval_results(fields: dict) -> list:
    """`model-index` normalised by huggingface_hub (imported only when there is one)."""
    index = fields.get("model-index")
    if not index:
        return []
    try:
        from huggingface_hub.repocard_data import model_index_to_eval_results

        _, results = model_index_to_eval_results(index)
        return list(results)
    except Exception:  # noqa: BLE001, S110 - a failure here must not stop the caller
        return []
