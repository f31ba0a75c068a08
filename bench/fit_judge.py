"""Fit the story judge's weights on the tuning part of the real sets; never the holdout.

    python bench/fit_judge.py [--write]

A logistic regression (L2, Newton steps, numpy) over `bot.stories.judge.FEATURES` of
every pair inside the story window that no fact vetoes; both sets weigh alike. The L2
strength and the threshold are chosen by grouped 5-fold cross-validation on the tuning
parts (folds by story for the real clusters, by pair for the general pairs, so that no
story is fitted and scored in one fold): the pair of them whose out-of-fold predictions
give the best mean F1 of the two sets, or the strongest penalty within 0.005 of it (the
grid's differences are that small). In-sample, the weakest penalty always looks best.
`--write` stores the weights in bot/stories/data/judge.json; bench/stories.py reports
both parts.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
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

L2_GRID = (0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
THRESHOLDS = np.arange(0.2, 0.81, 0.025)
FOLDS = 5
TOLERANCE = 0.005  # of mean out-of-fold F1


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


def fit(x: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float) -> np.ndarray:
    """Weights whose signs follow `SIGNS`: a weight that comes out the wrong way is held
    at 0 and the rest refitted, until none does (an active-set fit)."""
    xb = np.hstack([x, np.ones((len(x), 1))])
    signs = np.array([SIGNS.get(k, 0) for k in FEATURES] + [0])
    held = np.zeros(len(signs), dtype=bool)
    while True:
        beta = np.zeros(len(signs))
        beta[~held] = newton(xb[:, ~held], y, w, l2)
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


def _fold(key: str) -> int:
    return int(hashlib.sha1(key.encode()).hexdigest(), 16) % FOLDS


def folds(pairs: list[Pair]) -> tuple[np.ndarray, np.ndarray]:
    """Per pair, the fold of each side's story."""
    fa, fb = np.array([[_fold(story) for story in p.stories] for p in pairs]).T
    return fa, fb


def fit_weighted(data: Data, masks: dict[str, np.ndarray], l2: float) -> np.ndarray:
    xs, ys, ws = [], [], []
    for name, (_pairs, x, y, ok, _tune) in data.items():
        keep = masks[name] & ok
        xs.append(x[keep])
        ys.append(y[keep])
        ws.append(np.full(keep.sum(), 1.0 / keep.sum()))  # each set weighs alike
    w = np.concatenate(ws)
    return fit(np.vstack(xs), np.concatenate(ys), w / w.mean(), l2)


def probability(beta: np.ndarray, x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-(x @ beta[:-1] + beta[-1])))


def f1(y: np.ndarray, got: np.ndarray) -> float:
    tp = float((got & (y == 1)).sum())
    return 2 * tp / (got.sum() + (y == 1).sum()) if tp else 0.0


def cross_validate(data: Data, l2: float) -> dict[str, np.ndarray]:
    """Out-of-fold probabilities of the tuning pairs: a pair whose stories are in folds i
    and j is scored by a model fitted without either fold."""
    sides = {name: folds(pairs) for name, (pairs, *_rest) in data.items()}
    out = {name: np.full(len(x), np.nan) for name, (_p, x, *_r) in data.items()}
    for i, j in itertools.combinations_with_replacement(range(FOLDS), 2):
        held = {name: np.isin(fa, (i, j)) | np.isin(fb, (i, j))
                for name, (fa, fb) in sides.items()}
        beta = fit_weighted(data, {name: tune & ~held[name]
                                   for name, (*_r, tune) in data.items()}, l2)
        for name, (_pairs, x, _y, ok, tune) in data.items():
            fa, fb = sides[name]
            test = tune & (np.minimum(fa, fb) == i) & (np.maximum(fa, fb) == j)
            out[name][test] = np.where(ok[test], probability(beta, x[test]), 0.0)
    return out


def oof_f1(data: Data, oof: dict[str, np.ndarray], threshold: float) -> list[float]:
    return [f1(y[tune], oof[name][tune] >= threshold)
            for name, (_pairs, _x, y, _ok, tune) in data.items()]


def fit_model(data: Data) -> dict[str, object]:
    results = []
    print("grouped 5-fold cross-validation on the tuning parts (out-of-fold F1):")
    for l2 in L2_GRID:
        oof = cross_validate(data, l2)
        threshold = max(THRESHOLDS, key=lambda t: float(np.mean(oof_f1(data, oof, t))))
        real, general = oof_f1(data, oof, threshold)
        print(f"  L2 {l2:<5} threshold {threshold:.3f}  real {real:.3f}  general {general:.3f}"
              f"  mean {(real + general) / 2:.3f}")
        results.append(((real + general) / 2, l2, float(threshold)))
    best = max(score for score, _, _ in results)
    # the strongest penalty within TOLERANCE of the best: the grid's differences are noise
    _, l2, threshold = max((r for r in results if r[0] >= best - TOLERANCE), key=lambda r: r[1])
    print(f"chosen: L2 {l2}, threshold {threshold:.3f}")
    beta = fit_weighted(data, {name: tune for name, (*_r, tune) in data.items()}, l2)
    weights = dict(zip(FEATURES, (round(float(b), 4) for b in beta[:-1]), strict=True))
    return {"weights": weights, "bias": round(float(beta[-1]), 4),
            "threshold": round(threshold, 3), "l2": l2}


def scores(data: Data, beta: np.ndarray, threshold: float
           ) -> list[tuple[str, str, tuple[float, float, float]]]:
    out = []
    for name, (pairs, x, _y, ok, _tune) in data.items():
        got = dict(zip(map(id, pairs), (probability(beta, x) >= threshold) & ok, strict=True))
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
