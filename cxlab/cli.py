"""The ``cxlab`` command: ``cxlab run``, ``cxlab check``, ``cxlab pdf``."""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="cxlab", description="Customer-experience research workbench.")
    sub = p.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run a study's notebooks and write its HTML reports")
    run.add_argument("study", nargs="?", help="study YAML file, or the name of a study in data/raw/ "
                     "(default: the bundled demo study)")
    run.add_argument("-p", "--param", action="append", default=[], metavar="NAME=VALUE",
                     help="override a study parameter (repeatable), e.g. -p seed=7")
    run.add_argument("--out", metavar="DIR", help="reports root; reports go to DIR/<study>/ (default: reports/)")
    run.add_argument("--code", action=argparse.BooleanOptionalAction, default=False,
                     help="teaching mode: show code in the reports (default: --no-code, publication mode)")
    run.add_argument("--jobs", type=int, default=None, help="notebooks run side by side (default: cores)")
    run.add_argument("--only", action="append", metavar="NOTEBOOK", help="run only this notebook (repeatable)")
    run.add_argument("--force", action="store_true",
                     help="rerun every notebook (default: reuse reports whose inputs, code and parameters are unchanged)")
    run.add_argument("--pdf", action="store_true",
                     help="also print every report to <study>/pdf/<name>.pdf with headless Chromium")
    run.add_argument("--by", choices=["team"], default=None,
                     help="also write one short report per team (<study>/teams/<team>.html), linked from the index")

    pdf = sub.add_parser("pdf", help="print the reports of a study's last run to PDF (<study>/pdf/), running nothing")
    pdf.add_argument("study", nargs="?", help="study YAML file or name (default: the demo study)")
    pdf.add_argument("--out", metavar="DIR", help="the reports root the study was run into (default: reports/)")

    check = sub.add_parser("check", help="validate a study's parameters and data without running notebooks")
    check.add_argument("study", nargs="?", help="study YAML file or name (default: the demo study)")
    check.add_argument("-p", "--param", action="append", default=[], metavar="NAME=VALUE")

    sub.add_parser("schema", help="print every key of a study file and every analysis parameter")

    new = sub.add_parser("new", help="start a new study: a copy of the demo study (or --from another), or with "
                         "--survey a draft inferred from your own survey file")
    new.add_argument("name", help="the new study's name (letters, digits, '_' and '-')")
    new.add_argument("--from", dest="source", metavar="STUDY.yaml", help="study to copy (default: the demo study)")
    new.add_argument("--survey", metavar="FILE", help="draft a study from your own survey file (CSV, Excel, SPSS, "
                     "Parquet) instead of copying one; copies no demo files")
    return p


def study_argument(value: str) -> str:
    """The study a command names: a YAML file, or the name of a study in ``data/raw/``.

    A name is taken only where no file of that name exists (``cxlab new sq`` made
    ``data/raw/sq/study.yaml``; ``cxlab run sq`` runs it).

    Raises
    ------
    FileNotFoundError
        If ``value`` is neither, naming the studies there are.
    """
    from .paths import project_root

    if Path(value).exists():
        return value
    raw = project_root() / "data" / "raw"
    named = raw / value / "study.yaml"
    if re.fullmatch(r"[A-Za-z0-9_-]+", value) and named.is_file():
        return str(named)
    studies = sorted(p.parent.name for p in raw.glob("*/study.yaml"))
    raise FileNotFoundError(f"Study file not found: {Path(value).resolve()} (give a study's YAML file, or the "
                            f"name of a study in {raw}: {', '.join(studies) or 'none yet'})")


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``cxlab`` command; returns the exit code.

    Exit codes: 0 success; 1 a notebook failed, the data are bad or printing to PDF failed;
    2 the study, its parameters, the output folder, the secret or the command line are
    wrong, or ``cxlab pdf`` finds no reports (nothing was run); 130 / 143 interrupted by
    SIGINT / SIGTERM (kernels stopped, temporary folders removed, previous reports untouched).
    """
    args = _parser().parse_args(argv)
    if args.command == "run" and args.force:  # kernels surely needed: the warm template imports meanwhile
        from .kernels import start_early

        start_early()
    from .data import DataError
    from .safety import Interrupted, check_study_name
    from .study import StudyError, demo_study_path, load_study, parse_override

    try:
        if getattr(args, "study", None):
            args.study = study_argument(args.study)
        if args.command == "schema":
            from .study import schema_text

            print(schema_text())
            return 0
        if args.command == "new" and args.survey:
            from .draft import new_study_from_survey

            if args.source:
                raise ValueError("cxlab new: give either --from (copy a study) or --survey (draft one), not both")
            path = new_study_from_survey(args.name, args.survey)
            print(f"created {path}\ncheck what was inferred (the comments say why), edit it, then run: "
                  f"cxlab check {path}")
            return 0
        if args.command == "new":
            from .study import new_study

            path = new_study(args.name, source=args.source)
            print(f"created {path}\nedit it, then run: cxlab run {path}")
            return 0
        if args.command == "pdf":
            from .runner import pdf_study

            written = pdf_study(args.study, out=args.out)
            print(written[0].parent)
            return 0
        overrides = dict(parse_override(t) for t in args.param)
        if args.command == "check":
            from .data import contact_log_problems, load_survey
            from .runner import study_plan

            from .privacy import load_secret

            study = load_study(args.study or demo_study_path(), overrides=overrides)
            check_study_name(study)
            load_secret()  # a weak or empty secret is refused here too, before any run
            problems = contact_log_problems(study)
            if "employees" in study.data:
                from .employees import load_employee_survey

                try:
                    load_employee_survey(study.data["employees"], **study.data_options["employees"])
                except DataError as exc:
                    problems.append(str(exc))
            try:
                loaded = load_survey(study.data["survey"], study.codebook, **study.data_options.get("survey", {}))
            except DataError as exc:
                problems.insert(0, str(exc))
            if problems:
                raise DataError("\n".join(problems))
            the_plan = study_plan(study, survey=loaded.data)
            print(f"{study.path}: OK (study '{study.name}', {len(loaded.data)} respondents; "
                  f"{len(the_plan.to_run)} of {len(the_plan.reports)} reports will run)")
            handled = loaded.quality
            if len(handled):
                print(handled.to_string(index=False))
            print(the_plan)
            return 0
        from .runner import run_study

        result = run_study(args.study, overrides=overrides, out=args.out, code=args.code,
                           jobs=args.jobs, only=args.only, force=args.force, pdf=args.pdf, by=args.by)
        print(result.directory / "index.html")
        if result.pdfs:
            print(result.pdfs[0].parent)
        return 0
    except StudyError as exc:
        print(f"cxlab: invalid study: {exc}", file=sys.stderr)
        return 2
    except DataError as exc:
        print(f"cxlab: bad data: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # the output went into a command that stopped reading it (| head)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no error when Python flushes at exit
        return 1
    except (OSError, ValueError) as exc:  # a missing or unwritable file or folder, a bad value
        print(f"cxlab: {exc}", file=sys.stderr)
        return 2
    except RuntimeError as exc:  # RunError: a notebook failed
        print(f"cxlab: run failed: {exc}", file=sys.stderr)
        return 1
    except Interrupted as exc:
        print(f"cxlab: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:  # Ctrl-C outside a run (check, new)
        print("cxlab: interrupted by SIGINT", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - a user sees one line, never a traceback
        if os.environ.get("CXLAB_DEBUG"):
            raise
        print(f"cxlab: unexpected error ({type(exc).__name__}): {exc} "
              "(set CXLAB_DEBUG=1 to see the traceback)", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
