"""Small bar charts drawn on the server as inline SVG (no JavaScript, no CDN)."""
from markupsafe import Markup, escape


def bar_chart(values: list[int], width: int = 120, height: int = 28, label: str = "",
              css_class: str = "spark", bar_titles: bool = False) -> Markup:
    """One bar per value, scaled to the largest; `label` is read out by screen readers.

    The bars are one path (light markup for a page of sparklines); with `bar_titles` each bar is its own
    rect with its count as a tooltip.
    """
    peak = max(values, default=0) or 1
    step = width / max(len(values), 1)
    bar_width = max(step - (1 if step > 3 else 0), 0.5)
    bars = []
    for index, value in enumerate(values):
        if value <= 0:
            continue
        bar_height = max(1.0, value / peak * (height - 1))
        x, y = index * step, height - bar_height
        if bar_titles:
            bars.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_width:.1f}" height="{bar_height:.1f}">'
                        f"<title>{value}</title></rect>")
        else:
            bars.append(f"M{x:.1f} {y:.1f}h{bar_width:.1f}v{bar_height:.1f}h-{bar_width:.1f}z")
    body = "".join(bars) if bar_titles else (f'<path d="{"".join(bars)}"/>' if bars else "")
    baseline = f'<line x1="0" y1="{height - 0.5}" x2="{width}" y2="{height - 0.5}" class="axis"/>'
    return Markup(
        f'<svg class="{escape(css_class)}" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(label)}" preserveAspectRatio="none">{baseline}{body}</svg>')


def paired_bar_chart(first: list[int], second: list[int], names: tuple[str, str], title: str, desc: str,
                     chart_id: str, width: int = 640, height: int = 160) -> Markup:
    """Two series side by side per step (e.g. opened and fixed per week), scaled to the largest value; each bar
    has its figure as a tooltip, and `title` and `desc` name the chart for screen readers (give the figures in
    a table beside it too). CSS colours the series by their classes `series-1` and `series-2`."""
    peak = max([*first, *second], default=0) or 1
    step = width / max(len(first), 1)
    bar_width = max(step / 2 - (1 if step > 6 else 0), 0.5)
    bars = []
    for index, pair in enumerate(zip(first, second, strict=True)):
        for offset, (name, value) in enumerate(zip(names, pair, strict=True)):
            if value <= 0:
                continue
            bar_height = max(1.0, value / peak * (height - 1))
            x, y = index * step + offset * step / 2, height - bar_height
            bars.append(f'<rect class="series-{offset + 1}" x="{x:.1f}" y="{y:.1f}" width="{bar_width:.1f}" '
                        f'height="{bar_height:.1f}"><title>{escape(name)}: {value}</title></rect>')
    baseline = f'<line x1="0" y1="{height - 0.5}" x2="{width}" y2="{height - 0.5}" class="axis"/>'
    chart_id = escape(chart_id)
    return Markup(
        f'<svg class="chart paired" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" preserveAspectRatio="none">'
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(desc)}</desc>'
        f'{baseline}{"".join(bars)}</svg>')
