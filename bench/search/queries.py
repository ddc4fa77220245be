#!/usr/bin/env python3
"""Builds the fixed query set of the search benchmark from a catalog export (JSONL).

    python3 bench/search/queries.py CATALOG.jsonl OUT/queries.json [--seed 42] [--sample 200000]

Deterministic: the same catalog and seed give the same queries, byte for byte. Only the first
--sample products are read (word and brand frequencies settle long before that), so this takes a
few seconds even on a catalog of a million products.

Each query is {"q": str, "kind": "broad|narrow|filter|typo|prefix"} plus optional filters:
  "brand": [str]       product brand is one of these (exact brand names)
  "category": str      product category.id equals this (a leaf category id taken from the catalog)
  "minPrice"/"maxPrice": int   price.amount (minor units, i.e. cents) within these bounds, inclusive
  "inStock": true      only products with inStock true (never false: emporium reads false as "any")
  "minRating": int     rating.average >= minRating
Words are matched with AND semantics. In "prefix" queries the last word is the first 3-5 letters
of a real word; in "typo" queries one word of 5+ letters has one letter changed or dropped.
"""
import argparse
import json
import random
import re
import sys
from collections import Counter

WORD = re.compile(r"[a-z0-9]+")
ALPHABET = "abcdefghijklmnopqrstuvwxyz"

# How many queries of each kind (250 in all).
COUNTS = {"broad": 60, "narrow": 50, "filter": 60, "typo": 40, "prefix": 40}


def words_of(text):
    return WORD.findall(text.lower())


def load(path, sample):
    """Document frequencies of words (title, description, category path), brand counts, leaf
    categories, prices and ratings."""
    df = Counter()
    brands = Counter()
    categories = Counter()
    prices = []
    ratings = []
    n = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            p = json.loads(line)
            n += 1
            category = p.get("category") or {}
            # Brand names are left out: their endings (Labs, Goods, ...) would make odd "frequent words".
            text = " ".join([p.get("title", ""), p.get("description", "")] + list(category.get("path", [])))
            df.update(set(words_of(text)))
            if p.get("brand"):
                brands[p["brand"]] += 1
            if category.get("id"):
                categories[category["id"]] += 1
            prices.append(p["price"]["amount"])
            ratings.append((p.get("rating") or {}).get("average", 0.0))
            if n >= sample:
                break
    if n == 0:
        sys.exit(f"{path}: no products")
    return n, df, brands, categories, sorted(prices), ratings


def ranked(counter):
    """Most common first, ties broken by the key so that the order is deterministic."""
    return [k for k, _ in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("catalog")
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--sample", type=int, default=200_000, help="read at most this many products")
    args = ap.parse_args()

    rnd = random.Random(args.seed)
    n, df, brand_counts, category_counts, prices, ratings = load(args.catalog, args.sample)

    # Words only (no numbers), by document frequency.
    vocab = ranked(Counter({w: c for w, c in df.items() if w.isalpha() and len(w) >= 3}))
    known = set(vocab)
    brands = ranked(brand_counts)
    categories = ranked(category_counts)

    broad = vocab[:40]                                   # in a large share of the products
    common = vocab[:300]                                 # frequent enough to combine with filters
    # Rare: in at most 0.05% of the sampled products (but at least one), from the long tail.
    rare_cut = max(1, n // 2000)
    rare = [w for w in vocab if df[w] <= rare_cut and len(w) >= 4] or vocab[-200:]
    long_words = [w for w in vocab[:800] if len(w) >= 5]  # for typos and prefixes
    rare_brands = brands[len(brands) // 2:] or brands

    def pick(seq, k=1):
        return rnd.sample(seq, k) if k > 1 else [rnd.choice(seq)]

    def typo(word):
        for _ in range(50):
            i = rnd.randrange(1, len(word))              # keep the first letter, as people do
            if rnd.random() < 0.5:
                t = word[:i] + word[i + 1:]              # a letter dropped
            else:
                t = word[:i] + rnd.choice(ALPHABET.replace(word[i], "")) + word[i + 1:]  # changed
            if t not in known:
                return t
        return word[:-1]

    def price_range():
        lo = prices[int(len(prices) * rnd.uniform(0.05, 0.6))]
        hi = prices[min(len(prices) - 1, int(len(prices) * rnd.uniform(0.65, 0.98)))]
        shape = rnd.random()
        if shape < 0.3:
            return {"minPrice": lo}
        if shape < 0.6:
            return {"maxPrice": hi}
        return {"minPrice": lo, "maxPrice": max(lo, hi)}

    queries = []
    seen = set()

    def add(kind, words, **filters):
        q = " ".join(words)
        key = (q, json.dumps(filters, sort_keys=True))
        if key in seen:
            return False
        seen.add(key)
        queries.append({"q": q, **filters, "kind": kind})
        return True

    def fill(kind, make):
        target = len(queries) + COUNTS[kind]
        tries = 0
        while len(queries) < target and tries < 100_000:
            tries += 1
            make()

    # Broad: one to three very frequent words.
    fill("broad", lambda: add("broad", pick(broad, rnd.choice([1, 1, 2, 2, 3]))))

    # Narrow: a rare word, a brand name, or a rare word with a frequent one.
    def narrow():
        r = rnd.random()
        if r < 0.4:
            add("narrow", pick(rare))
        elif r < 0.7:
            add("narrow", words_of(rnd.choice(rare_brands)))
        else:
            add("narrow", pick(rare) + pick(common))
    fill("narrow", narrow)

    # Filter: one or two frequent words with one or two filters.
    has_ratings = any(r > 0 for r in ratings)

    def filtered():
        words = pick(common, rnd.choice([1, 1, 2]))
        choices = ["brand", "category", "price", "inStock"] + (["minRating"] if has_ratings else [])
        filters = {}
        for f in rnd.sample(choices, rnd.choice([1, 1, 2])):
            if f == "brand":
                filters["brand"] = pick(brands[:60], rnd.choice([1, 1, 2]))
            elif f == "category":
                filters["category"] = rnd.choice(categories[:120])
            elif f == "price":
                filters.update(price_range())
            elif f == "inStock":
                filters["inStock"] = True  # a store's "in stock only" box; false means no filter
            else:
                filters["minRating"] = rnd.choice([3, 4, 4, 5])
        add("filter", words, **{k: filters[k] for k in sorted(filters)})
    fill("filter", filtered)

    # Typo: one word of 5+ letters misspelt, sometimes next to a correct frequent word.
    def typoed():
        word = typo(rnd.choice(long_words))
        if rnd.random() < 0.4:
            other = rnd.choice(common)
            add("typo", [other, word] if rnd.random() < 0.5 else [word, other])
        else:
            add("typo", [word])
    fill("typo", typoed)

    # Prefix: the last word cut to its first 3-5 letters (shorter than the word).
    def prefixed():
        word = rnd.choice(long_words)
        cut = rnd.randint(3, min(5, len(word) - 1))
        head = pick(common) if rnd.random() < 0.5 else []
        add("prefix", head + [word[:cut]])
    fill("prefix", prefixed)

    with open(args.out, "w", encoding="utf-8") as f:  # one query a line, easy to diff
        f.write("[\n" + ",\n".join(json.dumps(q) for q in queries) + "\n]\n")
    by_kind = Counter(q["kind"] for q in queries)
    print(f"{len(queries)} queries from {n} products ({', '.join(f'{k} {by_kind[k]}' for k in COUNTS)})"
          + ("" if has_ratings else "; no product has a rating, so no minRating filters"), file=sys.stderr)


if __name__ == "__main__":
    main()
