"""The configuration reference and the JSON Schemas: generated from the models, complete, and true
to the files the product reads (every example file meets its schema)."""

from __future__ import annotations

import jsonschema
import pytest
import yaml

from core.settings import REPO_ROOT
from flows import config_doc


class AsEditorsRead(yaml.SafeLoader):
    """YAML as an editor's language server reads it: a date-time stays text (JSON has no dates)."""


AsEditorsRead.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@pytest.mark.parametrize("kind", config_doc.FILES, ids=lambda k: k.name)
def test_every_key_of_every_file_says_what_it_means(kind: config_doc.FileKind) -> None:
    undocumented = [key.dotted for key in config_doc.keys(kind.model) if not key.meaning]
    assert not undocumented, f"{kind.name}: add a #: comment above {undocumented}"


@pytest.mark.parametrize("kind", config_doc.FILES, ids=lambda k: k.name)
def test_every_example_file_meets_its_schema(kind: config_doc.FileKind) -> None:
    schema = config_doc.schema(kind.model)
    files = [p for pattern in kind.examples for p in sorted(REPO_ROOT.glob(pattern))]
    assert files
    for path in files:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=AsEditorsRead)
        jsonschema.validate(document, schema)


def test_the_reference_lists_each_key_with_type_default_meaning_and_an_example() -> None:
    text = config_doc.render()
    row = next(
        line for line in text.splitlines() if line.startswith("| `service_levels.p95_latency_ms`")
    )
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[1] == "number" and cells[2] == "**required**"
    assert "milliseconds" in cells[3] and cells[4] == "`400`"
    assert "| `as_of` |" in text and "| `required_groups` |" in text


def test_a_misspelt_key_is_refused_by_the_schema() -> None:
    schema = config_doc.schema(config_doc.FILES[0].model)
    with pytest.raises(jsonschema.ValidationError, match="projets"):
        jsonschema.validate({"id": "x", "name": "X", "projets": []}, schema)
