"""Indicator expressions: parsing, errors with positions, evaluation, canonical text and SQL."""

import math
import pickle

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govpulse.core.expressions import (
    MAX_BRACKETS,
    BinaryOp,
    ConstantRef,
    DataElementRef,
    Expression,
    ExpressionError,
    Negate,
    Number,
    parse_expression,
    validate_references,
)

A, B, C = DataElementRef("a"), DataElementRef("b"), DataElementRef("c")


# --------------------------------------------------------------------------------------------------
# Parsing


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("42", Number(42)),
        ("2.5", Number(2.5)),
        (".5", Number(0.5)),
        ("1e3", Number(1000.0)),
        ("#{births_registered}", DataElementRef("births_registered")),
        ("#{de-01.coc_9}", DataElementRef("de-01", "coc_9")),
        ("#{de.coc.aoc}", DataElementRef("de", "coc.aoc")),
        ("C{pop.multiplier}", ConstantRef("pop.multiplier")),
        ("#{a} + #{b} * 2", BinaryOp("+", A, BinaryOp("*", B, Number(2)))),
        ("(#{a} + #{b}) * 2", BinaryOp("*", BinaryOp("+", A, B), Number(2))),
        ("#{a} - #{b} - #{c}", BinaryOp("-", BinaryOp("-", A, B), C)),
        ("#{a} / #{b} / #{c}", BinaryOp("/", BinaryOp("/", A, B), C)),
        ("-#{a} * 3", BinaryOp("*", Negate(A), Number(3))),
        ("#{a} - -#{b}", BinaryOp("-", A, Negate(B))),
        ("--2", Negate(Negate(Number(2)))),
        (" \t100 *#{a}/\n#{b} ", BinaryOp("/", BinaryOp("*", Number(100), A), B)),
        ("C{k} * ((#{a}))", BinaryOp("*", ConstantRef("k"), A)),
    ],
)
def test_good_expressions_parse_to_their_trees(text, tree):
    assert parse_expression(text).root == tree


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("", "expression is empty", 0),
        ("   ", "expression is empty", 0),
        ("#{a} + 1 )", "unexpected ')' (no '(' is open)", 9),
        ("(#{a} + 1", "'(' is never closed", 0),
        ("2 * ((#{a} + 1)", "'(' is never closed", 4),
        ("()", "unexpected ')' (expected a number, #{...}, C{...}, '-' or '(')", 1),
        ("#{a} +", "expression ends after '+' (expected a value)", 6),
        ("#{a} * 2 /  ", "expression ends after '/' (expected a value)", 10),
        ("* 2", "unexpected '*' (expected a number, #{...}, C{...}, '-' or '(')", 0),
        ("#{a} #{b}", "unexpected '#{b}' (expected an operator)", 5),
        ("(1 2)", "unexpected '2' (expected an operator or ')')", 3),
        ("#{a} $ 2", "unexpected '$'", 5),
        ("#{a} + sqrt(4)", "unexpected 'sqrt'", 7),
        ("C(k)", "unexpected 'C' ('C' must be followed by '{')", 0),
        ("# {a}", "unexpected '#' ('#' must be followed by '{')", 0),
        ("1 + #{}", "empty data element code in '#{}'", 4),
        ("C{}", "empty constant code in 'C{}'", 0),
        ("#{a + 1", "'#{' is never closed with '}'", 0),
        ("#{a b}", "character ' ' is not allowed in a data element code", 3),
        ("C{k!}", "character '!' is not allowed in a constant code", 3),
        ("#{.coc}", "empty data element code before '.'", 2),
        ("#{de.}", "empty disaggregation after '.'", 4),
        ("1" * 400, "number '11111111111111111...' is too large", 0),
    ],
)
def test_every_error_names_the_problem_and_its_position(text, message, position):
    with pytest.raises(ExpressionError) as caught:
        parse_expression(text)
    assert (caught.value.message, caught.value.position, caught.value.text) == (message, position, text)


def test_error_text_shows_a_caret_under_the_position():
    with pytest.raises(ExpressionError) as caught:
        parse_expression("#{a} + 1 )")
    assert str(caught.value) == "unexpected ')' (no '(' is open) at position 9\n  #{a} + 1 )\n           ^"


def test_error_caret_stays_in_line_with_tabs_and_newlines():
    with pytest.raises(ExpressionError) as caught:
        parse_expression("#{a}\t+\n)")
    assert str(caught.value).splitlines()[1:] == ["  #{a} + )", "         ^"]


def test_errors_survive_pickling_between_processes():
    error = ExpressionError("unexpected ')'", "1)", 1)
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.message, copy.text, copy.position) == (error.message, error.text, error.position)


@pytest.mark.parametrize(
    "text", ["(" * (MAX_BRACKETS + 1) + "1" + ")" * (MAX_BRACKETS + 1), "-" * 1000 + "1", "+".join(["1"] * 1000)]
)
def test_absurdly_deep_expressions_are_refused_without_recursion_errors(text):
    with pytest.raises(ExpressionError, match="nested more than|brackets are open"):
        parse_expression(text)


def test_positions_point_at_each_node_in_the_text():
    expr = parse_expression("#{a} * (C{k} - -#{b.x})")
    starts = {node.to_text(): node.position for node in expr.nodes()}
    assert starts == {
        "#{a} * (C{k} - -#{b.x})": 5,
        "#{a}": 0,
        "C{k} - -#{b.x}": 13,
        "C{k}": 8,
        "-#{b.x}": 15,
        "#{b.x}": 16,
    }


# --------------------------------------------------------------------------------------------------
# References


def test_data_elements_and_constants_are_listed_once_without_disaggregation():
    expr = parse_expression("#{a.m} + #{a.f} + #{b} * C{k} / C{k}")
    assert expr.data_elements() == frozenset({"a", "b"})
    assert expr.constants() == frozenset({"k"})
    assert [ref.key for ref in expr.references()] == ["a.m", "a.f", "b"]


def test_validate_references_reports_each_unknown_code_where_it_is_written():
    text = "#{known} + #{missing.coc} * C{k} / C{nope}"
    errors = validate_references(parse_expression(text), {"known"}, {"k"})
    assert [(e.message, e.position) for e in errors] == [
        ("unknown data element 'missing'", 11),
        ("unknown constant 'nope'", 35),
    ]
    assert all(error.text == text for error in errors)
    assert "^" in str(errors[0]).splitlines()[2]


def test_validate_references_is_empty_when_all_codes_are_known():
    assert validate_references(parse_expression("#{a} / C{k}"), {"a", "b"}, {"k"}) == []


# --------------------------------------------------------------------------------------------------
# Evaluation


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        ("#{a} + #{b} * 2", {"a": 1, "b": 3}, 7.0),
        ("100 * #{a} / #{b}", {"a": 1, "b": 4}, 25.0),
        ("-(#{a} - #{b})", {"a": 1, "b": 4}, 3.0),
        ("#{a.m} + #{a.f}", {"a.m": 10, "a.f": 12.5}, 22.5),
        # DHIS2 "skip if any value missing": absent, None and NaN are all missing, never read as 0.
        ("#{a} + #{b}", {"a": 1}, None),
        ("#{a} + #{b}", {"a": 1, "b": None}, None),
        ("#{a} + #{b}", {"a": 1, "b": math.nan}, None),
        ("#{a} * 0 + 5", {}, None),
        # Division by zero, and overflow, give None rather than an exception.
        ("#{a} / #{b}", {"a": 1, "b": 0}, None),
        ("#{a} / (#{b} - #{b})", {"a": 1, "b": 7}, None),
        ("1 / (#{a} / #{b})", {"a": 1, "b": 0}, None),
        ("#{a} / -0.0", {"a": 1}, None),
        ("#{a} * 1e308 * 10", {"a": 1}, None),
        ("0 / #{a}", {"a": 3}, 0.0),
    ],
)
def test_evaluate(text, values, expected):
    assert parse_expression(text).evaluate(values) == expected


def test_evaluate_uses_constants():
    assert parse_expression("#{a} * C{k}").evaluate({"a": 2}, {"k": 1.5}) == 3.0


def test_an_unknown_constant_is_an_error_at_its_position_even_when_data_are_missing():
    expr = parse_expression("#{a} + C{k}")
    with pytest.raises(ExpressionError) as caught:
        expr.evaluate({})
    assert (caught.value.message, caught.value.position) == ("unknown constant 'k'", 7)


def test_equality_ignores_spacing_brackets_and_positions():
    assert parse_expression("(#{a})+2") == parse_expression(" #{a} + 2 ")
    assert hash(parse_expression("(#{a})+2")) == hash(parse_expression("#{a} + 2"))
    assert parse_expression("#{a} + 2") != parse_expression("2 + #{a}")


@pytest.mark.parametrize(
    "make", [lambda: Number(-1), lambda: Number(math.inf), lambda: Number(True), lambda: DataElementRef("a.b"),
             lambda: DataElementRef(""), lambda: ConstantRef("k k"), lambda: BinaryOp("^", A, B)]
)
def test_nodes_refuse_values_that_would_not_round_trip(make):
    with pytest.raises(ValueError):
        make()


# --------------------------------------------------------------------------------------------------
# Canonical text


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("((#{a}))+(#{b}*2)", "#{a} + #{b} * 2"),
        ("(#{a}+#{b})*2", "(#{a} + #{b}) * 2"),
        ("#{a}-(#{b}-#{c})", "#{a} - (#{b} - #{c})"),
        ("#{a}-(#{b}+#{c})", "#{a} - (#{b} + #{c})"),
        ("(#{a}-#{b})-#{c}", "#{a} - #{b} - #{c}"),
        ("#{a}/(#{b}*#{c})", "#{a} / (#{b} * #{c})"),
        ("-(#{a}*2)", "-(#{a} * 2)"),
        ("-(-(2))", "--2"),
        ("2.50 + 1.", "2.5 + 1.0"),
    ],
)
def test_to_text_is_canonical(text, canonical):
    assert parse_expression(text).to_text() == canonical


def test_from_tree_gives_text_and_matching_positions():
    expr = Expression.from_tree(BinaryOp("*", Negate(A), ConstantRef("k")))
    assert expr.text == "-#{a} * C{k}"
    assert [expr.text[node.position] for node in expr.nodes()] == ["*", "-", "#", "C"]


codes = st.from_regex(r"[A-Za-z0-9_-]{1,6}", fullmatch=True)
disaggregations = st.none() | st.from_regex(r"[A-Za-z0-9_-]{1,4}(\.[A-Za-z0-9_-]{1,4})?", fullmatch=True)
numbers = st.integers(0, 10**20) | st.floats(min_value=0.0, allow_nan=False, allow_infinity=False).filter(
    lambda x: math.copysign(1, x) > 0
)
leaves = st.one_of(
    numbers.map(Number),
    st.builds(DataElementRef, codes, disaggregations),
    st.from_regex(r"[A-Za-z0-9_.-]{1,6}", fullmatch=True).map(ConstantRef),
)


def trees(leaf_strategy):
    return st.recursive(
        leaf_strategy,
        lambda kids: st.builds(Negate, kids) | st.builds(BinaryOp, st.sampled_from("+-*/"), kids, kids),
        max_leaves=12,
    )


@given(trees(leaves))
def test_text_round_trips_for_any_tree(tree):
    expr = Expression(tree)
    assert parse_expression(expr.to_text()) == expr
    assert parse_expression(expr.to_text()).to_text() == expr.to_text()


@given(st.text(alphabet="#C{}()+-*/ .0123456789abk_", max_size=30))
def test_any_text_parses_or_raises_expression_error(text):
    try:
        expr = parse_expression(text)
    except ExpressionError as error:
        assert 0 <= error.position <= len(text)
    else:
        assert parse_expression(expr.to_text()) == expr


# --------------------------------------------------------------------------------------------------
# SQL: the warehouse computes whole columns with to_sql; it must agree with evaluate row by row.

ROWS = [
    {"a": 1.0, "b": 2.0, "c": 3.0},
    {"a": 0.0, "b": 0.0, "c": -4.5},
    {"a": None, "b": 5.0, "c": 1.0},
    {"a": -2.0, "b": None, "c": 0.0},
    {"a": 1000.0, "b": 0.001, "c": 7.0},
    {"a": 12.0, "b": -3.0, "c": None},
]
CONSTANTS = {"k": 2.5, "neg": -4.0}


def quoted(key: str) -> str:
    return '"' + key.replace('"', '""') + '"'


@pytest.fixture(scope="module")
def warehouse():
    con = duckdb.connect()
    con.execute('create table v (id integer, a double, b double, c double, "a.m" double)')
    rows = [(i, row["a"], row["b"], row["c"], 1.0) for i, row in enumerate(ROWS)]
    con.executemany("insert into v values (?, ?, ?, ?, ?)", rows)
    yield con
    con.close()


def sql_column(con, expr: Expression) -> list[float | None]:
    sql = f"select {expr.to_sql(quoted, CONSTANTS)} from v order by id"
    return [row[0] for row in con.execute(sql).fetchall()]


def assert_agree(sql_values, python_values):
    for from_sql, from_python in zip(sql_values, python_values, strict=True):
        if from_python is None:
            assert from_sql is None
        else:
            assert from_sql is not None and math.isclose(from_sql, from_python, rel_tol=1e-12, abs_tol=1e-300)


@pytest.mark.parametrize(
    "text",
    ["100 * #{a} / #{b}", "#{a} - -#{b}", "--#{c}", "(#{a} + #{b}) / (#{c} - #{c})", "C{neg} * #{a} - C{k}",
     "0.1 * 3 + #{a.m}", "1e5 * 1e5 * 1e5 * 1e5 * #{a.m}"],
)
def test_to_sql_agrees_with_evaluate(warehouse, text):
    expr = parse_expression(text)
    expected = [expr.evaluate(row | {"a.m": 1.0}, CONSTANTS) for row in ROWS]
    assert_agree(sql_column(warehouse, expr), expected)


def test_to_sql_shape():
    expr = parse_expression("#{a.m} / -C{k} + 2")
    sql = expr.to_sql(quoted, {"k": 4})
    assert sql == '(("a.m" / NULLIF((-4.0e0), 0)) + 2.0e0)'
    assert duckdb.sql("select " + expr.to_sql(lambda key: "8", {"k": 4})).fetchall()[0][0] == 0.0


def test_to_sql_division_by_zero_is_null():
    assert duckdb.sql("select " + parse_expression("1 / (2 - 2)").to_sql(quoted)).fetchall()[0][0] is None


def test_to_sql_refuses_an_unknown_constant_with_its_position():
    with pytest.raises(ExpressionError) as caught:
        parse_expression("#{a} * C{missing}").to_sql(quoted, CONSTANTS)
    assert (caught.value.message, caught.value.position) == ("unknown constant 'missing'", 7)


sql_leaves = st.one_of(
    st.sampled_from([0, 1, 2, 0.5, 10]).map(Number),
    st.sampled_from([DataElementRef("a"), DataElementRef("b"), DataElementRef("c")]),
    st.sampled_from([ConstantRef("k"), ConstantRef("neg")]),
)


@settings(max_examples=60, deadline=None)
@given(trees(sql_leaves))
def test_to_sql_agrees_with_evaluate_for_any_tree(warehouse, tree):
    expr = Expression(tree)
    assert_agree(sql_column(warehouse, expr), [expr.evaluate(row, CONSTANTS) for row in ROWS])
