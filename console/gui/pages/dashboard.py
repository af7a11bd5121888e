"""Dashboard: the home screen of every logged-in officer. Today's work, what waits for a supervisor, and the
last 30 days as a chart (QtCharts). Counts only, from `console.core.dashboard` on the read pool.

Each tile that leads somewhere the role may go is a button to that screen (pending approvals → Approvals).
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QValueAxis
from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from console.core import dashboard
from console.core.roles import Permission
from console.gui.context import Context
from console.gui.widgets import page_title

logger = logging.getLogger(__name__)


class Tile(QFrame):
    """One figure with its meaning; clickable when it leads to a screen."""

    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Tile")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        self.value = QLabel("–")
        self.value.setObjectName("TileValue")
        font = self.value.font()
        font.setPointSizeF(font.pointSizeF() * 2.2)
        font.setBold(True)
        self.value.setFont(font)
        self.caption = QLabel(caption)
        self.caption.setWordWrap(True)
        self.link = QPushButton()
        self.link.setFlat(True)
        self.link.hide()
        layout.addWidget(self.value)
        layout.addWidget(self.caption)
        layout.addWidget(self.link, 0, Qt.AlignmentFlag.AlignLeft)
        self.setAccessibleName(caption)

    def set_value(self, value: int) -> None:
        self.value.setText(QLocale().toString(value))
        self.setAccessibleDescription(f"{self.caption.text()}: {value}")


class DashboardPage(QWidget):
    loaded = Signal()

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.figures: dashboard.Figures | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.addWidget(
            page_title(
                self.tr("Dashboard"),
                self.tr("{office}: today's work and what is waiting.").format(office=ctx.info.office_name),
            )
        )
        grid = QGridLayout()
        self.tiles = {
            "registered_today": Tile(self.tr("registered today")),
            "issued_today": Tile(self.tr("credentials issued today")),
            "pending_requests": Tile(self.tr("requests waiting for a supervisor")),
            "held_registrations": Tile(self.tr("registrations held as possible duplicates")),
            "citizens": Tile(self.tr("citizens in the registry")),
            "cards_in_force": Tile(self.tr("cards in force")),
        }
        for index, tile in enumerate(self.tiles.values()):
            grid.addWidget(tile, index // 3, index % 3)
        layout.addLayout(grid)
        if ctx.allows(Permission.REQUEST_DECIDE, Permission.REVIEW_DECIDE):
            for key in ("pending_requests", "held_registrations"):
                link = self.tiles[key].link
                link.setText(self.tr("Decide →"))
                link.setAccessibleName(self.tr("Open Approvals"))
                link.clicked.connect(lambda: ctx.navigate("approvals"))
                link.show()

        self.chart = QChart()
        self.chart.setTitle(self.tr("The last 30 days"))
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        self.chart_view = QChartView(self.chart)
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_view.setMinimumHeight(240)
        self.chart_view.setAccessibleName(self.tr("Registrations and credentials issued per day, last 30 days"))
        layout.addWidget(self.chart_view, 1)
        ctx.data_changed.connect(lambda _what: self.refresh())
        self.refresh()

    def refresh(self) -> None:
        self._ctx.runner.read("dashboard", dashboard.figures, self._ctx.session).then(
            self, self._on_figures, lambda e: self._ctx.fail(self, e)
        )

    def _on_figures(self, figures: Any) -> None:
        assert isinstance(figures, dashboard.Figures)
        self.figures = figures
        for key, tile in self.tiles.items():
            tile.set_value(int(getattr(figures, key)))
        self._draw_chart(figures)
        self.loaded.emit()

    def _draw_chart(self, figures: dashboard.Figures) -> None:
        chart = self.chart
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        registered = QBarSet(self.tr("Registered"))
        registered.append([float(v) for v in figures.registered])
        registered.setColor(QColor("#2F6F9F"))
        issued = QBarSet(self.tr("Credentials issued"))
        issued.append([float(v) for v in figures.issued])
        issued.setColor(QColor("#B48A2C"))
        series = QBarSeries()
        series.append(registered)
        series.append(issued)
        chart.addSeries(series)
        days = QBarCategoryAxis()
        # The day of the month under each pair of bars (30 consecutive days never repeat one); the axis title
        # names the span.
        days.append([str(d.day) for d in figures.days])
        days.setTitleText(
            self.tr("{first} to {last}").format(first=figures.days[0].isoformat(), last=figures.days[-1].isoformat())
        )
        counts = QValueAxis()
        counts.setLabelFormat("%d")
        counts.setRange(0, max([1, *figures.registered, *figures.issued]))
        counts.applyNiceNumbers()
        chart.addAxis(days, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(counts, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(days)
        series.attachAxis(counts)
        text = self.palette().color(QPalette.ColorRole.WindowText)
        chart.setBackgroundBrush(self.palette().color(QPalette.ColorRole.Base))
        chart.setTitleBrush(text)
        chart.legend().setLabelColor(text)
        for axis in (days, counts):
            axis.setLabelsColor(text)
            axis.setTitleBrush(text)
