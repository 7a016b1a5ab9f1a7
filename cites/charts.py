"""Server-rendered SVG bar charts: geometry computed here, drawn by templates/cites/_graphique_barres.html."""

LABEL_WIDTH = 250
BAR_AREA = 380
ROW_HEIGHT = 24
MARGIN_TOP = 8


def bar_chart(*, items: list[tuple[str, int]], title: str, description: str, row_height: int = ROW_HEIGHT) -> dict:
    """Horizontal bars, one per (label, value), scaled to the largest value."""
    bar_height = round(row_height * 2 / 3)
    largest = max((value for _, value in items), default=0) or 1
    bars = []
    for index, (label, value) in enumerate(items):
        y = MARGIN_TOP + index * row_height
        width = round(BAR_AREA * value / largest, 1)
        bars.append(
            {
                "label": label,
                "value": value,
                "y": y,
                "text_y": y + bar_height - 3,
                "width": width,
                "value_x": LABEL_WIDTH + width + 6,
            }
        )
    return {
        "title": title,
        "description": description,
        "bars": bars,
        "label_x": LABEL_WIDTH - 8,
        "bar_x": LABEL_WIDTH,
        "bar_height": bar_height,
        "width": LABEL_WIDTH + BAR_AREA + 60,
        "height": MARGIN_TOP * 2 + row_height * len(items),
    }


def stacked_bar_chart(
    *, items: list[tuple[str, int, int]], title: str, description: str, legend: tuple[str, str]
) -> dict:
    """Horizontal bars of two parts, one per (label, first, second) — e.g. QPVs with and without
    a cité — scaled to the largest total; drawn by templates/cites/_graphique_empile.html."""
    bar_height = round(ROW_HEIGHT * 2 / 3)
    largest = max((a + b for _, a, b in items), default=0) or 1
    bars = []
    for index, (label, first, second) in enumerate(items):
        y = MARGIN_TOP + index * ROW_HEIGHT
        first_width = round(BAR_AREA * first / largest, 1)
        second_width = round(BAR_AREA * second / largest, 1)
        bars.append(
            {
                "label": label,
                "first": first,
                "second": second,
                "y": y,
                "text_y": y + bar_height - 3,
                "first_width": first_width,
                "second_x": round(LABEL_WIDTH + first_width, 1),
                "second_width": second_width,
                "value_x": round(LABEL_WIDTH + first_width + second_width + 6, 1),
            }
        )
    return {
        "title": title,
        "description": description,
        "legend": legend,
        "bars": bars,
        "label_x": LABEL_WIDTH - 8,
        "bar_x": LABEL_WIDTH,
        "bar_height": bar_height,
        "width": LABEL_WIDTH + BAR_AREA + 90,
        "height": MARGIN_TOP * 2 + ROW_HEIGHT * len(items),
    }
