"""Fit the story judge's weights on the tuning part of the real sets; never the holdout.

    python bench/fit_judge.py [--write]

A logistic regression (L2, Newton steps, numpy) over `bot.stories.judge.FEATURES` of
every pair inside the story window that no fact vetoes; both sets weigh alike. The
threshold is the one that maximises the mean F1 of the two tuning parts. `--write`
stores the weights in bot/stories/data/judge.json; bench/stories.py reports both parts.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from logistic import newton  # noqa: E402
from story_sets import Pair, general_pairs, prf, real_pairs  # noqa: E402

from bot.cli.samestory import founded  # noqa: E402
from bot.config.settings import StorySettings  # noqa: E402
from bot.stories.decisions import in_window, report_facts, story_facts  # noqa: E402
from bot.stories.judge import FEATURES, SIGNS, VETOES, WEIGHTS, Model, features  # noqa: E402

L2 = 0.1  # chosen on the tuning part (0.1, 0.3, 1, 3)


def rows(pairs: list[Pair], settings: StorySettings) -> tuple[np.ndarray, np.ndarray]:
    xs, inside = [], []
    for p in pairs:
        story, report = founded(p.a.doc, p.b.doc, detections=(p.a.detections, p.b.detections),
                                vectors=(p.a.vector, p.b.vector),
                                day_only=(p.a.day_only, p.b.day_only))
        f = features(report_facts(report), story_facts(story),
                     tolerance=settings.figure_tolerance)
        xs.append([f[k] for k in FEATURES])
        # Pairs the window or a vetoing fact decides are no question for the model.
        inside.append(in_window(report, story, settings) and not any(f[k] for k in VETOES))
    return np.array(xs), np.array(inside)


def fit(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weights whose signs follow `SIGNS`: a weight that comes out the wrong way is held
    at 0 and the rest refitted, until none does (an active-set fit)."""
    xb = np.hstack([x, np.ones((len(x), 1))])
    signs = np.array([SIGNS.get(k, 0) for k in FEATURES] + [0])
    held = np.zeros(len(signs), dtype=bool)
    while True:
        beta = np.zeros(len(signs))
        beta[~held] = newton(xb[:, ~held], y, w, L2)
        wrong = (signs * beta < 0) & ~held
        if not wrong.any():
            return beta
        held |= wrong


Data = dict[str, tuple[list[Pair], np.ndarray, np.ndarray, np.ndarray, np.ndarray]]


def load(settings: StorySettings) -> Data:
    data: Data = {}
    for name, pairs in (("real", real_pairs()), ("general", general_pairs())):
        x, ok = rows(pairs, settings)
        y = np.array([p.same for p in pairs], dtype=float)
        tune = np.array([p.part == "tune" for p in pairs])
        data[name] = (pairs, x, y, ok, tune)
    return data


def fit_model(data: Data) -> dict[str, object]:
    xs, ys, ws = [], [], []
    for _pairs, x, y, ok, tune in data.values():
        keep = tune & ok
        xs.append(x[keep])
        ys.append(y[keep])
        ws.append(np.full(keep.sum(), 1.0 / keep.sum()))  # each set weighs alike
    x, y, w = np.vstack(xs), np.concatenate(ys), np.concatenate(ws)
    beta = fit(x, y, w / w.mean())
    weights = dict(zip(FEATURES, (round(float(b), 4) for b in beta[:-1]), strict=True))
    bias = round(float(beta[-1]), 4)

    def mean_tune_f1(threshold: float) -> float:
        return float(np.mean([f1 for _, part, (_, _, f1) in scores(data, beta, threshold)
                              if part == "tune"]))

    threshold = max(np.arange(0.2, 0.81, 0.025), key=mean_tune_f1)
    return {"weights": weights, "bias": bias, "threshold": round(float(threshold), 3)}


def scores(data: Data, beta: np.ndarray, threshold: float
           ) -> list[tuple[str, str, tuple[float, float, float]]]:
    out = []
    for name, (pairs, x, _y, ok, _tune) in data.items():
        p = 1 / (1 + np.exp(-(x @ beta[:-1] + beta[-1])))
        got = dict(zip(map(id, pairs), (p >= threshold) & ok, strict=True))
        for part in ("tune", "holdout"):
            sub = [q for q in pairs if q.part == part]
            out.append((name, part, prf(sub, lambda q, got=got: bool(got[id(q)]))))
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    data = load(StorySettings())
    model = fit_model(data)
    print(json.dumps(model, indent=1))
    weights = model["weights"]
    assert isinstance(weights, dict)
    beta = np.array([*weights.values(), model["bias"]], dtype=float)
    for name, part, (pr, rc, f1) in scores(data, beta, float(str(model["threshold"]))):
        print(f"{name:8} {part:8} P {pr:.3f} R {rc:.3f} F1 {f1:.3f}")
    if args.write:
        WEIGHTS.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
        Model.load()  # it must read back
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
