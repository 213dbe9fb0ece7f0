"""The index: many releases assessed in bulk, kept with their history, and shown on the web.

- `scan.py` turns inputs (release folders, manifests, hub ids) into subjects, assesses them in
  worker processes and writes each result to the store; a subject whose content is unchanged since
  the last scan is skipped.
- `store.py` is the SQLite database: subjects, their assessments (each a full `osaid.report/1`),
  licenses and findings, with a new assessment row only when something changed.
- `web.py` (`osaid serve`) reads the store, read-only, and renders pages, a JSON API and badges;
  `charts.py` and `badges.py` draw SVG on the server.

Nothing here decides anything about a release: verdicts come from `osaid.frameworks`.
"""
