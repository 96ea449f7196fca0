"""Checks every extraction JSON must pass: the published schema, and offsets that slice the text."""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

import jsonschema

SCHEMA = json.loads(files("liaison").joinpath("schemas/extraction-1.schema.json").read_text("utf-8"))


def assert_valid_extraction(data: dict[str, Any], text: str) -> None:
    jsonschema.validate(data, SCHEMA)
    sentences = data["sentences"]
    for sentence in sentences:
        assert 0 <= sentence["start"] < sentence["end"] <= len(text)
    for entity in data["entities"]:
        for mention in entity["mentions"]:
            assert text[mention["start"] : mention["end"]] == mention["text"], mention
            sentence = sentences[mention["sentence"]]
            assert sentence["start"] <= mention["start"] and mention["end"] <= sentence["end"], mention
