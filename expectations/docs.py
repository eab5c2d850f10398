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
    return out_dir / "index.html"


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
