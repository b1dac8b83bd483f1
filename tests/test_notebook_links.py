"""Navigation lines are written by the notebook tool, never by hand: they follow the files."""

import shutil

import nbformat

from tests.notebook_tools import nav_line, notebooks, stale_links, write_links


def test_every_notebook_links_to_its_neighbours():
    order = notebooks()
    assert [p.name for p in order][:1] == ["00_start_here.ipynb"]
    for path in order:
        assert stale_links(path) == [], path.name


def test_a_new_notebook_gets_links_and_its_neighbours_point_at_it(tmp_path):
    for path in notebooks()[:2]:
        shutil.copy(path, tmp_path / path.name)
    new = nbformat.v4.new_notebook()
    new.cells = [nbformat.v4.new_markdown_cell("# 01b · An inserted notebook"), nbformat.v4.new_markdown_cell("End.")]
    nbformat.write(new, tmp_path / "01b_inserted.ipynb")
    order = sorted(tmp_path.glob("*.ipynb"))
    write_links(order)
    assert all(stale_links(p, order) == [] for p in order)
    first = nbformat.read(tmp_path / "01_cost_and_billing.ipynb", as_version=4)
    assert "[01b An inserted notebook →](01b_inserted.ipynb)" in first.cells[0].source
    inserted = nbformat.read(tmp_path / "01b_inserted.ipynb", as_version=4)
    assert inserted.cells[0].source.endswith(nav_line(tmp_path / "01b_inserted.ipynb", order))
    assert "[← 01 Cost and billing](01_cost_and_billing.ipynb)" in inserted.cells[-1].source
    assert "[00 Start here →](00_start_here.ipynb)" in inserted.cells[-1].source
