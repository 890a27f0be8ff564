"""The server-drawn SVG bar charts."""
import re

from app.dev.charts import bar_chart


def test_sparkline_bars_are_scaled_to_the_peak_and_zeros_are_left_out():
    svg = str(bar_chart([0, 2, 0, 4], width=40, height=21, label="6 in the last 4 hours"))
    assert svg.startswith('<svg class="spark" viewBox="0 0 40 21"') and 'aria-label="6 in the last 4 hours"' in svg
    bars = re.findall(r"M([\d.]+) ([\d.]+)h([\d.]+)v([\d.]+)", svg)
    assert bars == [("10.0", "11.0", "9.0", "10.0"), ("30.0", "1.0", "9.0", "20.0")]


def test_detail_chart_has_a_tooltip_per_bar_and_escapes_its_label():
    svg = str(bar_chart([3, 0, 1], label='<b>"4"</b>', css_class="chart", bar_titles=True))
    assert svg.count("<rect") == 2 and "<title>3</title>" in svg and "<title>1</title>" in svg
    assert 'aria-label="&lt;b&gt;&#34;4&#34;&lt;/b&gt;"' in svg


def test_an_empty_series_draws_only_the_axis():
    svg = str(bar_chart([0] * 24))
    assert "<path" not in svg and "<rect" not in svg and 'class="axis"' in svg
