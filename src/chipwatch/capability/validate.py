"""Predict every mappable row of a truth CSV and report the errors.

Rows use the column format of ``perf_truth_dev.csv``. Free-text hardware, model,
parallelism and precision fields are parsed; rows that cannot be mapped carry a
``skipped_reason``. Microbenchmark rows are predicted from the calibrated fractions
(in-sample for the rows the fractions were derived from; a real test on other chips).
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .calibrate import Efficiency, efficiency, read_truth
from .hardware import Hardware, HardwareError, from_chip
from .inference import MTP_ACCEPTANCE, Parallel, Precision, Scenario, all_to_all_time
from .mapping import map_hardware, map_model
from .training import (
    DEFAULT_CLUSTER,
    DEFAULT_VP,
    PUBLISHED_RUNS,
    TrainingRun,
    TrainParallel,
    default_parallel,
)
from .workloads import BYTES, Model

#: Global batch when neither the row nor the table gives one (large pre-training runs use 4-64M).
DEFAULT_BATCH_TOKENS = 16 * 2**20


class Skip(Exception):
    """This row cannot be predicted; the message says why."""


@dataclass
class Row:
    fields: Mapping[str, str]

    def get(self, key: str) -> str:
        return (self.fields.get(key) or "").strip()

    def number(self, key: str) -> float | None:
        m = re.search(r"\d+(?:\.\d+)?", self.get(key).replace(",", ""))
        return float(m.group()) if m else None


def parse_parallel(text: str, chips: int, model: Model, domain: int = 8) -> Parallel:
    """The serving layout a free-text description names. Expert parallelism that spans more than
    one scale-up ``domain`` without a named attention layout runs attention data-parallel, as
    multi-node EP deployments do (SGLang, DeepSeek, TRT-LLM wide-EP): tensor parallelism never
    crosses the scale-out network."""
    t = text.upper()

    def grab(pattern: str) -> int | None:
        m = re.search(pattern, t)
        return int(m.group(1)) if m else None

    dep = grab(r"\bDEP(\d+)")
    tp = grab(r"(?<![A-Z])TP(\d+)") or 1
    ep = grab(r"\bEP(\d+)") or (dep or 1)
    dp = dep or grab(r"ATTNDP(\d+)") or grab(r"\bDP(\d+)-ATTN") or grab(r"ATTENTION DP(\d+)")
    pp = grab(r"\bPP(\d+)") or 1
    if dep:
        tp = 1
    squashed = re.sub(r"[\s_-]", "", t)
    attention_dp = any(w in squashed for w in ("DPATTN", "DPATTENTION", "ATTNDP", "ATTENTIONDP"))
    if dp is None and attention_dp and ep > 1:
        dp = ep
    dp = dp or 1
    if not model.is_moe:
        ep = 1
    if tp * dp * pp != chips and chips:
        if tp == 1 and dp == 1 and model.is_moe and ep > 1 and chips // pp > domain:
            dp = chips // pp
        elif tp == 1 and dp == 1:
            tp = chips // pp
        elif (tp * dp * pp) < chips and chips % (tp * pp) == 0 and dp == 1 and ep > tp:
            dp = chips // (tp * pp)
    ep = min(ep, tp * dp)
    if model.is_moe and (tp * dp) % ep:
        ep = 1
    return Parallel(tp=tp, dp=dp, ep=ep, pp=pp)


def parse_precision(text: str, model: Model) -> Precision:
    t = text.lower()
    if "fp4" in t:
        weights = "fp4"
    elif "fp8" in t or "int8" in t:
        weights = "int8" if "int8" in t and "fp8" not in t else "fp8"
    elif "bf16" in t or "fp16" in t or "default" in t:
        weights = "bf16"
    else:
        weights = model.native_precision.get("weights", "bf16")
    experts = "mxfp4" if "mxfp4" in t else None
    kv = (
        "fp8"
        if re.search(r"kv fp8|fp8 kv|fp8 \(kv fp8\)|kv\W*fp8|fp8 mla|fp8 attention", t)
        else "bf16"
    )
    return Precision(weights=weights, experts=experts, kv=kv)


def _chips(row: Row) -> int:
    """Chips in the measured instance; "8 per node" rows take the node count from the layout."""
    nodes = re.search(r"(\d+)\s*nodes", row.get("parallelism"))
    if "per node" in row.get("n_chips") and nodes:
        return int(nodes.group(1)) * 8
    kilo = re.search(r"(\d+)\s*K\b", row.get("n_chips"), re.IGNORECASE)  # "16K-class cluster"
    if kilo:
        return int(kilo.group(1)) * 1024
    n = row.number("n_chips")
    return int(n) if n else 1


def _setup(row: Row) -> tuple[Model, Hardware]:
    model = map_model(row.get("model"))
    if model is None:
        raise Skip(f"model {row.get('model')!r} is not in the workload files")
    chip = map_hardware(row.get("hardware"))
    if chip is None:
        raise Skip(f"hardware {row.get('hardware')!r} is not in the catalog")
    try:
        return model, from_chip(chip)
    except HardwareError as exc:
        raise Skip(str(exc)) from None


#: Requests per concurrency slot in a serving benchmark whose rows give a fixed concurrency: the
#: InferenceMAX runs behind the aiconfigurator silicon corpus use ``--num-prompts CONC x 10`` with
#: ``--request-rate inf`` (github.com/InferenceMAX/InferenceMAX), so one round in ten is a ramp-up.
BENCHMARK_ROUNDS = 10


def _serving_quantity(metric: str) -> str | None:
    """What a serving metric measures, whatever its engine calls it ("itl_median" and vLLM's
    "median_tpot_ms" are TPOT)."""
    if re.search(r"(?:^|_)p9\d(?:_|$)|percentile", metric):
        return "percentile"
    metric = re.sub(r"^(?:mean|median|avg|average|p50)_", "", metric)
    if re.match(r"(tpot|itl|tbt|inter_token)", metric):
        return "tpot"
    if metric.startswith("ttft"):
        return "ttft"
    if re.match(r"(e2el|e2e|end_to_end|request_latency)", metric):
        return "e2e"
    if "per_user" in metric or "interactivity" in metric:
        return "user"
    if "decode" in metric or "prefill" in metric:
        return None
    if metric.startswith("request_throughput") or "requests_per" in metric:
        return "requests"
    if re.match(r"(total_token|input_output|tokens_total)", metric):
        return "tokens"
    if "throughput" in metric or "tokens_per_s" in metric:
        return "output"
    return None


def parse_mtp(text: str, model: Model) -> tuple[int, float]:
    """Draft tokens and acceptance of the multi-token prediction a row names: "MTP(1 step, 2
    draft)" and "MTP(1,2)" are SGLang's one speculative step (one draft token, two tokens
    verified); "60% accept" sets the acceptance. (0, default) for models without an MTP module."""
    m = re.search(r"(?<!no )(?<!without )(?<!w/o )\bmtp\b(?!\s*(?:off|disabled))(?:\s*\(\s*(\d+)\s*(?=[,)]|steps?\b))?", text.lower())
    if not m or not model.mtp_layers:
        return 0, MTP_ACCEPTANCE
    accept = re.search(r"(\d+(?:\.\d+)?)\s*%\s*accept", text.lower())
    return int(m.group(1) or 1), float(accept.group(1)) / 100 if accept else MTP_ACCEPTANCE


def predict_infer(row: Row) -> float:
    metric = row.get("metric").lower()
    if metric.startswith(("avg_nodes", "input_tokens_per_day", "output_tokens_per_day")):
        raise Skip("fleet statistic, not a configuration the model can run")
    if "production" in row.get("concurrency").lower():
        raise Skip("a production average under unknown load and cache-hit mix")
    if metric.startswith("mlperf"):
        raise Skip("MLPerf dataset input/output lengths are not in the row")
    model, hw = _setup(row)
    chips = _chips(row)
    par = parse_parallel(row.get("parallelism"), chips, model, hw.domain)
    prec = parse_precision(row.get("precision"), model)
    isl, osl = row.number("isl"), row.number("osl")
    conc_text = row.get("concurrency").lower()
    conc = row.number("concurrency")
    per_gpu = bool(re.search(r"(?:seqs?|sequences|tokens)\s*/\s*(?:gpu|npu|chip|xpu|device)", conc_text))
    mtp, acceptance = parse_mtp(row.get("parallelism"), model)
    scn = Scenario(
        model, hw, par, prec, int(isl or 1024), int(osl or 1024), mtp=mtp, mtp_acceptance=acceptance
    )
    fit = scn.memory_report()
    if not fit["fits"]:
        raise Skip(f"the weights do not fit: {fit['weights_per_chip_gb']:.0f} GB per chip")
    node = 8
    quantity = _serving_quantity(metric)
    if quantity in ("tpot", "ttft", "e2e", "user"):
        if conc is None or isl is None or osl is None:
            raise Skip("needs isl, osl and concurrency")
        out = scn.serve(np.array([conc]), rounds=BENCHMARK_ROUNDS)
        tpot, ttft = float(out["tpot_s"][0]), float(out["ttft_s"][0])
        in_seconds = row.get("unit").lower().strip() in ("s", "sec", "seconds", "second")
        scale = 1.0 if in_seconds else 1000.0  # latencies are in ms unless the row says seconds
        return {
            "tpot": tpot * scale,
            "ttft": ttft * scale,
            "e2e": (ttft + (osl - 1) * tpot) * scale,
            "user": 1 / tpot,
        }[quantity]
    if quantity in ("output", "tokens", "requests"):
        c = (
            conc
            if (
                conc
                and "max" not in conc_text
                and "offline" not in conc_text
                and "high" not in conc_text
            )
            else scn.max_concurrency()
        )
        if not c:
            raise Skip("no concurrency fits in memory")
        per_chip = float(scn.serve(np.array([c]))["tokens_per_s_per_chip"][0])
        per_chip *= {"output": 1.0, "tokens": (scn.isl + scn.osl) / scn.osl, "requests": 1 / scn.osl}[
            quantity
        ]
        unit = row.get("unit").lower()
        per_chip_given = re.search(r"per_(?:gpu|chip|npu)|/(?:gpu|chip|npu)", f"{metric} {unit}")
        system = ("total" in metric or "system" in unit) and not per_chip_given
        return per_chip * (chips if system else node if "node" in metric else 1)
    if quantity == "percentile":
        raise Skip("tail percentiles are not modelled (the model gives means)")
    if "decode" in metric and "throughput" in metric:
        batch = (conc or 0) * par.chips if per_gpu else (conc or scn.max_concurrency())
        if not batch:
            raise Skip("no batch size")
        ctx = (isl or 1024) + (osl or 0) / 2
        step = float(scn.step_time(np.array([batch]), ctx)["total"][0])
        per_chip = batch * scn.tokens_per_step() / step / par.chips
        return per_chip * (node if "node" in metric else 1)
    if "prefill" in metric and "throughput" in metric:
        tokens_per_gpu = conc if (conc and per_gpu and "token" in conc_text) else 16384
        total = tokens_per_gpu * par.chips
        t = float(scn.prefill_time(np.array([total]))[0])
        per_chip = total / t / par.chips
        return per_chip * (node if "node" in metric else 1)
    raise Skip(f"metric {row.get('metric')!r} is not modelled")


def _train_parallel(text: str, model: Model, hw: Hardware, chips: int) -> TrainParallel:
    t = text.upper()

    def grab(pattern: str) -> int | None:
        m = re.search(pattern, t)
        return int(m.group(1)) if m else None

    if not re.search(r"\b(?:TP|PP|EP|CP)\d+", t):
        return default_parallel(model, hw, chips)
    ep = grab(r"\bEP(\d+)") or 1
    if not model.is_moe:
        ep = 1
    mbs = grab(r"MBS(\d+)") or 1
    return TrainParallel(
        tp=grab(r"\bTP(\d+)") or 1,
        pp=grab(r"\bPP(\d+)") or 1,
        ep=ep,
        cp=grab(r"\bCP(\d+)") or 1,
        vp=grab(r"\bVP(\d+)") or (DEFAULT_VP if (grab(r"\bPP(\d+)") or 1) > 1 else 1),
        micro_batch=mbs,
    )


def predict_train(row: Row) -> float:
    metric = row.get("metric").lower()
    if metric in ("pretraining_tokens",):
        raise Skip("an input of the run, not a prediction")
    if "context_extension" in metric:
        raise Skip("the tokens of the context-extension phases are not in the row")
    model, hw = _setup(row)
    chips = _chips(row) if row.number("n_chips") else 0
    published = PUBLISHED_RUNS.get(model.id)
    seq = int(row.number("isl") or (published.seq_len if published else 4096))
    if not chips:
        chips = DEFAULT_CLUSTER
    par = _train_parallel(row.get("parallelism"), model, hw, chips)
    text = row.get("precision").lower()
    precision = (
        "fp8_block"
        if ("block" in text or "mxfp8" in text or (model.id == "deepseek-v3" and "fp8" in text))
        else ("fp8" if "fp8" in text else "bf16")
    )
    gbs = row.get("parallelism").upper()
    gbs_seqs = re.search(r"GBS(\d+)", gbs)
    batch_tokens = (
        float(gbs_seqs.group(1)) * seq
        if gbs_seqs
        else (published.global_batch_tokens if published else DEFAULT_BATCH_TOKENS)
    )
    m16 = re.search(r"(\d+)M tokens/batch", row.get("concurrency") + " " + row.get("osl"))
    if m16:
        batch_tokens = float(m16.group(1)) * 2**20
    run = TrainingRun(model, hw, chips, 1e12, par, precision, seq, batch_tokens)
    if metric.startswith("gpu_hours") or metric.startswith("training_cost"):
        if not published:
            raise Skip(f"training tokens of {model.name} are not known to chipwatch")
        tokens = 1e12 if "per_trillion" in metric else published.tokens
        run.tokens = tokens
        run.goodput = published.goodput
        result = run.result(whole_run="per_trillion" not in metric)
        if metric.startswith("training_cost"):
            price = re.search(r"(\d+(?:\.\d+)?)\s*USD/GPU-h", row.get("notes") + row.get("unit"))
            rate = float(price.group(1)) if price else 2.0
            return float(result["gpu_hours"]) * rate / 1e6
        return float(result["gpu_hours"])
    if metric.startswith("mfu"):
        return run.achieved_mfu()
    if "tflops" in metric:
        return run.model_flops_per_s_per_chip() / 1e12
    if re.search(r"tokens_per_s|tokens_per_gpu|throughput", metric):
        return run.tokens_per_s_per_chip() * (chips if "total" in metric else 1)
    if "step_time" in metric or "iteration_time" in metric:
        seconds = batch_tokens / (run.tokens_per_s_per_chip() * chips)
        return seconds * (1000 if "ms" in row.get("unit").lower() else 1)
    raise Skip(f"metric {row.get('metric')!r} is not modelled")


def predict_micro(row: Row) -> float:
    chip = map_hardware(row.get("hardware"))
    if chip is None:
        raise Skip(f"hardware {row.get('hardware')!r} is not in the catalog")
    hw = from_chip(chip)
    e = efficiency(hw.vendor)
    metric, prec, unit = (
        row.get("metric").lower(),
        row.get("precision").lower(),
        row.get("unit").lower(),
    )
    if "weight_read" in metric:
        return hw.hbm_bw * e.hbm_weights / 1e9
    if "gemm" in metric and "tflops" in unit:
        key = "fp8_block" if "block" in prec else ("fp8" if "fp8" in prec else "bf16")
        peak = hw.compute_peak("fp8" if key != "bf16" else "bf16")
        frac = e.gemm[key]
        size = re.search(r"(\d+)\^3", metric)
        if size:
            flops = 2.0 * int(size.group(1)) ** 3
            return flops / (flops / (peak * frac) + 3 * e.kernel_latency) / 1e12
        return peak * frac / 1e12
    if metric.startswith(("hbm", "flashmla_dense_decode_memory")):
        gbps = hw.hbm_bw * e.hbm_stream / 1e9
        return gbps / 1000 if unit.startswith("tb") else gbps
    if (
        ("attention" in metric or "flashmla" in metric or "fmha" in metric)
        and "tflops" in unit
        and "sparse" not in metric
    ):
        return hw.compute_peak("bf16") * e.attention / 1e12
    if metric.startswith("nccl_allreduce"):
        n = int(float(row.get("n_chips") or 8))
        if n > 8:
            return hw.link_bw * e.allreduce_bw * e.scale_out_allreduce / 1e9
        size = re.search(r"_(\d+)(kb|mb|gb)", metric)
        bw = hw.link_bw * e.allreduce_bw
        if size:
            nbytes = (
                float(size.group(1))
                * {"kb": 1e3, "mb": 1e6, "gb": 1e9}[size.group(2)]
                * 2
                * (n - 1)
                / n
            )
            return nbytes / (e.allreduce_latency + nbytes / bw) / 1e9
        return bw / 1e9
    if metric.startswith("nccl_allgather"):
        return hw.link_bw * e.allgather_bw / 1e9
    ep = re.search(r"deepep_.*_ep(\d+)$", metric)
    if ep and "_latency_" in metric:
        return _low_latency_dispatch_us(row, hw, e, int(ep.group(1)))
    if ep and "lowlatency" not in metric:
        if int(ep.group(1)) <= hw.domain:
            return hw.link_bw * e.a2a_intra / 1e9
        return hw.scale_out_bw * e.a2a_inter / 1e9
    raise Skip(f"microbenchmark {row.get('metric')!r} is not modelled")


def _low_latency_dispatch_us(row: Row, hw: Hardware, e: Efficiency, ep: int) -> float:
    """A decode-style dispatch of the batch the row's notes describe ('128 tok/batch, hidden 7168,
    top-8, FP8'), with the serving model's all-to-all term."""
    notes = row.get("notes").lower()
    tokens, hidden, k = (
        re.search(pattern, notes) for pattern in (r"(\d+) tok/batch", r"hidden (\d+)", r"top-(\d+)")
    )
    if not (tokens and hidden and k):
        raise Skip("batch, hidden size or top-k of the dispatch not in the notes")
    nbytes = float(tokens.group(1)) * float(k.group(1)) * float(hidden.group(1)) * BYTES["fp8"]
    return float(all_to_all_time(hw, e, ep, nbytes)) * 1e6


PREDICTORS = {"infer": predict_infer, "train": predict_train, "micro": predict_micro}


def validate(rows: Sequence[Mapping[str, str]]) -> dict[str, Any]:
    """Per-row predictions and summary statistics (the public ``validate`` JSON)."""
    out_rows = []
    timings = []
    for raw in rows:
        row = Row(raw)
        record: dict[str, Any] = {
            k: raw.get(k)
            for k in (
                "kind", "model", "hardware", "n_chips", "precision", "parallelism",
                "isl", "osl", "concurrency", "metric", "unit", "source_url",
            )
        }
        chip = map_hardware(row.get("hardware"))
        record["chip"] = chip.name if chip else None
        measured = row.number("value")
        record["measured"] = measured
        predictor = PREDICTORS.get(row.get("kind"))
        try:
            if predictor is None:
                raise Skip(f"unknown kind {row.get('kind')!r}")
            if measured is None or measured == 0:
                raise Skip("no measured value")
            start = time.perf_counter()
            predicted = predictor(row)
            timings.append(time.perf_counter() - start)
        except Skip as exc:
            record["skipped_reason"] = str(exc)
        except (ValueError, ZeroDivisionError, KeyError) as exc:
            record["skipped_reason"] = f"could not model this row: {exc}"
        else:
            record["predicted"] = predicted
            record["error_pct"] = (predicted - measured) / measured * 100
        out_rows.append(record)
    return {
        "rows": out_rows,
        "summary": summarize(out_rows),
        "seconds_per_prediction": statistics.median(timings) if timings else None,
    }


def _stats(errors: list[float]) -> dict[str, Any]:
    if not errors:
        return {"n": 0, "median_abs_error_pct": None, "p90_abs_error_pct": None}
    abs_err = sorted(abs(e) for e in errors)
    return {
        "n": len(errors),
        "median_abs_error_pct": round(statistics.median(abs_err), 1),
        "p90_abs_error_pct": round(float(np.percentile(abs_err, 90)), 1),
        "median_signed_error_pct": round(statistics.median(errors), 1),
    }


THROUGHPUT_METRICS = ("throughput", "tokens_per_sec", "tpot")


def summarize(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    mapped = [r for r in rows if "error_pct" in r]
    summary: dict[str, Any] = {
        "mapped": len(mapped),
        "total": len(rows),
        **_stats([r["error_pct"] for r in mapped]),
    }
    summary["by_kind"] = {
        k: _stats([r["error_pct"] for r in mapped if r["kind"] == k])
        for k in sorted({r["kind"] for r in rows})
    }
    summary["by_kind"]["infer_throughput"] = _stats(
        [
            r["error_pct"]
            for r in mapped
            if r["kind"] == "infer" and any(t in r["metric"] for t in THROUGHPUT_METRICS)
        ]
    )
    chips = sorted({str(r["chip"]) for r in mapped})
    summary["by_hardware"] = {
        h: _stats([r["error_pct"] for r in mapped if str(r["chip"]) == h]) for h in chips
    }
    summary["mapped_by_kind"] = {
        k: f"{sum(1 for r in mapped if r['kind'] == k)}/{sum(1 for r in rows if r['kind'] == k)}"
        for k in sorted({r["kind"] for r in rows})
    }
    return summary


def validate_file(path: str) -> dict[str, Any]:
    return validate(read_truth(path))
