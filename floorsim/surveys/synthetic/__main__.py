"""``python -m floorsim.surveys.synthetic``: print the generated survey against its targets, or write a large survey."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq

from floorsim.surveys.io import DEFAULT_HOUSEHOLDS_PER_ROW_GROUP, PERSONS_FILE
from floorsim.surveys.synthetic.generator import DEFAULT_HOUSEHOLDS, DEFAULT_SEED, generate_timor_leste_survey
from floorsim.surveys.synthetic.large import write_large_synthetic_survey
from floorsim.surveys.synthetic.report import achieved_vs_targets, format_table


def main(argv: list[str] | None = None) -> int:
    """``python -m floorsim.surveys.synthetic``: print target vs generated, or (with ``--persons`` and ``--out``) write a
    large survey in household-aligned row groups."""
    import argparse
    import time

    parser = argparse.ArgumentParser(
        description="Generate the synthetic Timor-Leste survey and compare it with its targets, or write a large one "
        "(--persons N --out FOLDER) block by block."
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--households", type=int, default=DEFAULT_HOUSEHOLDS)
    parser.add_argument("--year", type=int, default=None, help="reweight and reprice to this year (2025-2035)")
    parser.add_argument("--persons", type=int, default=None, help="write a survey of about this many persons")
    parser.add_argument("--out", type=Path, default=None, help="folder to write (with --persons)")
    parser.add_argument("--households-per-row-group", type=int, default=DEFAULT_HOUSEHOLDS_PER_ROW_GROUP)
    args = parser.parse_args(argv)
    if (args.persons is None) != (args.out is None):
        parser.error("--persons and --out go together")
    started = time.perf_counter()
    if args.persons is not None:
        path = write_large_synthetic_survey(
            args.out, args.persons, args.seed, args.households_per_row_group, year=args.year
        )
        written = pq.ParquetFile(path / PERSONS_FILE).metadata
        print(f"wrote {path}: {written.num_rows:,} persons in {written.num_row_groups} row groups, "
              f"{time.perf_counter() - started:.1f} s")
        return 0
    generated = generate_timor_leste_survey(seed=args.seed, n_households=args.households, year=args.year)
    elapsed = time.perf_counter() - started
    print(f"seed {args.seed}, {len(generated)} households, {len(generated.persons)} persons, {elapsed:.2f} s\n")
    if args.year is None:
        print(format_table(achieved_vs_targets(generated)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
