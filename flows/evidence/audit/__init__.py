"""The data audit as a plan of metrics, executed by one strategy per reading.

:mod:`~flows.evidence.audit.metrics` turns a field map into metric objects (nulls, extent,
empties, distinct values, each violation kind, freshness, duplicate keys), each knowing the SQL
aggregate it needs; :mod:`~flows.evidence.audit.readings` executes a plan where the data lives (a
table or plain file in DuckDB, Parquet statistics plus one aggregate query, PostgreSQL pushed
down), :mod:`~flows.evidence.audit.large_csv` in one pass over a large CSV file; and
:mod:`~flows.evidence.audit.profiles` assembles the figures into typed profiles that mirror the
raw tables' Pandera models. Rules and relationships (:mod:`~flows.evidence.audit.rules`) and the
POC comparison (:mod:`~flows.evidence.audit.drift`) read the opened datasets and the profiles.
:mod:`flows.evidence.data_audit` wires them into the portfolio's evidence.
"""
