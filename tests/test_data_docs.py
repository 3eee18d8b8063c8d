"""GX Data Docs for one validation run (expectations/docs.py), on a real GX run over DuckDB."""

from __future__ import annotations

import copy
import pickle
import subprocess
import sys
import textwrap
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: 1000 rows; barrio takes b0..b6 except row 0, whose value the caller hid as ``<oculto>``.
TABLE_SQL = """
CREATE TABLE main.personas AS
SELECT i AS id,
       CASE WHEN i = 0 THEN '<oculto>' ELSE 'b' || (i % 7) END AS barrio,
       i % 100 AS edad
FROM range(1000) t(i)
"""


def _validation_result(suite_name: str = "calidad.personas") -> Any:
    """A real result: GX's SQL datasource on DuckDB, one passing expectation, five failing."""
    import duckdb
    import great_expectations as gx
    from duckdb_engine import ConnectionWrapper, CursorWrapper

    base = duckdb.connect()
    base.execute(TABLE_SQL)

    class Wrapper(ConnectionWrapper):
        def cursor(self) -> CursorWrapper:
            return CursorWrapper(base.cursor(), self)

    context: Any = gx.get_context(mode="ephemeral")  # add_sql's kwargs= is not in its stub
    source = context.data_sources.add_sql(
        "duck",
        connection_string="duckdb:///:memory:",
        kwargs={"creator": lambda: Wrapper(base.cursor())},
    )
    batch = source.add_table_asset("personas", table_name="personas")
    whole = batch.add_batch_definition_whole_table("todo")
    suite = context.suites.add(gx.ExpectationSuite(suite_name))
    suite.add_expectation(gx.expectations.ExpectColumnValuesToNotBeNull(column="id"))
    suite.add_expectation(
        gx.expectations.ExpectColumnValuesToBeInSet(column="barrio", value_set=["b1", "b2", "<b3>"])
    )
    suite.add_expectation(
        gx.expectations.ExpectColumnValuesToBeBetween(column="edad", min_value=0, max_value=89)
    )
    suite.add_expectation(
        gx.expectations.UnexpectedRowsExpectation(
            unexpected_rows_query="SELECT id FROM {batch} WHERE edad > 97",
            description="'edad' no supera 97",
        )
    )
    # How expectations/validation.py runs a regex rule: a description holding a regex.
    suite.add_expectation(
        gx.expectations.UnexpectedRowsExpectation(
            unexpected_rows_query=(
                "SELECT barrio FROM {batch} WHERE NOT regexp_matches(barrio, '^b[0-9]$')"
            ),
            description="'barrio' sigue el formato ^b[0-9]$",
        )
    )
    suite.add_expectation(
        gx.expectations.ExpectColumnValuesToBeOfType(column="barrio", type_="INTEGER")
    )
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name="personas", data=whole, suite=suite)
    )
    return definition.run(result_format="BASIC")


@pytest.fixture(scope="module")
def result() -> Any:
    outcome = _validation_result()
    passed = [item.expectation_config.type for item in outcome.results if item.success]
    assert passed == ["expect_column_values_to_not_be_null"], passed
    assert len(outcome.results) == 6
    return outcome


def _result_of(result: Any, expectation_type: str) -> dict[str, Any]:
    [item] = [i for i in result.results if i.expectation_config.type == expectation_type]
    return item.result


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.links += [value for name, value in attrs if name in ("href", "src") and value]


def _local_links(page: Path) -> list[str]:
    """The page's href/src that point into the site: not http(s), not in-page anchors."""
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return [
        link
        for link in parser.links
        if not urlsplit(link).scheme and not link.startswith("#") and link != "#"
    ]


def _assert_links_resolve(page: Path, destination: Path) -> list[Path]:
    targets = []
    for link in _local_links(page):
        target = (page.parent / unquote(urlsplit(link).path)).resolve()
        assert target.is_relative_to(destination.resolve()), (page, link)
        assert target.is_file(), f"{page.name}: {link} -> {target} is missing"
        targets.append(target)
    return targets


def _text(page: Path) -> str:
    return page.read_text(encoding="utf-8")


def test_renders_the_validation_page(result: Any, tmp_path: Path) -> None:
    from expectations.docs import render_data_docs

    destination = tmp_path / "docs"
    page = render_data_docs(result, destination)

    assert page.is_file()
    assert page.suffix == ".html"
    assert page.is_relative_to(destination.resolve())
    assert page.relative_to(destination.resolve()).parts[:3] == (
        "validations",
        "calidad",
        "personas",
    )
    html = _text(page)
    assert html.lstrip().lower().startswith("<!doctype html>")
    # The suite, the columns and the verdicts.
    assert "calidad.personas" in html
    for column in ("barrio", "edad"):
        assert column in html
    assert "Failed" in html
    assert "fa-times text-danger" in html  # GX's failure marker
    assert "fa-check-circle text-success" in html  # and its success marker (id not null)
    assert "714 unexpected values found" in html
    assert "100 unexpected values found" in html
    assert "no supera 97" in html
    assert "sigue el formato ^b[0-9]$" in html
    # A failing value hidden by the caller is shown escaped, not swallowed as an HTML tag.
    assert "&lt;oculto&gt;" in html
    assert "<oculto>" not in html


def test_data_values_are_escaped(result: Any, tmp_path: Path) -> None:
    """GX prints sampled values and plain observed values raw; they must not become markup."""
    from expectations.docs import render_data_docs

    marked = copy.deepcopy(result)
    in_set = _result_of(marked, "expect_column_values_to_be_in_set")
    of_type = _result_of(marked, "expect_column_values_to_be_of_type")
    in_set["partial_unexpected_list"] = ["<b>x1</b>", "a&b"]
    of_type["observed_value"] = "<script>x2</script>"

    html = _text(render_data_docs(marked, tmp_path))

    assert "&lt;b&gt;x1&lt;/b&gt;" in html
    assert "a&amp;b" in html
    assert "&lt;script&gt;x2&lt;/script&gt;" in html
    for raw in ("<b>x1", "<script>x2"):
        assert raw not in html
    # What GX escapes itself is not escaped twice.
    assert "&amp;lt;" not in html
    assert "&lt;b3&gt;" in html  # from the value set: GX escapes it itself


def test_local_links_resolve(result: Any, tmp_path: Path) -> None:
    from expectations.docs import render_data_docs

    page = render_data_docs(result, tmp_path)

    targets = _assert_links_resolve(page, tmp_path)
    names = {target.relative_to(tmp_path.resolve()).as_posix() for target in targets}
    assert "static/images/favicon.ico" in names
    assert "index.html" in names
    assert "expectations/calidad/personas.html" in names
    # Every page of the site keeps its relative links.
    for other in tmp_path.rglob("*.html"):
        _assert_links_resolve(other, tmp_path)
    assert (tmp_path / "static" / "styles" / "data_docs_default_styles.css").is_file()


def test_renders_again_into_another_folder(result: Any, tmp_path: Path) -> None:
    from expectations.docs import render_data_docs

    first = render_data_docs(result, tmp_path / "uno")
    before = _text(first)
    second = render_data_docs(result, tmp_path / "dos")

    assert second.is_file()
    assert second.is_relative_to((tmp_path / "dos").resolve())
    assert first.relative_to(tmp_path / "uno") == second.relative_to(tmp_path / "dos")
    assert "714 unexpected values found" in _text(second)
    _assert_links_resolve(second, tmp_path / "dos")
    assert _text(first) == before


def test_leaves_the_current_gx_context_alone(result: Any, tmp_path: Path) -> None:
    from great_expectations.data_context.data_context.context_factory import project_manager

    from expectations.docs import render_data_docs

    current = project_manager.get_current_project()
    render_data_docs(result, tmp_path)
    assert project_manager.get_current_project() is current


def test_importing_the_module_does_not_import_gx() -> None:
    code = (
        "import sys, expectations.docs; "
        "assert 'great_expectations' not in sys.modules, 'great_expectations imported'"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=120)


@pytest.mark.slow
def test_two_processes_render_at_once(result: Any, tmp_path: Path) -> None:
    (tmp_path / "result.pkl").write_bytes(pickle.dumps(result))
    script = textwrap.dedent(
        """
        import pickle, sys
        from pathlib import Path
        from expectations.docs import render_data_docs
        result = pickle.loads(Path(sys.argv[1]).read_bytes())
        print(render_data_docs(result, Path(sys.argv[2])))
        """
    )
    children = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(tmp_path / "result.pkl"), str(tmp_path / name)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        for name in ("a", "b")
    ]
    pages = []
    for child in children:
        out, _ = child.communicate(timeout=300)
        assert child.returncode == 0
        pages.append(Path(out.strip().splitlines()[-1]))
    for page, name in zip(pages, ("a", "b"), strict=True):
        assert page.is_relative_to((tmp_path / name).resolve())
        assert "714 unexpected values found" in _text(page)
        _assert_links_resolve(page, tmp_path / name)
