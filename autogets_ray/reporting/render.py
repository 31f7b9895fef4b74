"""Report blocks (text, note, table, figure) and their HTML / Markdown rendering.

HTML is one self-contained page (inline CSS, figures as relative PNG paths); every text from the
data (class names, strategy names) is escaped.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import pandas as pd


@dataclass
class Text:
    text: str


@dataclass
class Note:
    """A one-line remark, e.g. why a section was skipped."""

    text: str


@dataclass
class Table:
    frame: pd.DataFrame  # display strings
    caption: str = ""


@dataclass
class Figure:
    path: str  # relative to the report
    caption: str = ""


Block = Text | Note | Table | Figure


@dataclass
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)


CSS = """
body { font-family: -apple-system, Segoe UI, Helvetica, Arial, sans-serif; margin: 2em auto;
       max-width: 1300px; padding: 0 1em; color: #222; }
h1 { border-bottom: 2px solid #444; padding-bottom: .2em; }
h2 { margin-top: 2em; border-bottom: 1px solid #ccc; }
table.data { border-collapse: collapse; font-size: 13px; margin: .5em 0 1.5em; }
table.data th, table.data td { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
table.data th { background: #f0f0f0; }
table.data td:first-child, table.data th:first-child { text-align: left; }
.caption { font-size: 13px; color: #555; margin: .2em 0; }
.note { background: #fff8e1; border-left: 4px solid #f0b400; padding: .4em .8em; }
figure { margin: 1em 0 2em; }
figure img { max-width: 100%; border: 1px solid #ddd; }
"""


def _html_block(block: Block) -> str:
    if isinstance(block, Text):
        return f"<p>{html.escape(block.text)}</p>"
    if isinstance(block, Note):
        return f'<p class="note">{html.escape(block.text)}</p>'
    if isinstance(block, Table):
        caption = f'<p class="caption">{html.escape(block.caption)}</p>' if block.caption else ""
        return caption + block.frame.to_html(index=False, escape=True, classes="data", border=0)
    src = html.escape(block.path, quote=True)
    caption = html.escape(block.caption)
    return (
        f'<figure><a href="{src}"><img src="{src}" alt="{caption}"></a>'
        f'<figcaption class="caption">{caption}</figcaption></figure>'
    )


def render_html(title: str, sections: list[Section]) -> str:
    """One self-contained HTML page with a table of contents."""
    toc = "".join(f'<li><a href="#s{i}">{html.escape(s.title)}</a></li>' for i, s in enumerate(sections))
    body = "".join(
        f'<h2 id="s{i}">{html.escape(s.title)}</h2>\n' + "\n".join(_html_block(b) for b in s.blocks)
        for i, s in enumerate(sections)
    )
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{CSS}</style></head>\n<body>"
        f"<h1>{html.escape(title)}</h1><ul>{toc}</ul>\n{body}\n</body></html>\n"
    )


def _md_cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown_table(frame: pd.DataFrame) -> str:
    """A GitHub pipe table (no extra dependency)."""
    lines = [
        "| " + " | ".join(_md_cell(c) for c in frame.columns) + " |",
        "|" + "|".join("---" if i == 0 else "---:" for i in range(len(frame.columns))) + "|",
    ]
    lines += ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join(lines)


def _md_block(block: Block) -> str:
    if isinstance(block, Text):
        return block.text
    if isinstance(block, Note):
        return f"> **Note:** {block.text}"
    if isinstance(block, Table):
        return (f"*{block.caption}*\n\n" if block.caption else "") + markdown_table(block.frame)
    return f"![{block.caption}]({block.path})\n\n*{block.caption}*"


def render_markdown(title: str, sections: list[Section]) -> str:
    parts = [f"# {title}"]
    for section in sections:
        parts.append(f"## {section.title}")
        parts += [_md_block(b) for b in section.blocks]
    return "\n\n".join(parts) + "\n"
