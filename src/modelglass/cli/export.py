"""``modelglass export RUN``: every series of a run as one long table (CSV or Parquet)."""

from __future__ import annotations

import argparse
import sys

from ..core import BadInputError
from ..store import open_store
from ._format import add_store_argument


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("run", help="run id, unique name, or 'latest'")
    add_store_argument(p)
    p.add_argument("--format", choices=["csv", "parquet", "tensorboard"], default=None,
                   help="default: from the file extension, else csv; tensorboard writes an "
                        "event file (float32 values) into the folder -o DIR")
    p.add_argument("-o", "--output", help="output file, or folder for tensorboard (default: stdout for CSV)")
    p.add_argument("--tag", action="append", help="only this series (repeatable)")


def run(args: argparse.Namespace) -> int:
    import pandas as pd

    fmt = args.format or ("parquet" if (args.output or "").endswith(".parquet") else "csv")
    if fmt == "parquet" and not args.output:
        raise BadInputError("--format parquet needs -o FILE (Parquet is binary).")
    if fmt == "tensorboard":
        return _tensorboard(args)
    with open_store(args.store) as reader:
        info = reader.run(args.run)
        tags = args.tag or reader.tags(info.id)
        frames = []
        for tag in tags:
            df = reader.series(info.id, tag).to_pandas()
            df.insert(0, "tag", tag)
            frames.append(df)
    cols = ["tag", "step", "value", "time"]
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)
    if fmt == "parquet":
        from ..core import require

        require("pyarrow", "Parquet export")
        table.to_parquet(args.output, index=False)
    elif args.output:
        table.to_csv(args.output, index=False)
    else:
        table.to_csv(sys.stdout, index=False)
    if args.output:
        print(f"wrote {len(table)} points of {len(tags)} series to {args.output}", file=sys.stderr)
    return 0


def _tensorboard(args: argparse.Namespace) -> int:
    from ..core import require

    if not args.output:
        raise BadInputError("--format tensorboard needs -o DIR (the folder to give `tensorboard --logdir`).")
    if args.tag:
        raise BadInputError("--tag is not supported with --format tensorboard: every series is written.")
    require("tensorboard", "TensorBoard export")
    require("google_crc32c", "TensorBoard export")
    from ..integrations.tensorboard import export_tensorboard

    with open_store(args.store) as reader:
        info = reader.run(args.run)
        path = export_tensorboard(info, args.output, store=reader)
        points = sum(s.length for s in reader.series_stats(info.id))
        hists = sum(len(reader.histograms(info.id, t)) for t in reader.histogram_tags(info.id))
    print(f"wrote {points} points and {hists} histograms of run {info.id} to {path}", file=sys.stderr)
    return 0
