"""The headless commands: `backprop-lab trace` and `backprop-lab explain`. No Qt here.

Exit codes: 0 done, 2 a bad lesson or argument (one line on stderr), 3 training diverged
(after printing what it has).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import re
import sys

import numpy as np

from engine.batching import Batching
from engine.breakdown import chain_rule_breakdown
from engine.explain import breakdown_text, fmt, sample_values_text
from engine.export_code import TARGETS, code_script
from engine.files import write_text_atomically
from engine.lesson import Lesson, LessonError
from engine.optimizers import DEFAULTS, OPTIMIZERS, SETTINGS, Optimizer
from engine.presets import PRESETS, open_lesson
from engine.text import QUOTE_CHARS, one_line, quoted
from engine.training import StopReason, Trainer, stop_sentence
from engine.validation import Validation
from engine.worksheet import worksheet_html, write_worksheet_markdown

EXIT_BAD_INPUT, EXIT_DIVERGED = 2, 3


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose errors are one clear line, not usage plus a dump.

    `help_command` is the command whose --help explains: set, not worked out from
    `prog`, which argparse builds differently across versions and call paths (it once
    said "see backprop-lab backprop-lab --help")."""

    help_command = "backprop-lab"
    commands: dict[str, argparse.ArgumentParser] = {}  # the top parser's subcommands

    def error(self, message):
        # argparse quotes a bad value whole ("invalid choice: '<10,000 characters>'"):
        # shortened, the reason stays in sight.
        message = re.sub(f"'([^']{{{QUOTE_CHARS + 1},}})'", lambda m: quoted(m[1]), message)
        message = one_line(message, 4 * QUOTE_CHARS + 80)
        print(f"backprop-lab: {message} (see {self.help_command} --help)", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{quoted(text)} is not a number") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{quoted(text)} must be a finite number above 0")
    return value


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{quoted(text)} is not a number") from None
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"{quoted(text)} must be from 0 up to, not "
                                         "including, 1")
    return value


def _count(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"{quoted(text)} is not a whole number of steps")
    return int(text)


def build_parser() -> OneLineParser:
    parser = OneLineParser(prog="backprop-lab")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    lesson_help = f"a preset ({', '.join(PRESETS)}) or a lesson file"
    t = sub.add_parser("trace", help="print every gradient-descent step of a lesson")
    t.add_argument("lesson", help=lesson_help)
    t.add_argument("--steps", type=_count, help="exactly N updates (default: the stop rule)")
    t.add_argument("--lr", type=_positive_float, help="learning rate (default: the lesson's)")
    t.add_argument("--format", choices=("table", "markdown", "json", "summary"),
                   default="table")
    t.add_argument("--validation", type=_fraction, metavar="FRACTION",
                   help="hold out this share of the samples (0 for none) and print their "
                        "loss beside the training loss (default: the lesson's)")
    t.add_argument("--validation-seed", type=_count, metavar="SEED",
                   help="the seed that picks the samples held out")
    e = sub.add_parser("explain", help="print the chain-rule breakdown of the parameters")
    e.add_argument("lesson", help=lesson_help)
    e.add_argument("--param", help="one parameter (default: all)")
    w = sub.add_parser("worksheet", help="write a worksheet for the next K steps")
    w.add_argument("lesson", help=lesson_help)
    for command in (t, e, w):
        command.add_argument("--optimizer", choices=tuple(OPTIMIZERS),
                             help="the update rule (default: the lesson's; sgd is the "
                                  "articles' gradient descent)")
        command.add_argument("--set", action="append", default=[], metavar="SETTING=VALUE",
                             help="an optimizer setting by PyTorch's name, e.g. "
                                  "--set beta1=0.8 (repeat for more)")
        command.add_argument("--batch-size", type=_count, metavar="B",
                             help="samples per update: 1 for one at a time, 0 for every "
                                  "sample (default: the lesson's)")
        command.add_argument("--seed", type=_count, help="the batches' shuffle seed")
    w.add_argument("--steps", type=_count, default=1, help="how many steps (default 1)")
    w.add_argument("--format", choices=("md", "html", "pdf"), default="md")
    w.add_argument("--answers", action="store_true", help="the answer key, not blanks")
    w.add_argument("-o", "--output", required=True, help="the file to write")
    c = sub.add_parser("export-code", help="write a standalone script that trains the "
                       "same steps and checks its numbers against the app's")
    c.add_argument("lesson", help=lesson_help)
    c.add_argument("--to", choices=tuple(TARGETS), default="numpy",
                   help="the script's library: " + "; ".join(
                       f"{name}, {words}" for name, words in TARGETS.items()))
    c.add_argument("--steps", type=_count, default=10, help="how many steps (default 10)")
    c.add_argument("-o", "--output", required=True, help="the .py file to write")
    for name, command in sub.choices.items():
        command.help_command = f"backprop-lab {name}"
    parser.commands = dict(sub.choices)
    return parser


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    """The headless command's arguments. An unknown option is told by the command it
    was given to (argparse leaves it to the top parser, which would point at the
    wrong --help)."""
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        parser.commands[args.command].error(
            f"unrecognized arguments: {one_line(' '.join(unknown), 60)}")
    return args


def _record(trainer: Trainer, k: int) -> dict:
    net, hist = trainer.network, trainer.history
    names = net.param_names
    snapshot = net.copy()
    snapshot.set_params(hist.params[k])
    trainable = trainer.mask.astype(bool)
    return {
        "step": int(hist.steps[k]),
        "loss": float(hist.loss[k]),
        # over the samples held out, and over the update's batch, when there are such
        **({"val_loss": float(hist.val_loss[k])} if len(trainer.held_out) else {}),
        **({"batch_loss": float(hist.batch_loss[k])}
           if math.isfinite(hist.batch_loss[k]) else {}),
        "params": dict(zip(names, map(float, hist.params[k]), strict=True)),
        **snapshot.values_json(),
        "grads": dict(zip(names, map(float, hist.grads[k]), strict=True)),
        "step_sizes": {n: float(s) for n, s, t in
                       zip(names, hist.step_sizes[k], trainable, strict=True) if t},
        # The optimizer's memory before this row's update (momentum's v, Adam's m and s).
        **({"optimizer_state": {
            state: dict(zip(names, map(float, values), strict=True))
            for state, values in zip(trainer.optimizer.state_names, trainer.state_before(k),
                                     strict=True)}} if trainer.optimizer.state_names else {}),
    }


def _table_rows(trainer: Trainer):
    hist, names = trainer.history, trainer.network.param_names
    validation = len(trainer.held_out) > 0

    def losses(k: int) -> tuple[str, ...]:
        return (fmt(hist.loss[k], 10),
                *((fmt(hist.val_loss[k], 10),) if validation else ()))

    for k in range(len(hist) - 1):
        for i, name in enumerate(names):
            if trainer.mask[i]:
                yield (str(hist.steps[k] + 1), name, fmt(hist.params[k, i], 10),
                       fmt(hist.grads[k, i], 10), fmt(hist.step_sizes[k, i], 10),
                       fmt(hist.params[k + 1, i], 10), *losses(k))
    yield ("end", "", "", "", "", "", *losses(len(hist) - 1))


HEADER = ("step", "parameter", "old value", "slope", "step size", "new value", "loss before")
VALIDATION_HEADER = "validation loss before"


def _header(trainer: Trainer) -> tuple[str, ...]:
    return (*HEADER, VALIDATION_HEADER) if len(trainer.held_out) else HEADER


def _end_sentence(trainer: Trainer) -> str:
    """The loss reached, over the training samples and (with a split) the held-out ones."""
    if not len(trainer.held_out):
        return f"Loss {fmt(trainer.loss)}."
    return (f"Loss {fmt(trainer.loss)} on the {trainer.n_training} training samples, "
            f"{fmt(trainer.val_loss)} on the {len(trainer.held_out)} held out for "
            "validation.")


def _print_trace(trainer: Trainer, lesson: Lesson, fmt_name: str, reason: StopReason) -> None:
    if fmt_name in ("json", "summary"):
        last = len(trainer.history) - 1
        if fmt_name == "summary":
            print(json.dumps(_record(trainer, last), indent=2))
            return
        steps = [_record(trainer, k) for k in range(last + 1)]
        # Each sample's outputs at the end (the recorded steps keep the parameters only).
        with np.errstate(all="ignore"):
            outputs = trainer.network.predict(trainer.inputs)
        print(json.dumps({"lesson": lesson.title, "stopped": reason.value, "steps": steps,
                          "output_names": list(trainer.network.names.post[-1]),
                          "outputs": outputs.tolist()}))
        return
    header = _header(trainer)
    rows = [header, *_table_rows(trainer)]
    if fmt_name == "markdown":
        print(f"### {lesson.title}\n")
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for row in rows[1:]:
            print("| " + " | ".join(row) + " |")
    else:
        widths = [max(len(r[c]) for r in rows) for c in range(len(header))]
        for row in rows:
            print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    print(f"\n{stop_sentence(reason, trainer.steps_done, trainer.stop)} "
          f"{_end_sentence(trainer)}")


def main(argv: list[str] | None = None, pdf_writer=None) -> int:
    """`pdf_writer(html, path)` renders a PDF; the launcher passes Qt's, so that this
    module itself never needs Qt."""
    args = parse_arguments(argv)
    try:
        lesson = open_lesson(args.lesson)
    except LessonError as exc:
        print(f"backprop-lab: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.command == "export-code":
        return _export_code(lesson, args)
    try:
        lesson.optimizer = _optimizer(lesson.optimizer, args.optimizer, args.set)
        if args.batch_size is not None or args.seed is not None:
            lesson.batching = Batching(
                lesson.batching.size if args.batch_size is None else args.batch_size,
                lesson.batching.seed if args.seed is None else args.seed)
    except ValueError as exc:
        print(f"backprop-lab: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.command == "explain":
        return _explain(lesson, args.param)
    if args.command == "worksheet":
        return _worksheet(lesson, args, pdf_writer)
    if args.lr is not None:
        lesson.learning_rate = args.lr
    if args.validation is not None or args.validation_seed is not None:
        try:
            lesson.validation = Validation(
                lesson.validation.fraction if args.validation is None else args.validation,
                lesson.validation.seed if args.validation_seed is None
                else args.validation_seed)
        except ValueError as exc:
            print(f"backprop-lab: --validation-seed: {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
        why = lesson.validation.problem(len(lesson.inputs))
        if why is not None:
            print(f"backprop-lab: --validation: {why}", file=sys.stderr)
            return EXIT_BAD_INPUT
    trainer = lesson.trainer()
    if args.steps is None:
        reason = trainer.run()
    else:
        reason = trainer.run(args.steps, respect_stop_rule=False)
    _print_trace(trainer, lesson, args.format, reason)
    if reason is StopReason.DIVERGED:
        print(f"backprop-lab: training diverged at step {trainer.steps_done + 1}: the next "
              f"update makes a value non-finite; try a smaller learning rate",
              file=sys.stderr)
        return EXIT_DIVERGED
    return 0


def _optimizer(now: Optimizer, name: str | None, settings: list[str]) -> Optimizer:
    """The lesson's optimizer, or the one named, with SETTING=VALUE changes."""
    chosen = now if name is None or name == now.name else DEFAULTS[name]
    values: dict[str, float] = {}
    for item in settings:
        key, sep, text = item.partition("=")
        if not sep or key not in SETTINGS[chosen.name]:
            raise ValueError(f"--set {item}: {chosen.name} takes "
                             + ", ".join(f"{k}=VALUE" for k in SETTINGS[chosen.name]))
        try:
            values[key] = float(text)
        except ValueError:
            raise ValueError(f"--set {item}: {text!r} is not a number") from None
    return dataclasses.replace(chosen, **values)  # type: ignore[arg-type]


def _explain(lesson: Lesson, param: str | None) -> int:
    trainer = lesson.trainer()
    net = trainer.network
    names = net.param_names if param is None else [param]
    if param is not None and param not in net.index:
        print(f"backprop-lab: no parameter {quoted(param)} in this lesson "
              f"(it has {', '.join(net.param_names)})", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"{lesson.title}\n\nForward pass, one value per sample:")
    print(sample_values_text(net.forward(lesson.inputs).named(net.names)) + "\n")
    for name in names:
        batch = trainer.batch()
        b = chain_rule_breakdown(net, lesson.inputs[batch], lesson.targets[batch],
                                 trainer.loss_function,
                                 name)
        print(breakdown_text(b, trainer.update(name)) + "\n")
    return 0


def _export_code(lesson: Lesson, args) -> int:
    try:
        text = code_script(lesson, args.steps, args.to)
    except LessonError as exc:
        print(f"backprop-lab: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        write_text_atomically(args.output, text)
    except OSError as exc:
        print(f"backprop-lab: cannot write {args.output}: {exc.strerror or exc}; "
              f"any file there before is unchanged", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"wrote {args.output}: {args.steps} steps of {lesson.title}; run it with python")
    return 0


def _worksheet(lesson: Lesson, args, pdf_writer) -> int:
    if args.steps > 50:
        print("backprop-lab: a worksheet covers at most 50 steps", file=sys.stderr)
        return EXIT_BAD_INPUT
    wrote = args.output
    try:
        if args.format == "md":
            picture = write_worksheet_markdown(args.output, lesson, args.steps, args.answers)
            wrote = f"{args.output} and its picture of the network, {picture}"
        elif args.format == "html":
            write_text_atomically(args.output,
                                  worksheet_html(lesson, args.steps, args.answers))
        else:
            if pdf_writer is None:
                print("backprop-lab: PDF needs the Qt front end", file=sys.stderr)
                return EXIT_BAD_INPUT
            pdf_writer(worksheet_html(lesson, args.steps, args.answers), args.output)
    except OSError as exc:
        print(f"backprop-lab: cannot write {args.output}: {exc.strerror or exc}; "
              f"any file there before is unchanged", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"wrote {wrote}")
    return 0
