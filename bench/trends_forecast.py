"""Forecasts on data nobody here made: accuracy against seasonal naive, interval coverage, speed.

    python bench/trends_forecast.py [--origins 3] [--jobs 2] [--speed-series 1000]
                                    [--skip-speed] [--skip-accuracy] [--save ROWS.pkl]

Series shipped inside installed wheels, nothing downloaded: statsmodels (co2 as monthly means,
elec_equip, elnino, sunspots, nile, macrodata's 12 quarterly series, danish_data,
interest_inflation), sktime (airline, shampoo, lynx, uschange, PBS, longley, seatbelts' KSI) and
aeon (the 181 yearly series of the M1 competition).

Accuracy: the last horizon (12 months, 8 quarters, 6 years) is held out; MASE = mean absolute
error over it divided by the in-sample MAE of seasonal naive (naive on yearly data) on the
training part; mean over series, for `forecast` and for seasonal naive itself. Coverage: the
share of held-out values inside the 80% and 95% intervals, over `--origins` rolling origins
(the last horizon, then each half a horizon earlier), with the calibrated intervals
`forecast` returns and with statsmodels' analytic ones (`calibration["analytic_sd"]`).
Speed: `forecast_many` on random-walk-with-season monthly series of 60-120 points, then the
same series through `pulsebi trends forecast --input FILE.csv` end to end.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
import warnings
from collections import Counter
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from pulsebi.trends import TrendSeries
from pulsebi.trends.forecast import MIN_LENGTH, forecast_many

HORIZON = {"month": 12, "quarter": 8, "year": 6}


def load_named() -> dict[str, TrendSeries]:
    """The single series of statsmodels and sktime, each with its calendar dates."""
    warnings.simplefilter("ignore")  # loaders' own deprecation notices
    import sktime.datasets as sk
    from statsmodels.datasets import (
        co2,
        danish_data,
        elec_equip,
        elnino,
        interest_inflation,
        nile,
        sunspots,
    )

    raw: dict[str, pd.Series] = {}
    raw["co2 (monthly means)"] = co2.load_pandas().data["co2"].resample("MS").mean()
    elec = elec_equip.load().data
    raw["elec_equip"] = elec.iloc[:, 0]
    table = elnino.load_pandas().data.set_index("YEAR")
    stacked = table.stack()
    months = [
        pd.Timestamp(int(y), i % 12 + 1, 1) for i, y in enumerate(stacked.index.get_level_values(0))
    ]
    raw["elnino"] = pd.Series(stacked.to_numpy(), index=months)
    raw["sunspots"] = _yearly(sunspots.load_pandas().data.set_index("YEAR")["SUNACTIVITY"])
    raw["nile"] = _yearly(nile.load_pandas().data.set_index("year")["volume"])
    macro = sk.load_macroeconomic()
    for col in macro.columns:
        raw[f"macrodata {col}"] = _periods(macro[col])
    danish = danish_data.load().data
    for col in danish.columns:
        raw[f"danish {col}"] = pd.Series(
            danish[col].to_numpy(),
            index=pd.date_range("1974-01-01", periods=len(danish), freq="QS"),
        )
    infl = interest_inflation.load().data
    for col in ("Dp", "R"):
        raw[f"interest_inflation {col}"] = pd.Series(
            infl[col].to_numpy(), index=pd.date_range("1972-04-01", periods=len(infl), freq="QS")
        )
    raw["airline"] = _periods(sk.load_airline())
    raw["shampoo"] = _periods(sk.load_shampoo_sales())
    raw["lynx"] = _periods(sk.load_lynx())
    raw["PBS scripts"] = _periods(sk.load_PBS_dataset())
    y, x = sk.load_uschange()
    uschange = pd.concat([y, x], axis=1)
    for col in uschange.columns:
        raw[f"uschange {col}"] = pd.Series(
            uschange[col].to_numpy(), index=pd.date_range("1970-01-01", periods=len(y), freq="QS")
        )
    y, x = sk.load_longley()
    for col in pd.concat([y, x], axis=1).columns:
        raw[f"longley {col}"] = _periods(pd.concat([y, x], axis=1)[col])
    raw["seatbelts KSI"] = _seatbelts()
    return {name: TrendSeries.from_pandas(v.astype(float), name=name) for name, v in raw.items()}


def load_m1() -> dict[str, TrendSeries]:
    """aeon's copy of the M1 competition's 181 yearly series."""
    import aeon.datasets as ad

    path = Path(ad.__file__).parent / "data/m1_yearly_dataset/m1_yearly_dataset.tsf"
    frame, _ = ad.load_from_tsf_file(str(path))
    out = {}
    for row in frame.itertuples():
        values = np.asarray(row.series_value, dtype=float)
        # one series' start year lost its last digits (documented in the file): dates are nominal
        index = pd.date_range(
            f"{max(pd.Timestamp(row.start_timestamp).year, 1800)}-01-01",
            periods=len(values),
            freq="YS",
        )
        out[f"M1 {row.series_name}"] = TrendSeries(
            pd.Series(values, index=index), "year", f"M1 {row.series_name}"
        )
    return out


def _yearly(values: pd.Series) -> pd.Series:
    return pd.Series(
        values.to_numpy(), index=pd.to_datetime([f"{int(y)}-01-01" for y in values.index])
    )


def _periods(values: pd.Series) -> pd.Series:
    return pd.Series(values.to_numpy(), index=values.index.to_timestamp(how="start"))


def _seatbelts() -> pd.Series:
    import sktime

    path = Path(sktime.__file__).parent / "datasets/data/seatbelts/seatbelts.csv"
    frame = pd.read_csv(path, index_col=0, parse_dates=True)
    return frame["KSI"]


def evaluate(collection: dict[str, TrendSeries], origins: int, jobs: int) -> pd.DataFrame:
    """One row per held-out value: actual, forecast, bands, seasonal naive, scale, origin."""
    tasks: dict[int, dict[str, tuple[TrendSeries, int, pd.Series]]] = {}
    for name, s in collection.items():
        h = HORIZON[s.grain]
        for k in range(origins):
            end = len(s) - h - k * (h // 2)
            if end < MIN_LENGTH:
                continue
            train = s.with_values(s.values.iloc[:end])
            tasks.setdefault(h, {})[f"{name}@{k}"] = (train, k, s.values.iloc[end : end + h])
    rows = []
    for h, group in tasks.items():
        results = forecast_many({key: t[0] for key, t in group.items()}, h, jobs=jobs)
        for key, (train, k, actual) in group.items():
            res = results[key]
            y = train.values.interpolate(limit_direction="both").to_numpy()
            m = train.season_length if train.season_length and len(y) > train.season_length else 1
            naive = y[-m:][np.arange(h) % m]
            scale = np.mean(np.abs(y[m:] - y[:-m]))
            f = res.frame
            c = res.calibration
            # statsmodels' own band (never clipped)
            half80 = 1.2815515655446004 * np.asarray(c["analytic_sd"])
            half95 = 1.959963984540054 * np.asarray(c["analytic_sd"])
            rows.append(
                pd.DataFrame(
                    {
                        "series": key.rsplit("@", 1)[0],
                        "grain": train.grain,
                        "origin": k,
                        "step": np.arange(1, h + 1),
                        "actual": actual.to_numpy(),
                        "forecast": f["forecast"].to_numpy(),
                        "lower_80": f["lower_80"].to_numpy(),
                        "upper_80": f["upper_80"].to_numpy(),
                        "lower_95": f["lower_95"].to_numpy(),
                        "upper_95": f["upper_95"].to_numpy(),
                        "raw_lower_80": f["forecast"].to_numpy() - half80,
                        "raw_upper_80": f["forecast"].to_numpy() + half80,
                        "raw_lower_95": f["forecast"].to_numpy() - half95,
                        "raw_upper_95": f["forecast"].to_numpy() + half95,
                        "naive": naive,
                        "scale": scale if scale > 0 else np.nan,
                        "model": res.model,
                        "calibration": max(c["below"], c["above"]),
                        **{f"cal_{k}": v for k, v in c.items() if np.ndim(v) == 0},
                        "bt_horizon": res.backtest["horizon"],
                        "bt_origins": len(res.backtest["origins"]),
                        "bt_errors": [res.backtest["errors"]] * h,
                        "n_train": len(train),
                    }
                )
            )
    return pd.concat(rows, ignore_index=True)


def summarize(rows: pd.DataFrame, label: str) -> dict[str, object]:
    """Mean MASE (last origin) of forecast and seasonal naive; coverage over every origin."""
    rows = rows[rows["actual"].notna()]
    last = rows[rows["origin"] == 0]
    per = (
        last.groupby("series")
        .apply(
            lambda g: pd.Series(
                {
                    "ours": np.mean(np.abs(g["actual"] - g["forecast"])) / g["scale"].iloc[0],
                    "naive": np.mean(np.abs(g["actual"] - g["naive"])) / g["scale"].iloc[0],
                }
            ),
            include_groups=False,
        )
        .dropna()
    )

    def inside(lo: str, hi: str) -> float:
        return float(((rows["actual"] >= rows[lo]) & (rows["actual"] <= rows[hi])).mean())

    models = Counter(last.drop_duplicates("series")["model"])
    return {
        "set": label,
        "series": len(per),
        "MASE": per["ours"].mean(),
        "MASE naive": per["naive"].mean(),
        "better by": 1 - per["ours"].mean() / per["naive"].mean(),
        "forecasts": len(rows.drop_duplicates(["series", "origin"])),
        "cover 80": inside("lower_80", "upper_80"),
        "cover 95": inside("lower_95", "upper_95"),
        "analytic 80": inside("raw_lower_80", "raw_upper_80"),
        "analytic 95": inside("raw_lower_95", "raw_upper_95"),
        "widened": float((rows.drop_duplicates(["series", "origin"])["calibration"] > 1).mean()),
        "models": ", ".join(f"{m} {n}" for m, n in models.most_common(4)),
    }


def ablation(collection: dict[str, TrendSeries]) -> pd.DataFrame:
    """Mean MASE on the last horizon of each fixed choice: the best ETS by AICc alone, Theta
    alone, seasonal naive, and `forecast`'s choice among them (what the backtest adds)."""
    from pulsebi.trends.forecast import forecast, prepare_values
    from pulsebi.trends.forecast_models import Spec, fit_spec
    from pulsebi.trends.forecast_select import fit_family

    rows = []
    for name, s in collection.items():
        h = HORIZON[s.grain]
        train, actual = s.with_values(s.values.iloc[:-h]), s.values.iloc[-h:].to_numpy()
        y, period, _ = prepare_values(train, h)
        m = train.season_length if train.season_length and len(y) > train.season_length else 1
        scale = np.mean(np.abs(y[m:] - y[:-m]))
        family = sorted(fit_family(y, period), key=lambda fit: fit.aicc)
        points = {
            "ETS by AICc": family[0].point(h),
            "Theta": fit_spec(Spec("theta", period), y).point(h),
            "seasonal naive": y[-m:][np.arange(h) % m],
            "forecast (chosen)": forecast(train, h).frame["forecast"].to_numpy(),
        }
        ok = ~np.isnan(actual)
        for strategy, point in points.items():
            mase = np.mean(np.abs(actual[ok] - point[ok])) / scale
            rows.append(
                {
                    "set": "M1" if name.startswith("M1 ") else "named",
                    "strategy": strategy,
                    "MASE": mase,
                }
            )
    table = pd.DataFrame(rows).groupby(["strategy", "set"])["MASE"].mean().unstack("set")
    return table.round(3)


def synthetic(n_series: int, seed: int = 1) -> dict[str, TrendSeries]:
    """Random walks with drift and a sine season of random amplitude, 60-120 months each."""
    rng = np.random.default_rng(seed)
    out = {}
    for i in range(n_series):
        n = int(rng.integers(60, 121))
        season = rng.uniform(0, 20) * np.sin(np.arange(n) * 2 * np.pi / 12 + rng.uniform(0, 6))
        y = 200 + np.cumsum(rng.normal(0.3, 3, n)) + season
        index = pd.date_range("2015-01-01", periods=n, freq="MS")
        out[f"s{i}"] = TrendSeries(pd.Series(y, index=index), "month", f"s{i}")
    return out


def measure_speed(n_series: int, jobs: int) -> dict[str, object]:
    """Wall and CPU time of forecast_many (12 months ahead) on `n_series` synthetic series."""
    series = synthetic(n_series)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    own = time.process_time()
    start = time.perf_counter()
    results = forecast_many(series, 12, jobs=jobs)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    cpu += time.process_time() - own
    return {
        "series": len(results),
        "jobs": jobs,
        "wall s": round(wall, 1),
        "CPU s": round(cpu, 1),
        "ms CPU / series": round(cpu / len(results) * 1000, 1),
        "models": ", ".join(
            f"{m} {n}" for m, n in Counter(r.model for r in results.values()).most_common(4)
        ),
    }


def measure_cli(n_series: int, jobs: int) -> dict[str, object]:
    """`pulsebi trends forecast --input FILE.csv --horizon 12` on the synthetic series, end to end
    (process start, CSV read, forecasts, JSON written)."""
    import subprocess
    import tempfile

    series = synthetic(n_series)
    frame = pd.concat(
        pd.DataFrame({"series": key, "date": s.values.index.date, "value": s.values.to_numpy()})
        for key, s in series.items()
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "monthly.csv"
        frame.to_csv(path, index=False)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        out = subprocess.run(
            [
                "pulsebi",
                "trends",
                "forecast",
                "--input",
                str(path),
                "--horizon",
                "12",
                "--format",
                "json",
                "--jobs",
                str(jobs),
            ],
            capture_output=True,
            check=True,
        )
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return {
        "command": "pulsebi trends forecast --horizon 12 --format json",
        "series": n_series,
        "rows in": len(frame),
        "JSON bytes": len(out.stdout),
        "wall s": round(wall, 1),
        "CPU s": round(cpu, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--origins", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--speed-series", type=int, default=1000)
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--skip-accuracy", action="store_true")
    parser.add_argument("--save", type=Path, help="write every held-out row to this pickle")
    parser.add_argument("--ablation", action="store_true", help="MASE of each fixed choice too")
    args = parser.parse_args()
    print(f"{datetime.now():%Y-%m-%d %H:%M}, load average {os.getloadavg()[0]:.2f}")
    pd.set_option("display.width", 200)
    pd.set_option("display.max_columns", 20)
    if not args.skip_accuracy:
        start = time.perf_counter()
        named, m1 = load_named(), load_m1()
        rows = evaluate({**named, **m1}, args.origins, args.jobs)
        if args.save:
            rows.to_pickle(args.save)
        is_m1 = rows["series"].str.startswith("M1 ")
        table = [
            summarize(rows[~is_m1 & (rows["grain"] == grain)], f"named, {grain}ly")
            for grain in ("month", "quarter", "year")
        ]
        table += [summarize(rows[~is_m1], "named, all"), summarize(rows[is_m1], "M1 yearly")]
        table += [summarize(rows, "all")]
        frame = pd.DataFrame(table)
        print(frame.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
        print(f"accuracy and coverage in {time.perf_counter() - start:.0f} s")
        if args.ablation:
            print(ablation({**named, **m1}).to_string())
    if not args.skip_speed:
        print(pd.DataFrame([measure_speed(args.speed_series, args.jobs)]).to_string(index=False))
        print(f"load average {os.getloadavg()[0]:.2f}")
        print(pd.DataFrame([measure_cli(args.speed_series, args.jobs)]).to_string(index=False))
        print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
