"""``model_card.md``: a model directory's metadata.json for a reader (a pure function of it)."""

from __future__ import annotations

import json
import math
from typing import Any

import pandas as pd

from autogets_ray.reporting.render import markdown_table


def _num(value: Any, digits: int = 4) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{float(value):.{digits}f}"


def _delta(new: Any, old: Any) -> str:
    if new is None or old is None or any(isinstance(v, float) and math.isnan(v) for v in (new, old)):
        return "n/a"
    return f"{float(new) - float(old):+.4f}"


def _comparison(meta: dict[str, Any], split: str) -> str:
    """Per class and overall: M0 against the exported model on one split."""
    m0, exported = meta["metrics"]["m0"][split], meta["metrics"]["exported"][split]
    counts = meta["training_set"]["by_class"]
    rows = []
    for name in meta["data"]["classes"]:
        added = counts[name]["synthetic"] + counts[name]["duplicate"]
        row = {"class": name, "training rows (added)": f"{counts[name]['real']} (+{added})"}
        for metric in ("cr", "cba", "f1"):
            key = f"{metric}[{name}]"
            row[f"M0 {metric.upper()}"] = _num(m0.get(key))
            row[f"exported {metric.upper()}"] = _num(exported.get(key))
        row["ΔCBA"] = _delta(exported.get(f"cba[{name}]"), m0.get(f"cba[{name}]"))
        rows.append(row)
    table = markdown_table(pd.DataFrame(rows))
    overall = pd.DataFrame(
        [
            {
                "metric": key,
                "M0": _num(m0.get(key)),
                "exported": _num(exported.get(key)),
                "Δ": _delta(exported.get(key), m0.get(key)),
            }
            for key in ("accuracy", "oba", "of1", "macro_recall")
        ]
    )
    return table + "\n\nOverall:\n\n" + markdown_table(overall)


def _selection(meta: dict[str, Any]) -> list[str]:
    sel = meta["selection"]
    lines = []
    if sel["mode"] == "recommended":
        lines.append(
            f"Mode `recommended`: per target class the experiment's recommendation on objective "
            f"`{sel['objective']}`; where several searches recommend for a class, the largest validation "
            f"gain over M0 wins (ties: the simpler choice). Test never decides."
        )
        frame = pd.DataFrame(
            [
                {
                    "class": d["target_class"],
                    "recommendation": d["recommendation"],
                    "kind": d["recommendation_kind"],
                    "from search": d["search_id"],
                    "searches compared": d["searches_compared"],
                    "val Δ": _num(d["recommended_val_delta"]),
                    "test Δ (reported)": _num(d.get("recommended_test_delta")),
                    "reason": d["recommendation_reason"],
                }
                for d in sel["decisions"]
            ]
        )
        lines.append(markdown_table(frame))
    elif sel["mode"] == "search":
        d = sel["decisions"][0]
        lines.append(
            f"Mode `search`: search `{d['search_id']}` (class {d['target_class']}, strategy "
            f"{d.get('strategy', '?')}, objective {d.get('objective', '?')}, {d.get('trials', '?')} trials), "
            f"candidate `{d['candidate_id']}`: {d['chosen_as']}. The search's own recommendation: "
            f"`{d.get('recommendation', '?')}` ({d.get('recommendation_reason', '')})."
        )
    else:
        ens = sel["ensemble"] or {}
        lines.append(
            f"Mode `ensemble`: the accepted steps of ensemble `{ens.get('name')}` (requirement "
            f"{ens.get('requirement')}, parameters `{json.dumps(ens.get('parameters', {}))}`); it stopped: "
            f"{(ens.get('termination') or {}).get('detail', 'n/a')}."
        )
    if sel["parts"]:
        parts = pd.DataFrame(
            [{"added to M0": p["description"], "class": p["target_class"]} for p in sel["parts"]]
        )
        lines.append(markdown_table(parts))
    else:
        lines.append("Nothing is added to M0: the exported model is M0 (real training rows only).")
    if sel["combined"]:
        lines.append(
            "**Combined:** the parts above were each measured alone by the experiment; this combination was "
            "measured only at export (the tables below)."
        )
    if sel["fit_options"]:
        lines.append(f"Model options of the fit beyond the config's: `{json.dumps(sel['fit_options'])}`.")
    return lines


def _baselines(meta: dict[str, Any]) -> str:
    rows = meta["baselines"]
    if not rows:
        return "The experiment ran no no-search baselines."
    frame = pd.DataFrame(rows)
    frame["val_objective"] = frame["val_objective"].map(_num)
    frame["test_objective"] = frame["test_objective"].map(_num)
    return markdown_table(frame.rename(columns={"target_class": "class"}))


def render_card(meta: dict[str, Any]) -> str:
    """The model card's Markdown."""
    model, data, ts, gen, metrics = (
        meta["model"],
        meta["data"],
        meta["training_set"],
        meta["generation"],
        meta["metrics"],
    )
    out = [f"# Model card: {model['name']} ticket classifier ({data['dataset']})"]
    out.append(
        f"Exported by autogets-ray {meta['created_by']['version']} on {meta['created_at']} from "
        f"`{meta['source']['results_dir']}`. {len(data['classes'])} classes: {', '.join(data['classes'])}."
    )
    if meta["warnings"]:
        out.append("## Warnings")
        out.append("\n".join(f"- **{w}**" for w in meta["warnings"]))
    out.append("## Use")
    out.append(
        "```bash\nautogets predict MODEL_DIR --input tickets.csv --text-column text --out predictions.csv\n```\n\n"
        '```python\nimport autogets_ray\nmodel = autogets_ray.load_model("MODEL_DIR")\n'
        'model.predict(["my laptop will not start"])\n```\n\n'
        f"Scores (`score[<class>]` columns) are the model's {model['score_kind'].replace('_', ' ')} values. "
        f"Files: {', '.join(f'`{f}`' for f in model['files'])} (the fitted model and featuriser), "
        f"`metadata.json`, `{ts['file']}`. Loading needs no Ray."
    )
    out.append("## How it was chosen")
    out += _selection(meta)
    out.append("## Data and split")
    sizes = data["split_sizes"]
    out.append(
        f"Dataset `{data['dataset']}` (text column `{data['text_column']}`, label column "
        f"`{data['label_column']}`, content fingerprint `{data['source_fingerprint'][:16]}`), split seed "
        f"{data['split_seed']}: {sizes['train']} train, {sizes['val']} validation, {sizes['test']} test rows "
        f"(stratified 80/20, then 80/20). Validation selects; test is only reported."
    )
    out.append("## Training set")
    out.append(
        f"Fitted on **{ts['refit_on']}**: {ts['rows']} rows = {ts['real_rows']} real + {ts['synthetic_rows']} "
        f"synthetic + {ts['duplicate_rows']} duplicated real rows, listed in `{ts['file']}` in the order they "
        f"were fitted, with provenance (source example id, backend, model, prompt template and version, "
        f"sample index, which choice added the row)."
    )
    out.append("## Generation settings")
    if gen["generators"]:
        frame = pd.DataFrame(gen["generators"])
        out.append(markdown_table(frame))
    else:
        out.append("No synthetic sample is in the training set.")
    out.append(
        f"The experiment's `llm:` block: `{json.dumps(gen['llm'])}`; the generation parameters: "
        f"`{json.dumps(gen['settings'])}`."
        + (
            f" {gen['regenerated_examples']} example(s) were regenerated (not in the cache)."
            if gen["regenerated_examples"]
            else ""
        )
    )
    out.append("## M0 vs the exported model: validation")
    if metrics["exported_val_in_training"]:
        out.append("*The exported model was fitted on validation too: its numbers here are in-sample.*")
    out.append(_comparison(meta, "val"))
    out.append("## M0 vs the exported model: test")
    out.append(_comparison(meta, "test"))
    out.append("## Reproduction check")
    rep = metrics["reproduction"]
    if rep.get("reproduced") is None:
        out.append(f"Not applicable: {rep.get('note', 'nothing recorded')}.")
    else:
        verdict = "reproduces" if rep["reproduced"] else "does NOT reproduce"
        out.append(
            f"Refit on train, the chosen configuration {verdict} the metrics recorded in "
            f"{metrics['recorded']['source']} ({rep['compared']} metrics on {' and '.join(rep['splits'])}, "
            f"largest difference {rep['max_abs_difference']:.3g})."
        )
    out.append("## No-search baselines (the experiment's)")
    out.append(_baselines(meta))
    out.append("## Package versions")
    out.append(", ".join(f"{k} {v}" for k, v in meta["packages"].items()))
    return "\n\n".join(out) + "\n"
