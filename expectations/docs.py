"""Great Expectations Data Docs for one validation run, rendered into a folder of its own.

Every quality run keeps its evidence: the caller renders GX's Data Docs for that run's (already
sanitized) validation result into a fresh folder, uploads the folder to object storage next to
the run, and links the page from the Dagster asset metadata and from the catalog. A per-run site
never changes after it is written, so an old link keeps showing what that run saw.

The HTML is GX's own. A throw-away ``EphemeralDataContext`` gets one Data Docs site
(``SiteBuilder`` on a ``TupleFilesystemStoreBackend`` rooted at ``destination``) and the result
in its in-memory validation results store; ``build_data_docs`` writes the home page, the suite
page and GX's static files, and the validation page is rendered with the same classes the site
uses (``ValidationResultsPageRenderer``, ``DefaultJinjaPageView``) and stored through the same
``HtmlSiteStore``. The folder then holds::

    index.html                                                  the site's home page
    validations/<suite>/<run name>/<run time>/<batch>.html      this run's page (returned)
    expectations/<suite>.html                                   the suite, rebuilt from the result
    static/                                                     GX's images, styles and fonts

About 4 MB a run, nearly all of it ``static/`` (GX copies its whole folder of images and fonts).

Two corrections to GX's output, both on the validation page:

- GX writes values of the data into the HTML unescaped where they are plain table cells: the
  "Sampled Unexpected Values"/"Unexpected Value" tables and a plain-text "Observed Value"
  (``str(observed_value)``). A value ``<oculto>`` (how the caller hides personal values) would
  vanish as an unknown tag, and a value holding markup would run as markup on the published
  page. Those cells are HTML-escaped between GX's renderer and its view; what GX escapes
  itself (value sets and other parameters, observed values in sentences, notes) is left alone.
  Configuration is rendered as GX renders it: column and suite names and expectation
  descriptions (GX string templates, ``$name`` substituted) come from our specs and rules.
- Its favicon link climbs one folder too few (``suite dots + 3`` levels from a page
  ``suite dots + 4`` deep); it is pointed at the copy in ``static/``, so every relative link of
  the page resolves.

Nothing is downloaded while rendering. The pages do *reference* CDN assets (Bootstrap,
bootstrap-table, jQuery, Font Awesome, Vega) and GX's logo by https URL, as every GX Data Docs
site does. Opened offline, the validation page still shows what matters as plain HTML with GX's
inlined styles: the overall status ("Failed"/"Succeeded"), the statistics, and each expectation
with its observed value, unexpected count and sampled unexpected values. Lost offline: the
per-expectation pass/fail icons (Font Awesome), the "Failed Only" filter and collapsible
sections (jQuery/Bootstrap), and the tables of ``index.html``, which bootstrap-table draws.

The context is built directly, not with ``gx.get_context``, which would also make it GX's
*current* context and change what the caller's unbound GX objects resolve to. Nothing is shared
between calls (no fixed temporary names), so renders may run several times in one process or in
parallel processes, each into its own ``destination``. Great Expectations is imported only inside
:func:`render_data_docs` (it takes seconds to import), never when the Dagster definitions load.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from great_expectations.core import ExpectationSuiteValidationResult

__all__ = ["render_data_docs"]

logger = logging.getLogger(__name__)

_SITE = "run"
#: What GX's ``TupleFilesystemStoreBackend`` refuses inside a key element (they would be paths).
_FORBIDDEN = re.compile(r"[/\\]")
_FAVICON = re.compile(r'(<link rel="shortcut icon" href=")([^"]*)(")')
#: First header cell of the tables of failing values (``great_expectations.render.util``,
#: ``Expectation._diagnostic_unexpected_table_renderer``): every cell is a value of the data.
_VALUE_TABLES = {"Sampled Unexpected Values", "Unexpected Value"}
#: Header of the validation results table (``ValidationResultsTableContentBlockRenderer``): a
#: plain-text "Observed Value" cell is a value of the data (``str(observed_value)``).
_RESULTS_TABLE = ["Status", "Expectation", "Observed Value"]


def render_data_docs(result: ExpectationSuiteValidationResult, destination: Path) -> Path:
    """Render GX's Data Docs HTML for one validation result into `destination`; return the path
    of the page for this validation (relative links inside the folder must work when the folder
    is served statically or opened from disk)."""
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context import EphemeralDataContext
    from great_expectations.data_context.store.html_site_store import HtmlSiteStore
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
    )
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        SiteSectionIdentifier,
        ValidationResultIdentifier,
    )
    from great_expectations.render.renderer import ValidationResultsPageRenderer
    from great_expectations.render.view import DefaultJinjaPageView

    destination = Path(destination).resolve()
    destination.mkdir(parents=True, exist_ok=True)
    store_backend = {
        "class_name": "TupleFilesystemStoreBackend",
        "base_directory": str(destination),
    }
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        data_docs_sites={
            _SITE: {
                "class_name": "SiteBuilder",
                # No "how to" walkthrough modal and call-to-action cards: they need Bootstrap's
                # JavaScript and show as stray text without it.
                "show_how_to_buttons": False,
                "store_backend": store_backend,
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            }
        },
    )
    context = EphemeralDataContext(project_config=config)

    suite_key = ExpectationSuiteIdentifier(name=result.suite_name)
    result_key = ValidationResultIdentifier(
        expectation_suite_identifier=suite_key,
        run_id=_run_identifier(result.meta.get("run_id"), RunIdentifier),
        batch_identifier=_safe(result.batch_id) if result.batch_id else None,
    )
    context.validation_results_store.set(result_key, result)
    _store_suite(context, result)
    # Home page (listing this validation), suite page and static files. The validation page
    # is left to the code below: not named in resource_identifiers, SiteBuilder skips it.
    context.build_data_docs(site_names=[_SITE], resource_identifiers=[suite_key])

    # What SiteBuilder's validations section does, with the failing values escaped in between.
    stored = cast(
        "ExpectationSuiteValidationResult", context.validation_results_store.get(result_key)
    )
    document = ValidationResultsPageRenderer(data_context=context).render(stored)
    _escape_data_cells(document)
    page_html = DefaultJinjaPageView().render(
        document, data_context_id=context.data_context_id, show_how_to_buttons=False
    )
    # HtmlSiteStore's layout for a validation page: "validations/", the key as folders, ".html".
    *folders, name = result_key.to_tuple()
    page = destination.joinpath("validations", *folders, f"{name}.html")
    page_html = _fix_favicon(page_html, page, destination)
    site = HtmlSiteStore(store_backend=store_backend)
    site.set(
        SiteSectionIdentifier(site_section_name="validations", resource_identifier=result_key),
        page_html,
    )
    if not page.is_file():
        raise RuntimeError(f"Great Expectations did not write the Data Docs page at {page}")
    return page


def _run_identifier(value: object, run_identifier: type[Any]) -> Any:
    """The result's run id as a ``RunIdentifier`` usable as a file-store key."""
    if isinstance(value, dict):
        value = run_identifier(**value)
    if not isinstance(value, run_identifier):
        return run_identifier(run_time=dt.datetime.now(dt.UTC))
    run_name = value.run_name
    if run_name and _FORBIDDEN.search(run_name):
        return run_identifier(run_name=_safe(run_name), run_time=value.run_time)
    return value


def _safe(text: str) -> str:
    return _FORBIDDEN.sub("_", text)


def _store_suite(context: Any, result: ExpectationSuiteValidationResult) -> None:
    """Put the suite, rebuilt from the result's expectation configurations, in the context so
    the suite page that the validation page links to exists."""
    from great_expectations.core import ExpectationSuite

    configurations = [
        item.expectation_config for item in result.results if item.expectation_config is not None
    ]
    try:
        suite = ExpectationSuite(name=result.suite_name, expectations=configurations)
        store = context.expectations_store
        store.add(key=store.get_key(name=suite.name, id=None), value=suite)
    except Exception:
        logger.warning(
            "Data Docs: suite page for '%s' not rendered", result.suite_name, exc_info=True
        )


def _escape_data_cells(node: Any) -> None:
    """HTML-escape, in place, the plain-text cells of a rendered document that hold data."""
    from great_expectations.render import RenderedContent, RenderedTableContent

    if isinstance(node, list | tuple):
        for item in node:
            _escape_data_cells(item)
    elif isinstance(node, dict):
        for item in node.values():
            _escape_data_cells(item)
    elif isinstance(node, RenderedContent):
        if isinstance(node, RenderedTableContent) and node.table:
            columns = _data_columns(node.header_row)
            node.table = [
                [_escape_cell(cell) if columns(i) else cell for i, cell in enumerate(row)]
                if isinstance(row, list)
                else row
                for row in node.table
            ]
        for item in vars(node).values():
            _escape_data_cells(item)


def _data_columns(header_row: Any) -> Callable[[int], bool]:
    """Which columns of a GX table hold data values as plain text (GX prints those raw)."""
    header = [cell for cell in header_row or [] if isinstance(cell, str)]
    if header[:1] and header[0] in _VALUE_TABLES:
        return lambda _: True
    if header[:3] == _RESULTS_TABLE:
        return lambda index: index == _RESULTS_TABLE.index("Observed Value")
    return lambda _: False


def _escape_cell(cell: Any) -> Any:
    from great_expectations.render import RenderedContent

    if isinstance(cell, dict | RenderedContent):  # a content block: GX renders it itself
        return cell
    if isinstance(cell, list):  # GX shows each item of a list cell in a <span>
        return [_escape_cell(item) for item in cell]
    return html.escape(str(cell))


def _fix_favicon(page_html: str, page: Path, destination: Path) -> str:
    """Point the page's favicon link at ``static/images/favicon.ico`` of this site."""
    favicon = destination / "static" / "images" / "favicon.ico"
    href = Path(os.path.relpath(favicon, page.parent)).as_posix()
    return _FAVICON.sub(lambda match: f"{match[1]}{href}{match[3]}", page_html, count=1)
