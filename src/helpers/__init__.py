"""Workbench helpers for the Decision 766 weekly reports: one module per stage (ingest, score, rank,
narrative) plus the shared pieces they use. Notebooks only call these functions."""
