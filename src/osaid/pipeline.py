"""One assessment, whatever asks for it: target -> Release -> Facts (+ bases) -> Assessment.

`check`, `bom`, `export`, `scan`, `lock`, `verify` (and the Python API) call `assess_target` or
`assess_release`, so that a release gets the same verdict in every output: lineage followed with
the same options, the same frameworks, evidence linked to the files at the revision.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from osaid.model import Assessment, Release


@dataclass(frozen=True)
class Settings:
    """What an assessment depends on besides the release itself."""

    source_options: object = None
    """Options for the sources (`sources.SourceOptions`): cache, offline, token, endpoint."""
    bases: dict[str, str] = field(default_factory=dict)
    """`--base ID=PATH` mappings (normalised id -> target) for lineage."""
    lineage_depth: int | None = None
    """How far to follow `base_model` (None: lineage's default; 0: not at all)."""
    frameworks: tuple[str, ...] | None = None
    """Secondary frameworks to run (None: all of them)."""
    link: bool = True
    """Link evidence to the files at the release's revision, when the source knows how."""


def assess_release(release: Release, settings: Settings | None = None) -> Assessment:
    """Assess a release already loaded."""
    from osaid import frameworks, lineage
    from osaid.evidence.extract import extract, link_evidence
    from osaid.frameworks.osaid import assess

    settings = settings or Settings()
    depth = lineage.DEFAULT_DEPTH if settings.lineage_depth is None else settings.lineage_depth
    facts = lineage.resolve(
        extract(release),
        options=settings.source_options,
        mapping=settings.bases,
        max_depth=depth,
    )
    assessment = assess(facts)
    names = frameworks.select(None) if settings.frameworks is None else list(settings.frameworks)
    extra = frameworks.run(names, assessment.facts)
    if extra:
        assessment = dataclasses.replace(assessment, extra={**assessment.extra, **extra})
    if settings.link and release.url_base:
        # The facts were linked by `extract`; link what the frameworks cited on top of them.
        assessment = dataclasses.replace(
            assessment,
            elements=link_evidence(assessment.elements, release.url_base),
            findings=link_evidence(assessment.findings, release.url_base),
            extra=link_evidence(assessment.extra, release.url_base),
        )
    return assessment


def assess_target(target: str, settings: Settings | None = None) -> Assessment:
    """Load `target` (a folder, `hf:ORG/NAME`, a git URL, a MOT manifest) and assess it."""
    from osaid.sources import load

    settings = settings or Settings()
    return assess_release(load(target, settings.source_options), settings)
