"""The one parameter-tree walker (``floorsim.simulations.engine.parameters``) against an independent walk of the tree
written here with OpenFisca's ``ParameterNode.children`` and ``ParameterScale.brackets``, and every former walker's
caller checked against that independent walk."""

from __future__ import annotations

import datetime

import pytest
from openfisca_core.parameters import Parameter, ParameterNode, ParameterScale

from floorsim.simulations.engine.parameters import latest_value_date, leaves, parameter_paths, walk
from floorsim.simulations.engine.periods import change_months
from floorsim.simulations.engine.reforms import find_parameter
from floorsim.simulations.engine.scenarios import baseline_system
from floorsim.simulations.errors import ReformError
from floorsim.simulations.explain import parameters as browser
from floorsim.simulations.projections.uprating import metadata_rules
from floorsim.simulations.regression.rules import describe_parameters, leaf_names, resolve_node

SCALE = "benefits.saii.age_supplement"


def independent_leaves(node) -> dict[str, Parameter]:
    """``{path: leaf}`` by hand: folders opened through ``children``, scales through ``brackets`` (a bracket's values
    are named ``scale[i].key``, as reforms address them)."""
    found: dict[str, Parameter] = {}
    if isinstance(node, Parameter):
        found[node.name] = node
    elif isinstance(node, ParameterScale):
        for index, bracket in enumerate(node.brackets):
            for key, value in bracket.children.items():
                found[f"{node.name}[{index}].{key}"] = value
    else:
        for child in node.children.values():
            found.update(independent_leaves(child))
    return found


def independent_nodes(node) -> list:
    """Every folder, leaf and scale under ``node`` (``node`` included), scales not opened."""
    nodes = [node]
    if isinstance(node, ParameterNode):
        for child in node.children.values():
            nodes.extend(independent_nodes(child))
    return nodes


@pytest.fixture(scope="module")
def parameters() -> ParameterNode:
    return baseline_system("timor_leste").parameters


@pytest.fixture(scope="module")
def expected(parameters) -> dict[str, Parameter]:
    return independent_leaves(parameters)


def test_leaves_are_the_independent_walk_scale_brackets_included(parameters, expected):
    scale_paths = {path for path in expected if path.startswith(SCALE + "[")}
    # age_supplement.yaml: three brackets (0, 70, 80), each a threshold and an amount.
    assert scale_paths == {f"{SCALE}[{index}].{key}" for index in range(3) for key in ("threshold", "amount")}
    walked = {leaf.path: leaf for leaf in leaves(parameters)}
    assert set(walked) == set(expected)
    assert len(walked) == len(list(leaves(parameters)))  # no leaf twice
    assert all(walked[path].parameter is expected[path] for path in expected)
    assert {path for path, leaf in walked.items() if leaf.scale is not None} == scale_paths
    assert parameter_paths(parameters) == sorted(expected)


def test_every_leaf_path_resolves_to_itself(parameters, expected):
    for path, leaf in expected.items():
        assert find_parameter(parameters, path) is leaf
        assert browser.get_node(parameters, path) is leaf


def test_walk_is_the_tree_in_its_order_or_by_name(parameters):
    assert [node.name for node in walk(parameters)] == [node.name for node in independent_nodes(parameters)]
    names = [node.name for node in walk(parameters.benefits.saii, by_name=True)]
    assert names[0] == "benefits.saii"
    children = sorted(parameters.benefits.saii.children)
    assert [name.rsplit(".", 1)[-1] for name in names[1:] if name.count(".") == 2] == children


def test_latest_value_date_is_the_newest_date_of_any_leaf(parameters, expected):
    newest = max(at.instant_str for leaf in expected.values() for at in leaf.values_list)
    assert latest_value_date(parameters) == datetime.date.fromisoformat(newest)


# ----- the former walkers' callers, against the independent walk -----


def test_rule_descriptions_and_dead_parameter_leaves(parameters, expected):
    assert set(describe_parameters(parameters)) == set(expected)
    assert leaf_names(parameters) == list(independent_leaves(parameters))  # same leaves, in the tree's order
    # Dead-parameter report: a read of the scale counts for each bracket value.
    scale = parameters.benefits.saii.age_supplement
    assert leaf_names(resolve_node(parameters, SCALE)) == list(independent_leaves(scale))
    assert resolve_node(parameters, f"{SCALE}[1].amount") is expected[f"{SCALE}[1].amount"]
    assert resolve_node(parameters, "benefits.saii.nothing") is None


def test_bracket_references_fall_back_to_the_scale(parameters):
    described = describe_parameters(parameters)
    scale_reference = parameters.benefits.saii.age_supplement.metadata["reference"]
    titles = [r["title"] for r in described[f"{SCALE}[1].amount"]["values"][0]["references"]]
    assert titles and titles[0] in str(scale_reference)


def test_change_months_see_every_leaf_date(parameters, expected):
    system = baseline_system("timor_leste")
    for year in (2008, 2010, 2022, 2024, 2025):
        prefix = f"{year}-"
        dates = {at.instant_str for leaf in expected.values() for at in leaf.values_list}
        dates |= {start for variable in system.variables.values() for start in variable.formulas}
        dates = {date for date in dates if date.startswith(prefix)}
        by_hand = {int(d[5:7]) if d[8:10] == "01" else int(d[5:7]) + 1 for d in dates}
        assert change_months(system, year) == sorted(m for m in by_hand if 1 < m <= 12)
    assert change_months(system, 2008) == []  # SAII from 2008-01-01 (saii/amount.yaml): one rule all year


def test_uprating_rules_are_read_from_every_leaf_and_scale(parameters):
    declared = {node.name for node in independent_nodes(parameters)
                if not isinstance(node, ParameterNode) and (node.metadata or {}).get("uprating") is not None}
    assert "benefits.universal_child_grant.amount" in declared
    assert set(metadata_rules(baseline_system("timor_leste"))) == declared


def test_reform_path_suggestions_are_unchanged(parameters):
    with pytest.raises(ReformError) as error:
        find_parameter(parameters, "benefits.saii.amont", "r")
    assert str(error.value) == (
        "reform 'r': 'benefits.saii.amont' is not a parameter of the country package; did you mean "
        "benefits.saii.amount, benefits.universal_child_grant.amount, benefits.bolsa_da_mae.amount.basic?"
    )
    with pytest.raises(ReformError, match=f"'{SCALE}' is not a single-valued parameter"):
        find_parameter(parameters, SCALE)
    with pytest.raises(ReformError, match="is not a parameter"):
        find_parameter(parameters, f"{SCALE}[3].amount")
