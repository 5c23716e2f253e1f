"""The report as a standalone HTML page, rendered by markdown-it-py (DESIGN §2 step 8).

Raw HTML is off, so nothing in the Markdown can become a tag: user text was escaped
for Markdown already (:mod:`audit.markdown`), and anything that slipped through would
be shown as text.  Tables are on.  markdown-it's own ``validateLink`` refuses
``javascript:``, ``vbscript:``, ``file:`` and non-image ``data:`` links, and that check is
kept (the report writes no links of its own).  The page carries its own CSS, readable
on screen and printable on A4, and loads nothing from anywhere.
"""

from __future__ import annotations

import html as _html

from markdown_it import MarkdownIt

from audit.text import plain

_CSS = """
:root { color-scheme: light; }
body { margin: 0; background: #f4f4f1; color: #1b1b1b;
  font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }
main { max-width: 60rem; margin: 2rem auto; padding: 2rem 3rem; background: #fff;
  border: 1px solid #d8d8d2; }
h1 { font-size: 1.8rem; line-height: 1.25; margin: 0 0 1rem; color: #0b3954; }
h2 { font-size: 1.35rem; margin: 2.2rem 0 .6rem; padding-bottom: .25rem;
  border-bottom: 2px solid #0b3954; color: #0b3954; }
h3 { font-size: 1.1rem; margin: 1.6rem 0 .5rem; color: #0b3954; }
h4 { font-size: 1rem; margin: 1.3rem 0 .4rem; }
p, ul, ol { margin: .5rem 0 .8rem; }
li { margin: .2rem 0; }
table { border-collapse: collapse; margin: .6rem 0 1.2rem; width: 100%; font-size: .9rem; }
th, td { border: 1px solid #c9c9c2; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #e8eef2; }
tbody tr:nth-child(even) td { background: #f8f8f6; }
td, th { overflow-wrap: anywhere; }
a { color: #0b5cad; }
@media print {
  @page { size: A4; margin: 18mm 16mm; }
  body { background: #fff; font-size: 10.5pt; }
  main { max-width: none; margin: 0; padding: 0; border: 0; }
  h1, h2, h3, h4 { page-break-after: avoid; break-after: avoid; }
  table, tr, p, li { page-break-inside: avoid; break-inside: avoid; }
  thead { display: table-header-group; }
  tbody tr:nth-child(even) td { background: none; }
}
"""


def renderer() -> MarkdownIt:
    """The one markdown-it configuration the report uses: CommonMark, raw HTML off,
    tables on."""
    return MarkdownIt("commonmark", {"html": False}).enable("table")


def to_html(markdown: str, title: str) -> str:
    """A complete HTML page for ``markdown`` with ``title`` (user text, escaped)."""
    body = renderer().render(markdown)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        # Belt and braces: even if markup slipped through, no script, frame or remote
        # resource would load; only the embedded stylesheet applies.
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; img-src data:\">\n"
        f"<title>{_html.escape(plain(title))}</title>\n"
        f"<style>{_CSS}</style>\n</head>\n<body>\n<main>\n{body}</main>\n</body>\n</html>\n"
    )
