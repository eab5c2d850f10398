"""GX Data Docs for a warehouse: every suite validated, rendered as a static HTML site.

`build_data_docs(database, out_dir)` validates each suite in `expectations/suites/` on its
table in the DuckDB file `database` (read-only, as `run_suite` does) through a file-backed
GX context made in a temporary directory, builds GX's local Data Docs site there and
copies it into `out_dir`, returning the site's index.html. The context and its stores are
thrown away afterwards; only the rendered site is kept.

    uv run python -m expectations.docs --database warehouse.duckdb --out docs/
"""

from __future__ import annotations

import argparse
import functools
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

import great_expectations as gx
from great_expectations.checkpoint import UpdateDataDocsAction

from expectations.gx_duckdb import persist_duckdb_connections
from expectations.runner import _RESULT_FORMAT, _release, build_gx_suite
from expectations.suites import load_suite, suite_names

persist_duckdb_connections()

SITE = "local_site"

VENDOR = Path(__file__).with_name("data_docs_vendor")
# What GX's templates load from CDNs -> the same file in VENDOR (None: left out offline).
CDN_ASSETS = {
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery-3.7.1.min.js",
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": (
        "bootstrap-4.3.1.min.css"
    ),
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": (
        "bootstrap-4.3.1.min.js"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": (
        "popper-1.12.9.min.js"
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": (
        "bootstrap-table-1.19.1.min.css"
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": (
        "bootstrap-table-1.19.1.min.js"
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.min.js": "bootstrap-table-filter-control-1.19.1.min.js",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.min.css": "bootstrap-table-filter-control-1.19.1.min.css",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.css": "bootstrap-table-filter-control-1.19.1.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/"
    "bootstrap-datepicker.min.css": "bootstrap-datepicker-1.9.0.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/"
    "bootstrap-datepicker.min.js": "bootstrap-datepicker-1.9.0.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css": (
        "fontawesome-6.6.0/css/all.min.css"
    ),
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/"
    "bootstrap-prefers-dark.css": None,
    "https://cdn.jsdelivr.net/npm/vega@5": None,
    "https://cdn.jsdelivr.net/npm/vega-lite@5": None,
    "https://cdn.jsdelivr.net/npm/vega-embed@6": None,
}
# A tag that loads one of them; subresource-integrity and CORS attributes go with the URL,
# since a browser refuses a crossorigin script read from file://.
_ASSET_TAG = re.compile(
    r"<(?:script|link)\b[^>]*?(?:src|href)=[\"'](?P<url>https://[^\"']+)[\"'][^>]*>(?:</script>)?"
)


def build_data_docs(database: Path, out_dir: Path) -> Path:
    """Validate every suite on `database` and write GX Data Docs into `out_dir`.

    Returns the path of the site's index.html. A suite whose table is missing still gets
    its page (every expectation failed, with the error). `out_dir` is replaced.
    """
    database = Path(database).resolve()
    out_dir = Path(out_dir)
    with tempfile.TemporaryDirectory(prefix="autotrade-gx-") as scratch:
        context = gx.get_context(mode="file", project_root_dir=scratch)
        context.variables.analytics_enabled = False
        context.variables.progress_bars = {"globally": False}
        context.variables.save()
        datasource = context.data_sources.add_sql(
            name="warehouse",
            connection_string=f"duckdb:///{database}",
            kwargs={"connect_args": {"read_only": True}},
        )
        try:
            for name in suite_names():
                _validate_into_docs(context, datasource, name)
        finally:
            _release(datasource)
        site = Path(scratch) / "gx" / "uncommitted" / "data_docs" / SITE
        if out_dir.exists():
            shutil.rmtree(out_dir)
        shutil.copytree(site, out_dir)
    _serve_assets_locally(out_dir)
    return out_dir / "index.html"


def _serve_assets_locally(site: Path) -> None:
    """Point every page at VENDOR's copies instead of the CDNs, so the docs read offline."""
    vendor = site / "static" / "vendor"
    shutil.copytree(VENDOR, vendor, ignore=shutil.ignore_patterns("README.md"))
    for page in site.rglob("*.html"):
        prefix = Path(os.path.relpath(vendor, page.parent)).as_posix()
        html = page.read_text(encoding="utf-8")
        page.write_text(
            _ASSET_TAG.sub(functools.partial(_local_tag, prefix=prefix), html), encoding="utf-8"
        )


def _local_tag(match: re.Match, prefix: str) -> str:
    url = match["url"]
    if url not in CDN_ASSETS:
        return match[0]
    local = CDN_ASSETS[url]
    if local is None:
        return ""
    if local.endswith(".css"):
        return f'<link rel="stylesheet" href="{prefix}/{local}">'
    return f'<script src="{prefix}/{local}"></script>'


def _validate_into_docs(context, datasource, name: str) -> None:
    spec = load_suite(name)
    # One query asset per suite (see runner._validate for why not a table asset); several
    # suites may read the same table, so the asset is named after the suite.
    asset = datasource.add_query_asset(name=name, query=f"SELECT * FROM {spec.table}")
    batch_definition = asset.add_batch_definition_whole_table(name=spec.table)
    suite = context.suites.add(build_gx_suite(spec))
    validation = context.validation_definitions.add(
        gx.ValidationDefinition(name=name, data=batch_definition, suite=suite)
    )
    checkpoint = context.checkpoints.add(
        gx.Checkpoint(
            name=name,
            validation_definitions=[validation],
            actions=[UpdateDataDocsAction(name="update_data_docs", site_names=[SITE])],
            result_format=_RESULT_FORMAT,
        )
    )
    checkpoint.run()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", type=Path, required=True, help="DuckDB warehouse file")
    parser.add_argument("--out", type=Path, required=True, help="folder for the HTML site")
    args = parser.parse_args(argv)
    if not args.database.is_file():
        parser.error(f"no such database: {args.database}")
    index = build_data_docs(args.database, args.out)
    print(index)
    return 0


if __name__ == "__main__":
    sys.exit(main())
