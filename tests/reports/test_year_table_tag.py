"""The answer sheet's tables as HTML (reports.templatetags.report_format.year_table): every
text escaped, each cell with its column's name, figures and lower bounds marked, the total row
in the table's foot."""

from __future__ import annotations

from reports.exports import Cell, Table
from reports.templatetags.report_format import year_table


def test_a_table_with_its_cells_lower_bounds_and_total_row():
    table = Table(
        columns=["Type", "Started"],
        rows=[[Cell("Jobdating"), Cell("19", 19)], [Cell("Fair"), Cell("at least 200", 200, True)]],
        footer=[Cell("Total"), Cell("at least 219", 219, True)],
    )
    html = str(year_table(table))
    assert '<thead>\n<tr><th scope="col">Type</th><th scope="col">Started</th></tr>' in html
    assert (
        '<tr><td data-label="Type">Jobdating</td><td class="num" data-label="Started">19</td></tr>'
        in html
    )
    assert (
        '<td class="num" data-label="Started"><span class="lower-bound">at least 200</span></td>'
        in html
    )
    assert html.index("<tfoot>") < html.index("at least 219") < html.index("</tfoot>")
    assert html.startswith('<div class="table-wrap">') and html.endswith("</table>\n</div>")


def test_every_text_is_escaped():
    hostile = '<script>alert("x")</script>'
    html = str(year_table(Table(columns=[hostile], rows=[[Cell(hostile)]], footer=[Cell(hostile)])))
    assert "<script>" not in html
    # The heading, and the name and text of each of the two cells.
    assert html.count("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;") == 5


def test_a_cell_beyond_the_columns_is_named_as_the_last_and_an_empty_table_is_a_head_only():
    html = str(year_table(Table(columns=["A"], rows=[[Cell("1", 1), Cell("2", 2)]])))
    assert html.count('data-label="A"') == 2
    empty = str(year_table(Table(columns=[])))
    assert "<tbody>\n</tbody>" in empty and "<tfoot>" not in empty and "<td" not in empty
