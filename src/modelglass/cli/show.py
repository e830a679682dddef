"""``modelglass show RUN``: config, summary, status and the list of series."""

from __future__ import annotations

import argparse

from ..store import open_store
from ._format import add_store_argument, emit_json, print_table, when


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("run", help="run id, unique name, or 'latest'")
    add_store_argument(p)
    p.add_argument("--json", action="store_true", help="machine-readable output")


def run(args: argparse.Namespace) -> int:
    with open_store(args.store) as reader:
        info = reader.run(args.run)
        stats = reader.series_stats(info.id)
        hist_tags = reader.histogram_tags(info.id)
        artifacts = reader.artifacts(info.id)
    if args.json:
        emit_json(
            {
                "run": info.to_dict(),
                "series": [s.to_dict() for s in stats],
                "histograms": hist_tags,
                "artifacts": artifacts,
            }
        )
        return 0
    print(f"run      {info.name}  ({info.id})")
    print(f"project  {info.project}")
    print(f"status   {info.status}")
    print(f"started  {when(info.started)} UTC   ended {when(info.ended)}")
    for title, d in (("config", info.config), ("summary", info.summary)):
        print(f"\n{title}:" + ("" if d else " (empty)"))
        for k, v in d.items():
            print(f"  {k} = {v}")
    print()
    if stats:
        print_table(
            ["series", "length", "last step", "last", "min", "max"],
            [(s.tag, s.length, s.last_step, s.last, s.min, s.max) for s in stats],
        )
    else:
        print("No series logged.")
    if hist_tags:
        print(f"\nhistograms: {', '.join(hist_tags)}")
    if artifacts:
        print(f"artifacts: {', '.join(artifacts)}")
    return 0
