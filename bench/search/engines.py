#!/usr/bin/env python3
"""The reference engines of the search benchmark, in-process in Python: tantivy and SQLite FTS5.

    python3 bench/search/engines.py tantivy|fts5 --jsonl CATALOG --queries QUERIES --out OUT.json
                                    --work DIR [--repeat 5] [--topk 20] [--facets 10]

Builds an index of the catalog in DIR (timed from the first line read to a searchable index:
JSON parsing, indexing, commit and merges), then runs every query once to warm up and times R runs
of each query's "page + count + brand facet" together with time.perf_counter_ns. Writes the same JSON shape as
`emporium search-bench`:

    {"engine", "buildSeconds", "rssBytes", "latenciesMicros": [[per repeat] per query],
     "totals": [matching products per query], ...extras}

One engine per process, so that each one's memory is its own. Query semantics (the same for both):
every word must match (AND) in title, brand, category path or description; the last word of a
"prefix" query is a prefix (tantivy: in "typo" queries, words of 5+ letters match within one
edit; FTS5 has no typo tolerance); filters are ANDed; the page is the top --topk by BM25; the facet is
the --facets brands with the most matching products, with counts.
"""
import argparse
import json
import os
import shutil
import time

from engine_common import _pkg_version, current_rss_bytes, dir_bytes, log, max_rss_bytes, read_catalog, timed_runs


# ---------------------------------------------------------------------------------------------
# tantivy


def bench_tantivy(args, queries):
    from tantivy import Document, FieldType, Filter, Index, Occur, Query, SchemaBuilder, TextAnalyzerBuilder, Tokenizer

    text_fields = ["title", "brand", "category", "description"]
    sb = SchemaBuilder()
    for name in text_fields:
        sb.add_text_field(name, tokenizer_name="en_stem")
    sb.add_text_field("brand_s", fast=True, tokenizer_name="raw")      # filter and facet
    sb.add_text_field("category_id", tokenizer_name="raw")             # filter
    sb.add_integer_field("price", indexed=True, fast=True)
    sb.add_float_field("rating", indexed=True, fast=True)
    sb.add_boolean_field("in_stock", indexed=True, fast=True)
    schema = sb.build()

    path = os.path.join(args.work, "tantivy-index")
    shutil.rmtree(path, ignore_errors=True)  # an existing index would be opened and added to
    os.makedirs(path)
    parse = [0.0]
    started = time.perf_counter()
    index = Index(schema, path=path)
    writer = index.writer(heap_size=args.tantivy_heap_mb * 1_000_000, num_threads=args.threads)
    docs = 0
    for title, brand, cat_path, cat_id, description, price, rating, in_stock in read_catalog(args.jsonl, parse):
        writer.add_document(Document(title=title, brand=brand, category=cat_path, description=description,
                                     brand_s=brand, category_id=cat_id, price=price, rating=rating,
                                     in_stock=in_stock))
        docs += 1
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    searcher = index.searcher()
    build_seconds = time.perf_counter() - started
    rss = max_rss_bytes()
    rss_after_build = current_rss_bytes()
    log(f"tantivy: indexed {docs} products in {build_seconds:.1f} s ({parse[0]:.1f} s of it reading JSON), "
        f"{searcher.num_segments} segment(s), {dir_bytes(path) / 1e6:.0f} MB on disk, max RSS {rss / 1e6:.0f} MB")

    # The same analysis as the en_stem tokenizer, to turn query words into index terms.
    analyzer = (TextAnalyzerBuilder(Tokenizer.simple()).filter(Filter.remove_long(40))
                .filter(Filter.lowercase()).filter(Filter.stemmer("english")).build())
    agg = {"brands": {"terms": {"field": "brand_s", "size": args.facets}}}

    def word_query(term_for_field):
        return Query.boolean_query([(Occur.Should, term_for_field(f)) for f in text_fields])

    def compile_query(q):
        words = q["q"].split()
        clauses = []
        for i, word in enumerate(words):
            if q["kind"] == "prefix" and i == len(words) - 1:
                prefix = word.lower()
                clauses.append(word_query(lambda f: Query.fuzzy_term_query(schema, f, prefix, distance=0, prefix=True)))
                continue
            for term in analyzer.analyze(word):
                if q["kind"] == "typo" and len(word) >= 5:
                    # Tolerate one edit on words of 5+ letters (the typo is not known to the engine).
                    clauses.append(word_query(lambda f, t=term: Query.fuzzy_term_query(schema, f, t, distance=1)))
                else:
                    clauses.append(word_query(lambda f, t=term: Query.term_query(schema, f, t)))
        filters = []
        if q.get("brand"):
            filters.append(Query.term_set_query(schema, "brand_s", q["brand"]))
        if q.get("category"):
            filters.append(Query.term_query(schema, "category_id", q["category"]))
        if q.get("minPrice") is not None or q.get("maxPrice") is not None:
            filters.append(Query.range_query(schema, "price", FieldType.Integer, q.get("minPrice"), q.get("maxPrice")))
        if q.get("inStock"):  # false means "any", as in emporium
            filters.append(Query.term_query(schema, "in_stock", True))
        if q.get("minRating") is not None:
            filters.append(Query.range_query(schema, "rating", FieldType.Float, float(q["minRating"]), None))
        parts = [(Occur.Must, c) for c in clauses]
        parts += [(Occur.Must, Query.const_score_query(f, 0.0)) for f in filters]
        if not parts:
            return Query.all_query()
        return Query.boolean_query(parts)

    def run_one(q):
        # Compiling a query (analysis, building the tree) counts: it is part of answering it.
        query = compile_query(q)
        result = searcher.search(query, args.topk, count=True)
        searcher.aggregate(query, agg)
        return result.count

    latencies, totals = timed_runs(queries, run_one, args.repeat)
    # How much of that is Python building the query objects (the search itself runs in Rust).
    build_micros = []
    for q in queries:
        runs = []
        for _ in range(args.repeat):
            t0 = time.perf_counter_ns()
            compile_query(q)
            runs.append((time.perf_counter_ns() - t0) / 1000.0)
        build_micros.append(sorted(runs)[len(runs) // 2])
    return {
        "engine": "tantivy",
        "queryBuildMicros": build_micros,
        "version": _pkg_version("tantivy"),
        "buildSeconds": build_seconds,
        "rssBytes": rss,
        "rssAfterBuildBytes": rss_after_build,
        "rssAfterQueriesBytes": current_rss_bytes(),
        "indexBytes": dir_bytes(path),
        "parseSeconds": parse[0],
        "documents": docs,
        "segments": searcher.num_segments,
        "latenciesMicros": latencies,
        "totals": totals,
        "notes": "rssBytes = max RSS of the Python process after the build (includes the writer heap of "
                 f"{args.tantivy_heap_mb} MB); index on disk, read through the page cache",
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("engine", choices=["tantivy", "fts5"])
    ap.add_argument("--jsonl", required=True)
    ap.add_argument("--queries", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--work", required=True, help="directory for the index (emptied by the caller)")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--topk", type=int, default=20, help="size of the ranked page of hits")
    ap.add_argument("--facets", type=int, default=10, help="brand buckets in the facet")
    ap.add_argument("--threads", type=int, default=2, help="tantivy indexing threads")
    ap.add_argument("--tantivy-heap-mb", type=int, default=512, help="tantivy writer heap, all threads together")
    args = ap.parse_args()

    with open(args.queries, encoding="utf-8") as f:
        queries = json.load(f)
    if args.engine == "tantivy":
        result = bench_tantivy(args, queries)
    else:
        from engine_fts5 import bench_fts5

        result = bench_fts5(args, queries)
    result["queries"] = len(queries)
    result["repeat"] = args.repeat
    tmp = args.out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(result, f)
    os.replace(tmp, args.out)
    flat = sorted(x for runs in result["latenciesMicros"] for x in runs)
    log(f"{args.engine}: {len(queries)} queries x {args.repeat}, median {flat[len(flat) // 2] / 1000:.2f} ms, "
        f"max {flat[-1] / 1000:.2f} ms -> {args.out}")


if __name__ == "__main__":
    main()
