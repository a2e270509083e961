"""Generate the audit benchmark's data: N rows x 20 columns as Parquet, and the same rows as CSV.

Ids with some duplicate keys, numbers and categories with nulls and invalid values, emails with
bad patterns, timestamps. Generated inside DuckDB (seeded), so that 100 million rows need no
memory beyond DuckDB's streaming.

    uv run python benchmarks/audit/generate.py --rows 10000000 --out /tmp/readiness-bench
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import duckdb

STATUSES = ["new", "paid", "shipped", "delivered", "returned"]
CHANNELS = ["web", "app", "store", "phone"]
COUNTRIES = ["DE", "FR", "NL", "UK", "US", "ES", "IT"]
PLANS = ["free", "starter", "pro", "enterprise"]


def pick(values: list[str], seed: int, invalid: str, null_every: int) -> str:
    """A category: mostly valid, 1 in 500 invalid, 1 in ``null_every`` NULL."""
    listing = "[" + ", ".join(f"'{v}'" for v in values) + "]"
    h = f"hash(i * {seed})"
    return (
        f"case when {h} % {null_every} = 0 then null when {h} % 500 = 1 then '{invalid}' "
        f"else {listing}[1 + ({h} % {len(values)})::int] end"
    )


SELECT = f"""
select
    case when i % 1000 = 0 then i - 1 else i end as order_id,
    1 + hash(i * 3) % 200000 as customer_id,
    case when hash(i * 5) % 50 = 0 then null
         when hash(i * 5) % 97 = 1 then 'user' || i || '_at_example.com'
         else 'user' || i || '@example.com' end as email,
    {pick(STATUSES, 7, "unknown", 100)} as status,
    {pick(CHANNELS, 11, "fax", 200)} as channel,
    {pick(COUNTRIES, 13, "XX", 300)} as country,
    {pick(PLANS, 17, "legacy", 400)} as plan,
    case when hash(i * 19) % 40 = 0 then null
         when hash(i * 19) % 333 = 1 then -1.0 * (hash(i) % 100)
         else (hash(i * 23) % 100000) / 100.0 end as amount,
    case when hash(i * 29) % 250 = 0 then 0 else 1 + hash(i * 29) % 20 end as quantity,
    case when hash(i * 31) % 60 = 0 then null else (hash(i * 31) % 90) / 100.0 end as discount,
    (hash(i * 37) % 1000000) / 1000000.0 as score,
    -90 + (hash(i * 41) % 18000) / 100.0 as latitude,
    -180 + (hash(i * 43) % 36000) / 100.0 as longitude,
    timestamp '2026-11-20 00:00:00' - to_seconds((hash(i * 47) % 31536000)::bigint) as created_at,
    case when hash(i * 53) % 30 = 0 then null
         else timestamp '2026-11-20 00:00:00' - to_seconds((hash(i * 53) % 864000)::bigint)
    end as updated_at,
    'order note ' || (hash(i * 59) % 100000) as description,
    hash(i * 61) % 3 <> 0 as is_active,
    case when hash(i * 67) % 80 = 0 then null else 18 + hash(i * 67) % 80 end as age,
    'P-' || lpad((hash(i * 71) % 100000)::varchar, 5, '0') as product_code,
    md5(i::varchar) as session_id
from range({{rows}}) as t(i)
"""


def generate(rows: int, out: Path, csv_too: bool = True) -> tuple[Path, Path]:
    """Write ``orders_<rows>.parquet`` (and ``orders_<rows>.csv``) into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    parquet, csv = out / f"orders_{rows}.parquet", out / f"orders_{rows}.csv"
    con = duckdb.connect()
    con.execute("set preserve_insertion_order = false")
    if not parquet.exists():
        con.execute(
            f"copy ({SELECT.format(rows=rows)}) to '{parquet}' "
            "(format parquet, compression zstd, row_group_size 1000000)"
        )
    if csv_too and not csv.exists():
        con.execute(f"copy (select * from read_parquet('{parquet}')) to '{csv}' (header)")
    return parquet, csv


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--out", type=Path, default=Path("/tmp/readiness-bench"))
    parser.add_argument("--no-csv", action="store_true", help="Only the Parquet file.")
    args = parser.parse_args()
    started = time.perf_counter()
    parquet, csv = generate(args.rows, args.out, csv_too=not args.no_csv)
    print(f"{parquet} and {csv} in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
