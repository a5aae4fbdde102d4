"""The network drawn as the articles draw it: inputs on the left, the output on the right,
every connection and bias labelled with its name and value, colour for the sign and
thickness for the size. Where everything goes is computed here once, for the window's
diagram (which measures text with Qt) and for the worksheets' picture, which
`network_svg` writes as SVG text without Qt (the headless worksheet command draws it)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import numpy as np

from engine.explain import MINUS, signed
from engine.network import Network

RADIUS, COLUMN, ROW = 34.0, 260.0, 170.0
LABEL_POINTS = 13.0  # the size of every word in the drawing, in its own units
WIDEST_VALUE = f"{MINUS}0.1234"  # the room a label keeps for its value (4 significant figures)
LABEL_DIGITS = 4
ALONG = (0.5, 0.35, 0.65, 0.25, 0.75, 0.42, 0.58, 0.3, 0.7, 0.2, 0.8)  # along an edge
COMB = tuple(round(0.12 + 0.04 * k, 2) for k in range(20))  # finer, when those are taken
SPREADS = (1.0, 1.25, 1.5, 1.75, 2.0)  # the drawing stretched to make room for labels
# Presenter mode fits the drawing to its view: columns and rows each closed up or spread
# out, as the view's shape asks, so the words come out as large as the room allows.
FITTED_SPREADS = (0.4, 0.5, 0.6, 0.7, 0.85, 1.0, 1.2, 1.4, 1.7, 2.0, 2.4)
# and its words larger, the nodes only as much larger as their own names need
TEXT_SCALES = (1.0, 1.25, 1.5, 1.75, 2.0, 2.4)
# Gaps between columns with fewer connections (fewer labels) than the most a gap has
# drawn narrower, down to these times as wide, in proportion to their connections.
TAPERS = (1.0, 0.75, 0.5)
INSIDE_MARGIN = 8.0  # a node's width less the widest text written inside it
NODE_GAP = 14.0  # nodes stay at least this far apart, edge to edge
FIT_MARGIN = 20.0  # kept clear round the drawing in the window's view
NAME_GAP = 8.0  # between a node and a name written beside it
MAX_LABELLED_EDGES = 24  # past this the labels cover each other (2-8-2 has 32)
MAX_DRAWN_EDGES = 600  # past this the weights are drawn as one bundle per layer
POSITIVE, NEGATIVE = "#1f77b4", "#e8710a"  # blue +, orange −
NODE_FILL, NODE_LINE, INK = "#f4f4f4", "#444444", "#111111"
SHORT_ACTIVATION = {"identity": "", "softplus": "soft+", "sigmoid": "σ", "tanh": "tanh",
                    "relu": "ReLU", "softmax": "smax"}

Point = tuple[float, float]


@dataclass(frozen=True)
class Box:
    left: float
    top: float
    width: float
    height: float

    @staticmethod
    def around(centre: Point, width: float, height: float) -> Box:
        return Box(centre[0] - width / 2, centre[1] - height / 2, width, height)

    def overlaps(self, other: Box) -> bool:
        """They share some area (touching edges do not count)."""
        return (self.left < other.left + other.width and other.left < self.left + self.width
                and self.top < other.top + other.height and other.top < self.top + self.height)


@dataclass(frozen=True)
class Node:
    column: int  # 0: the inputs; c: layer c's neurons
    neuron: int
    centre: Point
    text: str  # inside the circle; empty when the name stands beside it
    left: str = ""  # an input's own name too wide for the circle ("Petal width")
    right: str = ""  # the output's name when it is not the node's text ("p_Setosa")


@dataclass(frozen=True)
class Edge:
    name: str
    layer: int
    start: Point  # the centres of the two nodes it joins
    end: Point


@dataclass(frozen=True)
class Label:
    name: str
    centre: Point


@dataclass(frozen=True)
class Layout:
    columns: tuple[tuple[Point, ...], ...]  # every node's centre, column by column
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]  # empty when bundled: one bundle a layer, from `columns`
    labels: tuple[Label, ...]  # a parameter's name and value; none past 24 connections
    bundled: bool
    bounds: Box  # round every node, name and label (with the room it keeps for its value)
    text_scale: float = 1.0  # its words are LABEL_POINTS times this high

    radius: float = RADIUS  # the nodes'

    def text_size(self, view: tuple[float, float]) -> float:
        """How many pixels high a LABEL_POINTS word of the drawing is written when the
        whole drawing, margin and all, is fitted into a view of this (width, height)."""
        return self.text_scale * _fit(self.bounds, view)


def label_text(name: str, value: float, fits: Callable[[str], bool] | None = None) -> str:
    """"w1 = 3.34": LABEL_DIGITS significant figures, fewer where `fits` says its room
    would not hold them (−0.003182 is −0.0032 in the room kept for −0.1234: written
    whole, it went over its neighbour or off the view). The window's tooltips and
    Parameters list give every digit."""
    for digits in range(LABEL_DIGITS, 0, -1):
        text = f"{name} = {signed(value, digits)}"
        if fits is None or fits(text):
            break
    return text


def node_radius(width: float, height: float, scale: float) -> float:
    """A circle that holds a word this wide and high with a margin all round: the word's
    corners, not only its ends, inside (at half its width plus a margin, "Input" and
    "soft+" touched the outline in presenter mode). Letters fill about the middle 60 %
    of a line's height."""
    return math.hypot(width / 2, 0.3 * height) + scale * INSIDE_MARGIN / 2


def largest_magnitude(values: np.ndarray) -> float:
    """What the thickest connection stands for (never 0: a network of zeros)."""
    return max(1e-9, float(np.max(np.abs(values)))) if values.size else 1e-9


def edge_width(value: float, largest: float) -> float:
    """A connection's thickness for its value: in half-unit steps, because a width that
    moved by a hair every Step had every edge restyled and the whole diagram repainted."""
    return round(2 * (1.5 + 7.0 * math.sqrt(min(abs(value) / largest, 1.0)))) / 2


def sign_colour(value: float) -> str:
    return POSITIVE if value >= 0 else NEGATIVE


def node_text(net: Network, layer: int, j: int) -> str:
    """What a neuron's circle says: its name when the neuron is its own value, else its
    activation (Σ for none)."""
    pre, post = net.names.pre[layer][j], net.names.post[layer][j]
    if pre == post:
        return post if len(post) <= 6 else "Σ"
    return SHORT_ACTIVATION[net.layers[layer].activation] or "Σ"


def node_description(net: Network, node: Node) -> str:
    """A node's full name and what it computes, for its tooltip (its word may be too
    small to show, or short for its activation): "x1 (input)", "h11 = tanh(z11)"."""
    if node.column == 0:
        return f"{net.names.inputs[node.neuron]} (input)"
    layer = node.column - 1
    pre, post = net.names.pre[layer][node.neuron], net.names.post[layer][node.neuron]
    if pre == post:
        return f"{post}: the weighted sum of its inputs"
    return f"{post} = {net.layers[layer].activation}({pre})"


def bias_spots(r: float) -> tuple[Point, ...]:
    """Where a bias label may sit round its node of radius r, best first."""
    return ((0, r + 16), (0, r + 40), (0, -r - 16), (r + 50, r), (-r - 50, r), (0, r + 64),
            (0, -r - 40), (r + 50, -r), (-r - 50, -r))


def row_distance(sizes: list[int], labelled: bool, bundled: bool) -> float:
    """How far apart a column's nodes are drawn (before any spreading)."""
    tallest = max(sizes)
    if not (labelled or bundled):
        # No labels along the edges need the room between nodes: a tall column
        # (moons' 8 tanh) closes up so the drawing is fitted larger and the names in the
        # nodes stay readable (at 127 apart they were 6.4 px on a 1280x800 screen).
        return max(2 * RADIUS + NODE_GAP, ROW * min(1.0, 4 / tallest))
    return ROW * min(1.0, 6 / tallest)


def column_positions(sizes: list[int], labelled: bool, bundled: bool,
                     spread: tuple[float, ...] = (1.0, 1.0)) -> list[list[Point]]:
    """Every node's centre: columns `spread[0]` times COLUMN apart, rows `spread[1]`
    times row_distance. With a taper `spread[2]` (1 when not given) a gap with fewer
    connections than the most a gap has is narrower, as its share of that most, down to
    the taper: the gap holding the most labels keeps the whole width. (The gaps after
    the first were narrowed alone: a built 1-3-2-1 network's six labels between its
    hidden layers stood in a column half as wide as the first gap's three, a tester
    could not tell which was whose.)"""
    across, down = COLUMN * spread[0], row_distance(sizes, labelled, bundled) * spread[1]
    taper = spread[2] if len(spread) > 2 else 1.0
    connections = [a * b for a, b in zip(sizes, sizes[1:], strict=False)]
    most = max(connections, default=1)
    xs = [0.0]
    for n in connections:
        xs.append(xs[-1] + across * max(taper, min(1.0, n / most)))
    return [[(xs[c], (j - (n - 1) / 2) * down) for j in range(n)]
            for c, n in enumerate(sizes)]


def _drawn(net: Network) -> tuple[bool, bool]:
    """(labelled, bundled): whether each connection gets a label, whether the connections
    are drawn as one bundle a layer."""
    n_edges = sum(w.size for w in net.weights)
    return n_edges <= MAX_LABELLED_EDGES, n_edges > MAX_DRAWN_EDGES


def _nearest_first(t: float) -> list[float]:
    """Places along an edge (0: its start, 1: its end) for a label that would sit at t:
    the usual ones nearest t first, then a finer comb, also nearest first."""
    return (sorted(ALONG, key=lambda s: abs(s - t))
            + sorted(set(COMB) - set(ALONG), key=lambda s: abs(s - t)))


def _along(a: Point, b: Point, s: float) -> Point:
    return (a[0] + (b[0] - a[0]) * s, a[1] + (b[1] - a[1]) * s)


def network_layout(net: Network, text_width: Callable[[str], float], text_height: float,
                   values: Mapping[str, float] | None = None) -> Layout:
    """Where every node, connection and label goes. Text is measured by `text_width` (Qt's
    font metrics in the window, an estimate for SVG); each label keeps room for a value
    of WIDEST_VALUE, or for its own value in `values` when that is wider. Labels never
    cover each other, a node or a name: the drawing is spread out (up to SPREADS[-1]
    times) until every label has room; where none does, the spread that leaves the fewest
    out is kept (the window has a weight's value in its connection's tooltip, and every
    value in the Parameters list)."""
    room = _room(text_width, values)
    best: tuple[int, Layout] | None = None
    for spread in SPREADS:
        layout, left_out = _layout(net, text_width, text_height, room, (spread, spread))
        if best is None or left_out < best[0]:
            best = (left_out, layout)
        if not left_out:
            break
    assert best is not None
    return best[1]


class FittedLayouts:
    """Presenter mode's drawings of one network, for `for_view` to choose from for a view's
    shape: network_layout's, and the others whose labels cover nothing and whose nodes
    keep NODE_GAP apart, with columns and rows each closed up or spread out
    (FITTED_SPREADS) and words TEXT_SCALES times larger (the nodes only as much larger as
    the names inside them need). A drawing's labels are placed when it is first
    considered, and only when its nodes and names alone leave it a chance to be best."""

    def __init__(self, net: Network, text_width: Callable[[str], float], text_height: float,
                 values: Mapping[str, float] | None = None,
                 measure_at: Callable[[float], tuple[Callable[[str], float], float]]
                 | None = None, usual: Layout | None = None):
        self.net, self.text_width, self.text_height = net, text_width, text_height
        self.values = values  # each label keeps room for its value here, if wider
        # How words are measured when written `scale` times larger: (width, height). A
        # font's sizes are rounded, so its text comes out up to 3 % wider than `scale`
        # times the normal width; measured so, labels sat up to 7 px over each other.
        self.measure_at = measure_at or (lambda scale: (self._scaled(scale),
                                                        scale * text_height))
        # (network_layout's, when the caller has it already)
        self.usual = usual or network_layout(net, text_width, text_height, values)
        sizes = [net.inputs, *net.sizes]
        row = row_distance(sizes, *_drawn(net))
        # (gaps of as many connections each are never narrowed: a taper draws them alike)
        connections = {a * b for a, b in zip(sizes, sizes[1:], strict=False)}
        tapers = TAPERS if len(connections) > 1 else (1.0,)
        # (the largest its words could come out per pixel of view, its drawing's recipe)
        self.drafts: list[tuple[Box, float, tuple[float, float, float], float]] = []
        for scale in TEXT_SCALES:
            width, height = self.measure_at(scale)
            inside = max((width(node.text) for node in self.usual.nodes), default=0.0)
            radius = max(RADIUS, node_radius(inside, height, scale))
            apart = 2 * radius + NODE_GAP
            # and rows closed up until the nodes keep just NODE_GAP apart: with larger
            # words in larger nodes, the next of FITTED_SPREADS left up to 20 % between
            # moons' eight (its tall column is what limits its words in a short view)
            downs = sorted({*FITTED_SPREADS, apart / row * (1 + 1e-9)})
            for across, down, taper in itertools.product(FITTED_SPREADS, downs, tapers):
                if COLUMN * across * taper < apart:
                    continue
                if max(sizes) > 1 and row * down < apart and (down < 1 or radius > RADIUS):
                    continue  # closed up until nodes (nearly) touch
                _, nodes_only = _nodes(net, *self.measure_at(scale), (across, down, taper),
                                       radius)
                self.drafts.append((_around(nodes_only), scale, (across, down, taper),
                                    radius))
        self.laid_out: dict[int, Layout | None] = {}  # None: a label found no room

    def _scaled(self, scale: float) -> Callable[[str], float]:
        return lambda text: scale * self.text_width(text)

    def for_view(self, view: tuple[float, float]) -> Layout:
        """The drawing whose words come out largest in a view of this (width, height);
        network_layout's when none is larger."""
        best, largest = self.usual, self.usual.text_size(view)
        hopes = sorted(((scale * _fit(outline, view), k) for k, (outline, scale, _, _)
                        in enumerate(self.drafts)), reverse=True)
        for hope, k in hopes:
            if hope <= largest:
                break
            layout = self._layout(k)
            if layout is not None and layout.text_size(view) > largest:
                best, largest = layout, layout.text_size(view)
        return best

    def _layout(self, k: int) -> Layout | None:
        if k not in self.laid_out:
            _, scale, spread, radius = self.drafts[k]
            width, height = self.measure_at(scale)
            layout, left_out = _layout(self.net, width, height,
                                       _room(width, self.values), spread, scale, radius,
                                       all_or_none=True)
            self.laid_out[k] = None if left_out else layout
        return self.laid_out[k]


def _fit(outline: Box, view: tuple[float, float]) -> float:
    """How many pixels a drawing unit gets when a drawing of this outline, margin and
    all, is fitted into a view of this (width, height)."""
    return min(view[0] / (outline.width + 2 * FIT_MARGIN),
               view[1] / (outline.height + 2 * FIT_MARGIN))


def _around(boxes: list[Box]) -> Box:
    x0, y0 = min(b.left for b in boxes), min(b.top for b in boxes)
    return Box(x0, y0, max(b.left + b.width for b in boxes) - x0,
               max(b.top + b.height for b in boxes) - y0)


def _room(text_width: Callable[[str], float],
          values: Mapping[str, float] | None) -> Callable[[str], float]:
    """The width a parameter's label keeps free for its value."""

    def room(name: str) -> float:
        widest = text_width(f"{name} = {WIDEST_VALUE}")
        if values is not None:
            widest = max(widest, text_width(label_text(name, values[name])))
        return widest + 8
    return room


def _nodes(net: Network, text_width: Callable[[str], float], text_height: float,
           spread: tuple[float, ...], radius: float) -> tuple[list[Node], list[Box]]:
    """Every node with the names in and beside it; the boxes they take."""
    names = net.names
    columns = column_positions([net.inputs, *net.sizes], *_drawn(net), spread)
    nodes: list[Node] = []
    last = len(columns) - 1
    for c, column in enumerate(columns):
        for j, (x, y) in enumerate(column):
            text = names.inputs[j] if c == 0 else node_text(net, c - 1, j)
            left = right = ""
            if c == 0 and text_width(text) > 2 * radius - INSIDE_MARGIN:
                left, text = text, ""  # a data set's own input name stands left of its node
            if c == last and names.post[-1][j] != text:
                right = names.post[-1][j]
            nodes.append(Node(c, j, (x, y), text, left, right))
    return nodes, _node_boxes(nodes, text_width, text_height, radius)


def _layout(net: Network, text_width: Callable[[str], float], text_height: float,
            room: Callable[[str], float], spread: tuple[float, ...],
            text_scale: float = 1.0, radius: float = RADIUS,
            all_or_none: bool = False) -> tuple[Layout, int]:
    names = net.names
    labelled, bundled = _drawn(net)
    nodes, taken = _nodes(net, text_width, text_height, spread, radius)
    columns = column_positions([net.inputs, *net.sizes], labelled, bundled, spread)
    edges: list[Edge] = []
    wishes: list[tuple[str, list[Point]]] = []  # a label, the places it may go, best first
    for layer, w in enumerate([] if bundled else net.weights):
        n_out = w.shape[0]
        # Labels sit part of the way along, where fan-outs spread apart; with three or
        # more targets they are staggered by target.
        for j in range(n_out):
            t = 0.5 if n_out == 1 else 0.35 if n_out == 2 else 0.25 + 0.5 * j / (n_out - 1)
            tries = _nearest_first(t)
            for i in range(w.shape[1]):
                a, b = columns[layer][i], columns[layer + 1][j]
                edges.append(Edge(names.weights[layer][j][i], layer, a, b))
                if labelled:
                    wishes.append((names.weights[layer][j][i], [_along(a, b, s) for s in tries]))
    if labelled:
        for node in nodes:
            if node.column > 0 and net.biases[node.column - 1] is not None:
                x, y = node.centre
                wishes.append((names.biases[node.column - 1][node.neuron],
                               [(x + dx, y + dy) for dx, dy in bias_spots(radius)]))
    labels, left_out = _place_labels(wishes, taken, room, text_height + 4,
                                     all_or_none=all_or_none,
                                     lines={e.name: (e.start, e.end) for e in edges})
    return Layout(tuple(tuple(c) for c in columns), tuple(nodes), tuple(edges), labels,
                  bundled, _around(taken), text_scale, radius), left_out


def _node_boxes(nodes: Sequence[Node], text_width: Callable[[str], float],
                text_height: float, radius: float) -> list[Box]:
    """Each node's circle (of this radius) and the name written beside it."""
    boxes = []
    for n in nodes:
        x, y = n.centre
        boxes.append(Box(x - radius, y - radius, 2 * radius, 2 * radius))
        if n.left:
            width = text_width(n.left)
            boxes.append(Box(x - radius - NAME_GAP - width, y - text_height / 2, width,
                             text_height))
        if n.right:
            boxes.append(Box(x + radius + NAME_GAP, y - text_height / 2, text_width(n.right),
                             text_height))
    return boxes


def _place_labels(wishes: list[tuple[str, list[Point]]], taken: list[Box],
                  room: Callable[[str], float], height: float,
                  crossings: Callable[[str, Box], int] = lambda name, box: 0,
                  all_or_none: bool = False,
                  lines: Mapping[str, tuple[Point, Point]] | None = None,
                  ) -> tuple[tuple[Label, ...], int]:
    """Each label at the first of its places that is clear of `taken` (the nodes and the
    labels placed before it) and crosses nothing `crossings` counts; for a label with a
    line in `lines` (a connection's ends), then at any clear place along it (snug beside
    what is in the way); else nowhere: a label never covers anything. Returns those
    placed and how many were left out. `all_or_none`: stop at the first label with no
    clear place (the count is then 1)."""
    placed: list[Label] = []
    left_out = 0
    for name, places in wishes:
        width = room(name)

        def clear(at: Point, width: float = width, name: str = name) -> bool:
            box = Box.around(at, width, height)
            return not any(box.overlaps(other) for other in taken) and not crossings(name, box)
        at = next((p for p in places if clear(p)), None)
        if at is None and lines and name in lines:
            at = next((p for p in _snug(*lines[name], places[0], width, height, taken)
                       if clear(p)), None)
        if at is None:
            if all_or_none:
                return tuple(placed), 1
            left_out += 1
            continue
        taken.append(Box.around(at, width, height))
        placed.append(Label(name, at))
    return tuple(placed), left_out


def _snug(a: Point, b: Point, wish: Point, width: float, height: float,
          taken: list[Box]) -> list[Point]:
    """Places along the line a→b (as far in as COMB goes) where a label of this size just
    clears one of `taken` (half a unit apart), nearest the wished-for place first: when a
    gap along the line holds the label, one of these is in it, where the fixed places
    along may all miss a narrow gap."""
    low, high = min(COMB), max(COMB)
    dx, dy = b[0] - a[0], b[1] - a[1]
    ts = []
    for box in taken:
        for start, step, edge in (
                (a[0], dx, box.left - width / 2 - 0.5),
                (a[0], dx, box.left + box.width + width / 2 + 0.5),
                (a[1], dy, box.top - height / 2 - 0.5),
                (a[1], dy, box.top + box.height + height / 2 + 0.5)):
            if step:
                t = (edge - start) / step
                if low <= t <= high:
                    ts.append(t)
    wished = _projection(a, b, wish)
    return [_along(a, b, t) for t in sorted(ts, key=lambda t: abs(t - wished))]


# --- a moment's numbers over the drawing (Step phase) -------------------------------------
CAPTION_GAP = 12.0  # between the caption and the drawing under it

NodeKey = tuple[int, int]  # (column, neuron), as Node has them


@dataclass(frozen=True)
class Placed:
    index: int  # in what was wanted
    text: str  # as written: on one line, or on two where one found no room
    box: Box


def node_spots(r: float, height: float) -> tuple[Point, ...]:
    """Where a label this high may sit above or below a node of radius r, best first:
    4 units clear of it, then a label's height further out (presenter mode's fitted
    drawings have larger nodes and words)."""
    return tuple((0, sign * (r + 4 + height / 2 + k * height)) for k in range(3)
                 for sign in (-1, 1))


def drawn_segment(edge: Edge, radius: float) -> tuple[Point, Point]:
    """The line a connection is drawn as: from its start's circle to its end's."""
    return (edge.start[0] + radius, edge.start[1]), (edge.end[0] - radius, edge.end[1])


def segment_crosses(box: Box, a: Point, b: Point) -> bool:
    """Whether the line from a to b passes through the box's inside (Liang–Barsky)."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    low, high = 0.0, 1.0
    for p, q in ((-dx, a[0] - box.left), (dx, box.left + box.width - a[0]),
                 (-dy, a[1] - box.top), (dy, box.top + box.height - a[1])):
        if p == 0:
            if q <= 0:
                return False
        else:
            t = q / p
            if p < 0:
                low = max(low, t)
            else:
                high = min(high, t)
    return low < high


def _projection(a: Point, b: Point, p: Point) -> float:
    """How far along a→b (0 to 1) the point nearest p is."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = dx * dx + dy * dy
    t = ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length if length else 0.5
    return min(1.0, max(0.0, t))


def _distance(p: Point, a: Point, b: Point) -> float:
    """From p to the nearest point of the line a→b."""
    return math.dist(p, _along(a, b, _projection(a, b, p)))


def two_lines(text: str) -> str:
    """"∂L/∂w1 = -0.5" as "∂L/∂w1" over "= -0.5" ("w1: 2 → 1.9" as "w1: 2" over "→ 1.9")."""
    head, sign, value = text.rsplit(" ", 2)
    return f"{head}\n{sign} {value}"


def overlay_labels(net: Network, layout: Layout, wanted: Sequence[tuple[str | NodeKey, str]],
                   text_width: Callable[[str], float],
                   text_height: float) -> tuple[tuple[Placed, ...], tuple[int, ...]]:
    """Where a moment's numbers go over the drawing (the usual labels hidden): each text
    by what it is about, a node (column, neuron) above or below it, a labelled weight on
    its own connection (where its value label is, else nearest that), a bias where its
    value is or around its node, by the placement the value labels have. None covers a
    node, a name or another, nor crosses a connection not its own; a text with no room
    on one line is tried on two. Returns those placed and the indexes of those that found
    no room (the caller says what they are another way)."""
    edges = {e.name: e for e in layout.edges}
    radius = layout.radius  # the fitted drawings' nodes are larger than RADIUS
    segment = {name: drawn_segment(e, radius) for name, e in edges.items()}
    at_rest = {label.name: label.centre for label in layout.labels}
    node_at = {(n.column, n.neuron): n.centre for n in layout.nodes}
    bias_node = {b: (c + 1, j) for c, row in enumerate(net.names.biases) for j, b in
                 enumerate(row)}

    def places(key: str | NodeKey, width: float, height: float) -> list[Point]:
        if isinstance(key, tuple):
            x, y = node_at[key]
            beside = radius + 6 + width / 2  # right or left of it, when not above or below
            return [(x + dx, y + dy) for dx, dy in node_spots(radius, height)] + [
                (x + sx * beside, y + dy) for dy in (0, -radius, radius) for sx in (1, -1)]
        if key in edges and key in at_rest:  # too many connections have no labels
            a, b = segment[key]
            on = [at_rest[key]] + [_along(a, b, t) for t in
                                   _nearest_first(_projection(a, b, at_rest[key]))]
            # then beside its line, on the side away from the other lines first
            length = math.dist(a, b) or 1.0
            nx, ny = (a[1] - b[1]) / length, (b[0] - a[0]) / length
            side = height / 2 + 4
            others = [line for name, line in segment.items() if name != key]

            def room_around(p: Point) -> float:
                return min((_distance(p, *line) for line in others), default=0.0)
            return on + [p for x, y in on for p in sorted(
                ((x + side * nx, y + side * ny), (x - side * nx, y - side * ny)),
                key=room_around, reverse=True)]
        if key in bias_node:
            x, y = node_at[bias_node[key]]
            spots = [(x + dx, y + dy) for dx, dy in bias_spots(radius)]
            return ([at_rest[key]] if key in at_rest else []) + spots
        return []

    def room(text: str) -> float:
        return max(text_width(line) for line in text.split("\n")) + 8

    def crossings(name: str, box: Box) -> int:
        """Other connections it crosses, or that its middle is as near as its own."""
        key = wanted[int(name)][0]
        others = [line for name, line in segment.items() if name != key]
        count = sum(segment_crosses(box, *line) for line in others)
        if key in edges:
            middle = (box.left + box.width / 2, box.top + box.height / 2)
            own = _distance(middle, *segment[key])
            count += sum(_distance(middle, *line) <= own for line in others)
        return count

    taken = _node_boxes(layout.nodes, text_width, text_height, radius)
    # Weights first (only their own line will do), then the neurons, then the biases.
    order = sorted(range(len(wanted)), key=lambda k: 0 if wanted[k][0] in edges else
                   1 if isinstance(wanted[k][0], tuple) else 2)
    placed: dict[int, Placed] = {}
    for lines in (1, 2):
        for k in order:
            if k in placed:
                continue
            text = wanted[k][1] if lines == 1 else two_lines(wanted[k][1])
            height = lines * text_height + 4

            def width(_: str, text: str = text) -> float:
                return room(text)
            label = _place_labels([(str(k), places(wanted[k][0], room(text), height))],
                                  taken, width, height, crossings)[0]
            if label:
                placed[k] = Placed(k, text, Box.around(label[0].centre, room(text), height))
    return (tuple(placed[k] for k in sorted(placed)),
            tuple(k for k in range(len(wanted)) if k not in placed))


def caption_box(layout: Layout, placed: Sequence[Placed], width: float, height: float,
                text_width: Callable[[str], float], text_height: float) -> Box:
    """A caption's place: above everything drawn (the nodes, their names, `placed`),
    across the middle of the drawing."""
    boxes = _node_boxes(layout.nodes, text_width, text_height, layout.radius) + [
        p.box for p in placed]
    left = min(b.left for b in boxes)
    right = max(b.left + b.width for b in boxes)
    top = min(b.top for b in boxes)
    return Box((left + right - width) / 2, top - CAPTION_GAP - height, width, height)


# --- the picture as SVG -------------------------------------------------------------------
SVG_FONT = "DejaVu Sans, Verdana, Arial, Helvetica, sans-serif"
CHAR_EM = 0.62  # a character's width estimated on the wide side (DejaVu Sans' digits: 0.64)
LINE_EM = 1.2  # a line's height
BASELINE_EM = 0.36  # from a line's middle down to its baseline (about half a capital)
MARGIN = 20.0


def estimated_width(text: str) -> float:
    return len(text) * CHAR_EM * LABEL_POINTS


def label_box(label: Label, text: str) -> Box:
    """The pale backing a label is written on (3 units beside the text, 1 above and below:
    the window's)."""
    return Box.around(label.centre, estimated_width(text) + 6, LINE_EM * LABEL_POINTS + 2)


def network_svg(net: Network) -> str:
    """The network with its values now, as an SVG document (text, UTF-8). Sizes are in
    the drawing's units, where a word is LABEL_POINTS high."""
    values = dict(zip(net.param_names, net.params.tolist(), strict=True))
    line = LINE_EM * LABEL_POINTS
    layout = network_layout(net, estimated_width, line, values)
    largest = largest_magnitude(net.params)
    radius = layout.radius
    boxes: list[Box] = []
    drawing: list[str] = []

    def text(x: float, y: float, words: str, anchor: str = "middle") -> str:
        return (f'<text x="{x:.1f}" y="{y + BASELINE_EM * LABEL_POINTS:.1f}" '
                f'text-anchor="{anchor}">{escape(words)}</text>')

    if layout.bundled:
        for layer, w in enumerate(net.weights):
            a, b = layout.columns[layer], layout.columns[layer + 1]
            corners = [(a[0][0] + radius, a[0][1]), (b[0][0] - radius, b[0][1]),
                       (b[-1][0] - radius, b[-1][1]), (a[-1][0] + radius, a[-1][1])]
            drawing.append('<polygon class="bundle" points="'
                           + " ".join(f"{x:.1f},{y:.1f}" for x, y in corners)
                           + '" fill="#969696" fill-opacity="0.3"/>')
            count = f"{w.size:,} weights"
            middle = ((a[0][0] + b[0][0]) / 2, (a[0][1] + b[0][1]) / 2 - line)
            drawing.append(text(*middle, count))
            boxes.append(Box.around(middle, estimated_width(count), line))
    for edge in layout.edges:
        v = values[edge.name]
        drawing.append(f'<line x1="{edge.start[0] + radius:.1f}" y1="{edge.start[1]:.1f}" '
                       f'x2="{edge.end[0] - radius:.1f}" y2="{edge.end[1]:.1f}" '
                       f'stroke="{sign_colour(v)}" stroke-width="{edge_width(v, largest)}" '
                       'stroke-linecap="round"/>')
    for node in layout.nodes:
        x, y = node.centre
        boxes.append(Box(x - radius - 1, y - radius - 1, 2 * radius + 2, 2 * radius + 2))
        drawing.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:g}" fill="{NODE_FILL}" '
                       f'stroke="{NODE_LINE}" stroke-width="2"/>')
        if node.text:
            drawing.append(text(x, y, node.text))
        if node.left:
            width = estimated_width(node.left)
            drawing.append(text(x - radius - NAME_GAP, y, node.left, "end"))
            boxes.append(Box(x - radius - NAME_GAP - width, y - line / 2, width, line))
        if node.right:
            drawing.append(text(x + radius + NAME_GAP, y, node.right, "start"))
            boxes.append(Box(x + radius + NAME_GAP, y - line / 2,
                             estimated_width(node.right), line))
    for label in layout.labels:
        words = label_text(label.name, values[label.name])
        box = label_box(label, words)
        boxes.append(box)
        drawing.append(f'<g class="label"><rect x="{box.left:.1f}" y="{box.top:.1f}" '
                       f'width="{box.width:.1f}" height="{box.height:.1f}" fill="#ffffff" '
                       f'fill-opacity="0.88"/>{text(*label.centre, words)}</g>')
    left = min(b.left for b in boxes) - MARGIN
    top = min(b.top for b in boxes) - MARGIN
    width = max(b.left + b.width for b in boxes) + MARGIN - left
    height = max(b.top + b.height for b in boxes) + MARGIN - top
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" '
            f'height="{height:.0f}" viewBox="{left:.1f} {top:.1f} {width:.1f} {height:.1f}" '
            f'font-family={quoteattr(SVG_FONT)} font-size="{LABEL_POINTS:g}" fill="{INK}">\n'
            f'<rect x="{left:.1f}" y="{top:.1f}" width="{width:.1f}" height="{height:.1f}" '
            'fill="#ffffff"/>\n' + "\n".join(drawing) + "\n</svg>\n")
