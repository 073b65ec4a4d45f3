"""The ``cxlab`` command: ``cxlab run``, ``cxlab check``."""

from __future__ import annotations

import argparse
import sys

from .study import StudyError, load_study, parse_override, demo_study_path


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="cxlab", description="Customer-experience research workbench.")
    sub = p.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run a study's notebooks and write its HTML reports")
    run.add_argument("study", nargs="?", help="study YAML file (default: the bundled demo study)")
    run.add_argument("-p", "--param", action="append", default=[], metavar="NAME=VALUE",
                     help="override a study parameter (repeatable), e.g. -p seed=7")
    run.add_argument("--out", metavar="DIR", help="reports root; reports go to DIR/<study>/ (default: reports/)")
    run.add_argument("--code", action=argparse.BooleanOptionalAction, default=False,
                     help="teaching mode: show code in the reports (default: --no-code, publication mode)")
    run.add_argument("--jobs", type=int, default=None, help="notebooks run side by side (default: cores)")
    run.add_argument("--only", action="append", metavar="NOTEBOOK", help="run only this notebook (repeatable)")

    check = sub.add_parser("check", help="validate a study's parameters and data without running notebooks")
    check.add_argument("study", nargs="?", help="study YAML file (default: the demo study)")
    check.add_argument("-p", "--param", action="append", default=[], metavar="NAME=VALUE")

    new = sub.add_parser("new", help="start a new study from a copy of the demo study (or --from another)")
    new.add_argument("name", help="the new study's name (letters, digits, '_' and '-')")
    new.add_argument("--from", dest="source", metavar="STUDY.yaml", help="study to copy (default: the demo study)")
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``cxlab`` command; returns the exit code.

    Exit codes: 0 success; 1 a notebook failed or the data are bad; 2 the study, its
    parameters or the command line are wrong (nothing was run).
    """
    from .data import DataError

    args = _parser().parse_args(argv)
    try:
        if args.command == "new":
            from .study import new_study

            path = new_study(args.name, source=args.source)
            print(f"created {path}\nedit it, then run: cxlab run {path}")
            return 0
        overrides = dict(parse_override(t) for t in args.param)
        if args.command == "check":
            from .data import contact_log_problems, load_survey

            study = load_study(args.study or demo_study_path(), overrides=overrides)
            problems = contact_log_problems(study)
            try:
                loaded = load_survey(study.data["survey"], study.codebook, **study.data_options.get("survey", {}))
            except DataError as exc:
                problems.insert(0, str(exc))
            if problems:
                raise DataError("\n".join(problems))
            print(f"{study.path}: OK (study '{study.name}', {len(loaded.data)} respondents, "
                  f"{len(study.notebooks)} notebooks)")
            handled = loaded.quality
            if len(handled):
                print(handled.to_string(index=False))
            return 0
        from .runner import run_study

        result = run_study(args.study, overrides=overrides, out=args.out, code=args.code,
                           jobs=args.jobs, only=args.only)
        print(result.directory / "index.html")
        return 0
    except StudyError as exc:
        print(f"cxlab: invalid study: {exc}", file=sys.stderr)
        return 2
    except DataError as exc:
        print(f"cxlab: bad data: {exc}", file=sys.stderr)
        return 1
    except (OSError, ValueError) as exc:  # a missing or unwritable file or folder, a bad value
        print(f"cxlab: {exc}", file=sys.stderr)
        return 2
    except RuntimeError as exc:  # RunError: a notebook failed
        print(f"cxlab: run failed: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
