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
