"""Workbench helpers for the Decision 766 weekly reports: one module per stage (ingest, score, rank,
narrative) plus the shared pieces they use. Notebooks only call these functions."""

import sys

# jsonschema (which nbformat, and so papermill and nbconvert, import) loads the optional
# rfc3987_syntax package when it is installed (JupyterLab's dependencies install it), and that
# package builds a grammar at import: about 1 s in every process that reads a notebook. Nothing here
# validates IRIs, so processes that use the helpers go without it; jsonschema then skips its "iri"
# formats exactly as when the package is absent.
sys.modules.setdefault("rfc3987_syntax", None)
