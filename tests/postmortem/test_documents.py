"""HTML and PDF: user text stays text, and nothing outside the document is fetched."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.domain.postmortem.documents import to_html, to_pdf
from bot.domain.postmortem.render import load_template, render_markdown, sample_report

ATTACKS = (
    "<script>alert(1)</script>",
    '<img src="http://evil.example/x.png" onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "<a href='http://evil.example'>x</a>",
)


def _hostile_markdown() -> str:
    report = sample_report()
    report = replace(
        report,
        incident=replace(report.incident, title=ATTACKS[0], description="\n".join(ATTACKS)),
        timeline=tuple(replace(e, text=ATTACKS[1]) for e in report.timeline),
        postmortem=replace(report.postmortem, summary=ATTACKS[2], whys=ATTACKS),
    )
    return render_markdown(load_template(None), report, "UTC")


def test_user_text_stays_text_in_html() -> None:
    page = to_html(_hostile_markdown(), title="INC-7 <script>")
    body = page.split("<body>", 1)[1].lower()
    assert "<script" not in body and "<img" not in body and "<a href='" not in body
    assert 'href="javascript' not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<title>INC-7 &lt;script&gt;</title>" in page


def test_raw_html_in_the_markdown_itself_is_not_passed_through() -> None:
    page = to_html("# Title\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))\n", "t")
    assert "<script>" not in page.split("<body>", 1)[1]
    assert "&lt;script&gt;" in page
    assert 'href="javascript' not in page


def test_html_is_a_full_document_with_tables() -> None:
    page = to_html(render_markdown(load_template(None), sample_report(), "Europe/Berlin"), "T")
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert "<style>" in page and "Content-Security-Policy" in page
    assert "<table>" in page and "<h2>Timeline</h2>" in page
    assert page.rstrip().endswith("</html>")


class _Hits(BaseHTTPRequestHandler):
    count = 0

    def do_GET(self) -> None:
        type(self).count += 1
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def web_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hits)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


async def test_pdf_renders_without_fetching_anything(web_server: str) -> None:
    _Hits.count = 0
    markdown = _hostile_markdown() + f"\n![chart]({web_server}/chart.png)\n"
    page = to_html(markdown, "INC-7").replace(
        "</style>", f"</style><link rel='stylesheet' href='{web_server}/x.css'>"
    )
    assert f"{web_server}/chart.png" in page
    pdf = await to_pdf(page)
    assert pdf.startswith(b"%PDF-")
    assert len(pdf) > 1000
    assert _Hits.count == 0
