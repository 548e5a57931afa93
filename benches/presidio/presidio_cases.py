#!/usr/bin/env python3
"""Turn Presidio's own analyzer test files into `score.py presidio` cases.

usage: presidio_cases.py TESTS_DIR --gold GOLD.jsonl --texts TEXTS.jsonl

TESTS_DIR is `presidio-analyzer/tests` of a Presidio checkout (not shipped with this
repository: get it from Presidio's public repository or its sdist). Every test module that
declares an `entities` fixture and parametrizes `text, expected_len, expected_positions, ...`
gives one case per parameter row: the expected spans of the module's first entity. Rows
whose positions are not literal (or whose count disagrees with `expected_len`) are skipped.
The files are parsed with `ast`, never imported or run. Output:
  --gold  {"id","entity","text","expected_spans":[[start,end],...],"source"}
  --texts {"id","text"}    (input for `wcp detect --min-score 0`)
"""
import argparse, ast, json, pathlib, sys


TEXT_KEYS = ("text", "iban")
POS_KEYS = ("expected_positions", "expected_res", "expected_position")


def literal(node):
    try:
        return ast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError):
        return None


def module_entities(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == "entities":
            for sub in ast.walk(node):
                if isinstance(sub, ast.Return) and sub.value is not None:
                    v = literal(sub.value)
                    if isinstance(v, list) and v and all(isinstance(x, str) for x in v):
                        return v
    return None


def param_rows(tree):
    """(argnames, rows) of every @pytest.mark.parametrize in the module."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        if not (isinstance(f, ast.Attribute) and f.attr == "parametrize" and len(node.args) >= 2):
            continue
        names = literal(node.args[0])
        if isinstance(names, str):
            names = [n.strip() for n in names.split(",")]
        if not isinstance(names, (list, tuple)):
            continue
        rows = node.args[1]
        if isinstance(rows, (ast.List, ast.Tuple)):
            yield list(names), [literal(r) for r in rows.elts]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tests_dir")
    ap.add_argument("--gold", required=True)
    ap.add_argument("--texts", required=True)
    a = ap.parse_args()
    n = 0
    kept_by = {}
    with open(a.gold, "w", encoding="utf-8") as g, open(a.texts, "w", encoding="utf-8") as t:
        for path in sorted(pathlib.Path(a.tests_dir).glob("test_*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            ents = module_entities(tree)
            for names, rows in param_rows(tree):
                it = next((names.index(k) for k in TEXT_KEYS if k in names), None)
                if it is None or "expected_len" not in names:
                    continue
                il = names.index("expected_len")
                ip = next((names.index(k) for k in POS_KEYS if k in names), None)
                ient = next((names.index(k) for k in ("entity", "entities") if k in names), None)
                inum = names.index("entity_num") if "entity_num" in names else None
                for row in rows:
                    if not isinstance(row, (list, tuple)) or len(row) != len(names):
                        continue
                    text, exp_len = row[it], row[il]
                    if not isinstance(text, str) or not isinstance(exp_len, int):
                        continue
                    pos = list(row[ip] or []) if ip is not None else []
                    # a single (start, end) written without the outer tuple
                    if len(pos) == 2 and all(isinstance(x, int) for x in pos):
                        pos = [pos]
                    if exp_len and not pos:
                        pos = None  # count only: nothing to compare spans with
                    if pos is not None and (len(pos) != exp_len or not all(
                        isinstance(p, (list, tuple)) and len(p) == 2 for p in pos
                    )):
                        continue
                    ent = ents[0] if ents else None
                    if ient is not None:
                        e = row[ient]
                        ent = e if isinstance(e, str) else (e[0] if isinstance(e, (list, tuple)) and len(e) == 1 else None)
                    if inum is not None and ents and isinstance(row[inum], int) and row[inum] < len(ents):
                        ent = ents[row[inum]]
                    if ent is None or pos is None:
                        continue
                    n += 1
                    cid = f"presidio-{n:05d}"
                    g.write(json.dumps({"id": cid, "entity": ent, "text": text,
                                        "expected_spans": [list(p) for p in pos],
                                        "source": path.name}, ensure_ascii=False) + "\n")
                    t.write(json.dumps({"id": cid, "text": text}, ensure_ascii=False) + "\n")
                    kept_by[ent] = kept_by.get(ent, 0) + 1
    print(f"{n} cases, {len(kept_by)} entities", file=sys.stderr)


if __name__ == "__main__":
    main()
