"""The one reader of configuration files refuses bombs, deep nesting, duplicate keys and non-UTF-8 text."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from floorsim.surveys import input_files
from floorsim.surveys.input_files import InputFileError, read_yaml_file, read_yaml_text, validation_problems


def test_plain_yaml_and_json_read_as_data(tmp_path):
    path = tmp_path / "reform.yaml"
    path.write_text("name: x\nchanges:\n  - {parameter: a.b, value: 3.5, start: 2025-01-01}\n", encoding="utf-8")
    data = read_yaml_file(path)
    assert data["changes"][0]["value"] == 3.5
    assert str(data["changes"][0]["start"]) == "2025-01-01"
    assert read_yaml_text('{"a": [1, 2]}', "<json>") == {"a": [1, 2]}


def test_duplicate_key_refused_with_line(tmp_path):
    path = tmp_path / "dup.yaml"
    path.write_text("name: x\nvalue: 1\nvalue: 2\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"dup.yaml: line 3: duplicate key 'value'"):
        read_yaml_file(path)


def test_nested_aliases_refused_before_expanding():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 12):
        lines.append(f"a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * 10)}]")
    with pytest.raises(InputFileError, match=f"more than {input_files.MAX_ALIASES} aliases"):
        read_yaml_text("\n".join(lines), "bomb.yaml")


def test_a_few_aliases_are_fine():
    data = read_yaml_text("base: &b {age: 65}\nother: *b\n", "ok.yaml")
    assert data["other"] == {"age": 65}


@pytest.mark.parametrize("opening,closing", [("[", "]"), ("{a: ", "}")])
def test_deep_nesting_refused_not_recursion_error(opening, closing):
    text = opening * 1000 + "1" + closing * 1000
    with pytest.raises(InputFileError, match=f"nested deeper than {input_files.MAX_DEPTH} levels"):
        read_yaml_text(text, "deep.yaml")


def test_nesting_at_the_limit_reads():
    depth = input_files.MAX_DEPTH - 1  # the document node itself is one level
    data = read_yaml_text("[" * depth + "7" + "]" * depth, "ok.yaml")
    for _ in range(depth):
        data = data[0]
    assert data == 7


def test_size_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(input_files, "MAX_BYTES", 100)
    path = tmp_path / "big.yaml"
    path.write_text("a: " + "x" * 200, encoding="utf-8")
    with pytest.raises(InputFileError, match="big.yaml: larger than"):
        read_yaml_file(path)


def test_not_utf8_and_not_yaml_and_missing(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("nome: S\xe3o\n".encode("latin-1"))
    with pytest.raises(InputFileError, match=r"not UTF-8 text \(byte 7\)"):
        read_yaml_file(path)
    with pytest.raises(InputFileError, match="not valid YAML/JSON"):
        read_yaml_text("a: [1, 2\n", "broken.yaml")
    with pytest.raises(InputFileError, match="not valid YAML/JSON"):
        read_yaml_text("start: 2025-02-30\n", "date.yaml")
    with pytest.raises(InputFileError, match="missing.yaml: file not found"):
        read_yaml_file(tmp_path / "missing.yaml")


def test_validation_problems_one_line():
    class Model(BaseModel):
        age: int
        name: str

    with pytest.raises(ValidationError) as caught:
        Model(age="old", name=3)
    assert validation_problems(caught.value) == (
        "age: Input should be a valid integer, unable to parse string as an integer; "
        "name: Input should be a valid string"
    )


def test_a_reader_gets_its_own_project_error(tmp_path):
    class ReaderError(Exception):
        pass

    path = tmp_path / "dup.yaml"
    path.write_text("a: 1\na: 2\n", encoding="utf-8")
    with pytest.raises(ReaderError, match=r"^.*dup.yaml: line 2: duplicate key 'a'$"):
        read_yaml_file(path, error=ReaderError)
    with pytest.raises(ReaderError, match=r"missing.yaml: file not found$"):
        read_yaml_file(tmp_path / "missing.yaml", error=ReaderError)
    with pytest.raises(ReaderError, match=r"<text>: not valid YAML/JSON"):
        read_yaml_text("a: [1\n", "<text>", error=ReaderError)
