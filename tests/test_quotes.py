"""The quote check (tests/quotes.py) that every JSON report of the suite goes through can fail."""

from __future__ import annotations

from quotes import bad_quotes


def _report(**ev):
    base = {"path": None, "line": None, "quote": None, "field": None, "url": None}
    return {"findings": [{"evidence": [{**base, **ev}]}]}


def test_a_quote_that_is_not_at_its_line_is_caught(tmp_path):
    (tmp_path / "LICENSE").write_text("line one\nYou may not use it commercially.\n")
    assert bad_quotes(_report(path="LICENSE", line=2, quote="You may not use it"), tmp_path) == []
    assert bad_quotes(_report(path="LICENSE", line=1, quote="You may not use it"), tmp_path)
    made_up = _report(path="LICENSE", line=2, quote="§4: copies must carry the license")
    assert bad_quotes(made_up, tmp_path)
    assert bad_quotes(_report(path="LICENSE", line=9, quote="line one"), tmp_path)


def test_shortened_and_wrapped_quotes_hold(tmp_path):
    (tmp_path / "README.md").write_text("The weights may not\nbe used in the EU.\n")
    ok = _report(path="README.md", line=1, quote="…weights may not be used in the…")
    assert bad_quotes(ok, tmp_path) == []


def test_a_path_without_line_must_hold_the_quote(tmp_path):
    (tmp_path / "train.py").write_text("loss.backward()\n")
    assert bad_quotes(_report(path="train.py", quote="named training"), tmp_path)
    assert bad_quotes(_report(path="train.py", quote="loss.backward()"), tmp_path) == []
