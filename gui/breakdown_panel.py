"""The derivative breakdown: the chain rule for the selected parameter, factor by factor,
per sample and summed, then the gradient-descent step with its numbers."""

from __future__ import annotations

from PySide6.QtWidgets import QTextBrowser

from gui.maths_text import formula_html, name_html, number_html, partial_html
from gui.session import Session
from gui.throttle import LiveRefresh

STYLE = """
<style>
 table { border-collapse: collapse; }
 td, th { padding: 2px 10px; text-align: right; white-space: nowrap; }
 th { color: palette(mid); font-weight: normal; }
 .eq { font-size: 118%; }
 .res { font-weight: bold; }
</style>
"""


class BreakdownPanel(QTextBrowser):
    def __init__(self, session: Session):
        super().__init__()
        self.setObjectName("breakdownPanel")
        self.setOpenLinks(False)
        self.setToolTip("The chain rule for the selected parameter, with every number.\n"
                        "Click a weight or bias in the diagram or the parameter list to "
                        "choose another.")
        self.session = session
        # During Run the numbers change every frame; four times a second can be read.
        self.live = LiveRefresh(self, self.refresh, 0.25, lambda: session.running)
        session.stateChanged.connect(self.live.request)
        session.selectionChanged.connect(self.refresh)
        session.lessonChanged.connect(self.refresh)
        self.live.now()

    def refresh(self) -> None:
        self.setHtml(STYLE + self.render_html())

    def render_html(self) -> str:
        s = self.session
        if s.quiz_active:
            return ("<p class='eq'>Quiz: work out the numbers of the next step in the Quiz "
                    "panel. They appear here once it is taken.</p>")
        name = s.selected
        b = s.breakdown(name)
        loss = b.loss_symbol
        out = []
        for k, path in enumerate(b.paths):
            if len(b.paths) > 1:
                out.append(f"<p><i>path {k + 1} of {len(b.paths)}</i></p>")
            symbols = " · ".join(partial_html(f.numerator, f.denominator) for f in path.factors)
            formulas = " · ".join(f"({formula_html(f.formula)})" for f in path.factors)
            out.append(f"<p class='eq'><b>{partial_html(loss, name)}</b> = "
                       f"Σ<sub>samples</sub> {symbols}<br>"
                       f"= Σ<sub>samples</sub> {formulas}</p>")
            head = "".join(f"<th>{partial_html(f.numerator, f.denominator)}</th>"
                           for f in path.factors)
            rows = []
            for i, product in enumerate(path.products):
                cells = "".join(f"<td>{number_html(f.values[i])}</td>" for f in path.factors)
                rows.append(f"<tr><td>sample {i + 1}</td>{cells}"
                            f"<td class='res'>{number_html(product)}</td></tr>")
            out.append(f"<table><tr><th></th>{head}<th>product</th></tr>{''.join(rows)}"
                       "</table>")
        slope = b.slope
        out.append(f"<p class='eq'>slope = {partial_html(loss, name)} = Σ = "
                   f"<b>{number_html(slope)}</b></p>")
        value = s.value(name)
        if s.is_trainable(name):
            rate = s.trainer.learning_rate
            step = slope * rate
            out.append(
                f"<p class='eq'>step size = slope × learning rate = {number_html(slope)} × "
                f"{number_html(rate)} = <b>{number_html(step)}</b><br>"
                f"new {name_html(name)} = old − step size = {number_html(value)} − "
                f"({number_html(step)}) = <b>{number_html(value - step)}</b></p>")
        else:
            out.append(f"<p>{name_html(name)} is frozen (not trainable): it stays "
                       f"{number_html(value)}.</p>")
        return "".join(out)
