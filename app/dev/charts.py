"""Small bar charts drawn on the server as inline SVG (no JavaScript, no CDN)."""
from markupsafe import Markup, escape


def bar_chart(values: list[int], width: int = 120, height: int = 28, label: str = "",
              css_class: str = "spark") -> Markup:
    """One bar per value, scaled to the largest; `label` is read out by screen readers."""
    peak = max(values, default=0) or 1
    step = width / max(len(values), 1)
    gap = 1 if step > 3 else 0
    bars = []
    for index, value in enumerate(values):
        if value <= 0:
            continue
        bar_height = max(1.0, value / peak * (height - 1))
        bars.append(f'<rect x="{index * step:.1f}" y="{height - bar_height:.1f}" width="{max(step - gap, 0.5):.1f}" '
                    f'height="{bar_height:.1f}"><title>{value}</title></rect>')
    baseline = f'<line x1="0" y1="{height - 0.5}" x2="{width}" y2="{height - 0.5}" class="axis"/>'
    return Markup(
        f'<svg class="{escape(css_class)}" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(label)}" preserveAspectRatio="none">{baseline}{"".join(bars)}</svg>')
