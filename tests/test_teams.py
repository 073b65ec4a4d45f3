"""Team reports (`cxlab run --by team`): one page per team beside the organisation's, linked from
the index, rendered in headless Chromium, reading like a publication; a team below the minimum cell
size gets a suppression notice instead of numbers; no agent or customer id on any page."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from conftest import DEMO, cxlab_cmd
from test_reports_browser import chromium  # noqa: F401 - the same fixture: Chromium, or a skip

pytestmark = pytest.mark.slow


def _team_pages(out):
    return sorted((out / "teams").glob("*.html"))


def test_one_team_report_per_team_linked_from_the_index(demo_run):
    out, _ = demo_run
    pages = _team_pages(out)
    teams = sorted(pd.read_parquet(DEMO / "contacts.parquet", columns=["team_id"])["team_id"].dropna().unique())
    assert [p.stem for p in pages] == teams
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "<h2>Team reports</h2>" in index
    for page in pages:
        assert f'href="teams/{page.name}"' in index
        html = page.read_text(encoding="utf-8")
        assert f"Team report: {page.stem}" in html and 'href="../index.html"' in html
        assert "First-contact resolution (% of handled contacts)" in html and "NPS (−100 to 100)" in html


def _text(html: str) -> str:
    """The visible text of an HTML fragment, entities decoded, whitespace collapsed."""
    import html as html_lib

    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _index_lines(index: str) -> dict[str, str]:
    """Each team's line on the index: the text under its link."""
    found = re.findall(r'<li><a href="teams/([^"]+)\.html">Team [^<]*</a><div class="headline">(.*?)</div></li>',
                       index, flags=re.S)
    return {team: _text(body) for team, body in found}


def test_the_index_gives_each_team_its_summary_written_from_its_numbers(demo_run):
    """Every team's one-line summary is on the index (as on its page), with its count and its NPS against the
    organisation's, the same numbers cxlab.teams computes for it."""
    from cxlab import teams
    from cxlab._text import number
    from cxlab.study import load_study

    out, _ = demo_run
    lines = _index_lines((out / "index.html").read_text(encoding="utf-8"))
    pages = _team_pages(out)
    assert sorted(lines) == [p.stem for p in pages]
    study = load_study(DEMO / "study.yaml")
    counts = pd.read_parquet(study.processed_dir / "attribution.parquet")["team_id"].value_counts()
    assert counts.min() >= study.parameters["min_cell_size"]  # no demo team is suppressed at the default
    for page in pages:
        line = lines[page.stem]
        assert line.startswith(f"Team {page.stem} ({counts[page.stem]:,} respondents): NPS "), line
        assert line in _text(page.read_text(encoding="utf-8")), page.name  # the page's own summary
        assert "Suppressed" not in line
    for team in sorted(lines)[:2]:  # the numbers, from cxlab.teams directly
        kpis = teams.team_kpis(study, team)
        nps = kpis.loc["NPS (−100 to 100)"]
        assert f"NPS {number(nps['team'], 1)} against {number(nps['organisation'], 1)} for the organisation." in \
            lines[team]


def test_team_reports_render_in_chromium_and_read_like_a_publication(demo_run, chromium):
    from cxlab.browser import check_pages
    from cxlab.report_checks import check_reports
    from cxlab.study import load_study
    from cxlab.tables import GLOSSARY

    out, _ = demo_run
    pages = _team_pages(out)
    for check in check_pages(pages, chromium=chromium):
        name = check.path.rsplit("/", 1)[-1]
        assert check.title.startswith("Team report: "), name
        assert check.console_errors == () and check.failed_requests == () and check.broken_images == (), name
        assert not check.overflows, (name, check.scroll_width)
    codebook = load_study(DEMO / "study.yaml").codebook
    problems = check_reports(pages[:3], labelled=lambda n: n in GLOSSARY or codebook.label(n) != n,
                             chromium=chromium)
    assert problems == {p.name: [] for p in pages[:3]}


def _raw_ids():
    agents = set(pd.read_csv(DEMO / "employee_survey.csv")["agent_id"])
    agents |= set(pd.read_parquet(DEMO / "contacts.parquet", columns=["agent_id"])["agent_id"].dropna())
    survey = pd.read_csv(DEMO / "survey.csv", usecols=["respondent_id", "customer_id", "email"])
    customers = set(pd.read_parquet(DEMO / "contacts.parquet", columns=["customer_id"])["customer_id"].dropna())
    return agents, customers | set(survey["customer_id"]) | set(survey["email"]) | set(survey["respondent_id"])


def test_no_agent_or_customer_id_in_any_page(demo_run):
    out, _ = demo_run
    agents, customers = _raw_ids()
    pages = [*out.glob("*.html"), *_team_pages(out)]
    assert len(pages) == 6 + 20
    for page in pages:
        text = re.sub(r"data:[^\"')\s]+", "", page.read_text(encoding="utf-8"))  # embedded images are not text
        tokens = set(re.findall(r"[\w.@+-]+", text))
        assert not tokens & agents, (page.name, sorted(tokens & agents)[:5])
        assert not tokens & customers, (page.name, sorted(tokens & customers)[:5])
        assert not re.search(r"\ba_[0-9a-f]{16}\b", text), page.name  # nor an agent's pseudonym


def test_a_team_below_the_minimum_is_suppressed(demo_run, tmp_path):
    """The smallest team with the minimum cell size just above its respondents: a notice, no survey numbers."""
    from cxlab import report
    from cxlab.paths import notebooks_dir
    from cxlab.runner import TEAM_NOTEBOOK, execute_notebook, load_notebook
    from cxlab.study import load_study

    study = load_study(DEMO / "study.yaml")
    att = pd.read_parquet(study.processed_dir / "attribution.parquet")
    counts = att["team_id"].value_counts()
    team, n = counts.idxmin(), int(counts.min())
    params = {"study_file": str(study.path), "parameters": {"min_cell_size": n + 1}, "team": team}
    executed = execute_notebook(load_notebook(TEAM_NOTEBOOK), tmp_path / "team.ipynb", parameters=params,
                                cwd=notebooks_dir())
    html, _ = report.render_notebook(executed, name="team", study=load_study(study.path, overrides={
        "min_cell_size": n + 1}))
    assert f"Fewer than {n + 1} respondents are attributed to team {team}" in html
    assert "NPS (−100 to 100)" not in html and "CSAT: top-2 share" not in html  # no survey figures
    # levers and close-the-loop: the notice instead of a table (the summary has it too); one table left,
    # the contact figures of the team's many contacts
    assert html.count("<strong>Suppressed.</strong>") == 3
    assert "<strong>Table 1.</strong>" in html and "<strong>Table 2.</strong>" not in html
    assert f"{n} respondents" not in html  # not even the team's count
    summary = report.summary_text(executed)
    assert summary.startswith(f"**Team {team}.** **Suppressed.**")
    # its line on the index is the suppression notice and nothing else: no count, no figure
    from cxlab.runner import NotebookRun

    runs = [NotebookRun(name=team, seconds=1.0, html=f"teams/{team}.html", title=f"Team report: {team}",
                        summary=summary)]
    report.write_index(tmp_path / "index.html", study=load_study(study.path), runs=[], seconds=1.0, code=False,
                       teams=runs)
    line = _index_lines((tmp_path / "index.html").read_text(encoding="utf-8"))[team]
    assert line.startswith(f"Team {team}. Suppressed. Fewer than {n + 1} respondents are attributed to team {team}")
    assert re.findall(r"\d+(?:[.,]\d+)?", line.replace(team, "")) == [str(n + 1)]  # the minimum, no number of its own
    # the same team above the minimum shows its numbers
    out, _ = demo_run
    assert "NPS (−100 to 100)" in (out / "teams" / f"{team}.html").read_text(encoding="utf-8")


def test_team_reports_printed_to_pdf(demo_run, chromium, tmp_path):
    """`cxlab run --by team --pdf` prints every team report to pdf/teams/<team>.pdf: whole files, A4, the team's
    key figures in the text (read by pypdf, and by poppler's pdftotext where it can be had), no agent or
    customer id."""
    import subprocess

    from pypdf import PdfReader

    from test_reports_pdf import normal, pdftotext

    out, _ = demo_run
    done = cxlab_cmd("run", "--only", "01_data_quality", "--by", "team", "--pdf", "--out", tmp_path / "r")
    assert done.returncode == 0, done.stderr
    folder = tmp_path / "r" / "demo"
    teams = sorted(p.stem for p in _team_pages(out))
    assert f"printing {len(teams) + 2} report(s) to PDF" in done.stderr
    assert sorted(p.name for p in (folder / "pdf").iterdir()) == ["01_data_quality.pdf", "index.pdf", "teams"]
    assert sorted(p.name for p in (folder / "pdf" / "teams").iterdir()) == [f"{t}.pdf" for t in teams]  # no .part
    agents, customers = _raw_ids()
    poppler = pdftotext()
    lines = _index_lines((folder / "index.html").read_text(encoding="utf-8"))
    for team in teams:
        pdf = folder / "pdf" / "teams" / f"{team}.pdf"
        assert pdf.read_bytes()[:5] == b"%PDF-"
        reader = PdfReader(pdf)
        box = reader.pages[0].mediabox  # A4 in points
        assert float(box.width) == pytest.approx(595.3, abs=1.5) and float(box.height) == pytest.approx(841.9, abs=1.5)
        texts = [normal(" ".join(page.extract_text() for page in reader.pages))]
        if poppler:
            texts.append(normal(subprocess.run([poppler, "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                                               text=True, check=True).stdout))
        for text in texts:
            assert f"Team report: {team}" in text, team
            for kpi in ("NPS (−100 to 100)", "First-contact resolution (% of handled contacts)",
                        "Queue wait before the team answered (seconds)"):
                assert kpi in text, (team, kpi)
            assert normal(lines[team])[:40] in text, team  # its summary, as on the index
            tokens = set(re.findall(r"[\w.@+-]+", text))
            assert not tokens & (agents | customers), (team, sorted(tokens & (agents | customers))[:5])
