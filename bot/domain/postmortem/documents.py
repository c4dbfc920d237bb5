"""The postmortem's Markdown as a standalone HTML page and as a PDF.

Raw HTML in the Markdown is not passed through, so user text can never become markup, and
nothing outside the document is ever fetched: the page's Content-Security-Policy forbids it
in browsers and the PDF renderer is only allowed `data:` URLs.
"""

from __future__ import annotations

import asyncio
import html
import threading

from markdown_it import MarkdownIt

_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
# Pango and fontconfig are not documented as thread-safe: one PDF at a time.
_PDF_LOCK = threading.Lock()
_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
STYLESHEET = """
@page { size: A4; margin: 18mm 16mm; }
body { font-family: "Helvetica Neue", Arial, "DejaVu Sans", sans-serif; font-size: 10.5pt;
       line-height: 1.45; color: #1d1c1d; max-width: 60em; margin: 2em auto; padding: 0 1em; }
@media print { body { margin: 0; padding: 0; max-width: none; } }
h1 { font-size: 1.7em; margin: 0 0 0.6em; }
h2 { font-size: 1.3em; margin: 1.6em 0 0.5em; padding-bottom: 0.2em;
     border-bottom: 1px solid #ddd; }
h3 { font-size: 1.08em; margin: 1.2em 0 0.4em; }
table { border-collapse: collapse; width: 100%; margin: 0.6em 0; font-size: 0.95em; }
th, td { border: 1px solid #d0d0d0; padding: 0.3em 0.5em; text-align: left;
         vertical-align: top; overflow-wrap: anywhere; }
th { background: #f4f4f4; }
ul, ol { padding-left: 1.4em; }
li { margin: 0.15em 0; overflow-wrap: anywhere; }
a { color: #1264a3; }
code { font-family: Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 0.92em; }
"""


def to_html(markdown: str, title: str) -> str:
    """A complete HTML document with an embedded stylesheet; `title` is plain text."""
    body = _MARKDOWN.render(markdown)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_POLICY}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n"
        f"<style>{STYLESHEET}</style>\n"
        f"</head>\n<body>\n<main>\n{body}</main>\n</body>\n</html>\n"
    )


async def to_pdf(html_document: str) -> bytes:
    """The page as a PDF, rendered in a worker thread so the event loop keeps serving."""
    return await asyncio.to_thread(_render_pdf, html_document)


def _render_pdf(html_document: str) -> bytes:
    # Imported here: WeasyPrint takes a noticeable moment to import, and only publishing
    # needs it.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"}, allow_redirects=False)
    with _PDF_LOCK:
        pdf = HTML(string=html_document, base_url=None, url_fetcher=fetcher).write_pdf()
    assert pdf is not None  # no target given: the bytes are returned
    return pdf
