"""SQLite FTS5, the second reference engine of the search benchmark (run through engines.py)."""
import os
import time

from engine_common import log, max_rss_bytes, read_catalog, timed_runs


# ---------------------------------------------------------------------------------------------
# SQLite FTS5


def bench_fts5(args, queries):
    import sqlite3

    path = os.path.join(args.work, "fts5.sqlite")
    for suffix in ("", "-wal", "-shm", "-journal"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    parse = [0.0]
    started = time.perf_counter()
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA cache_size=-262144")  # 256 MiB
    # Contentless: only the index is kept (the benchmark never shows the text back).
    db.execute("CREATE VIRTUAL TABLE fts USING fts5(title, brand, category, description, content='', "
               "tokenize='porter unicode61 remove_diacritics 2')")
    db.execute("CREATE TABLE docs(rowid INTEGER PRIMARY KEY, brand TEXT NOT NULL, category TEXT NOT NULL, "
               "price INTEGER NOT NULL, rating REAL NOT NULL, in_stock INTEGER NOT NULL)")
    db.execute("BEGIN")
    docs = 0
    batch_fts, batch_docs = [], []

    def flush():
        db.executemany("INSERT INTO fts(rowid, title, brand, category, description) VALUES (?,?,?,?,?)", batch_fts)
        db.executemany("INSERT INTO docs(rowid, brand, category, price, rating, in_stock) VALUES (?,?,?,?,?,?)",
                       batch_docs)
        batch_fts.clear()
        batch_docs.clear()

    for title, brand, cat_path, cat_id, description, price, rating, in_stock in read_catalog(args.jsonl, parse):
        docs += 1
        batch_fts.append((docs, title, brand, cat_path, description))
        batch_docs.append((docs, brand, cat_id, price, rating, 1 if in_stock else 0))
        if len(batch_fts) >= 5000:
            flush()
    flush()
    db.execute("COMMIT")
    db.execute("INSERT INTO fts(fts) VALUES('optimize')")
    db.execute("VACUUM")
    build_seconds = time.perf_counter() - started
    db.close()
    size = os.path.getsize(path)
    log(f"fts5: indexed {docs} products in {build_seconds:.1f} s ({parse[0]:.1f} s of it reading JSON), "
        f"{size / 1e6:.0f} MB file, SQLite {sqlite3.sqlite_version}")

    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA query_only=ON")
    db.execute("PRAGMA cache_size=-262144")
    db.execute(f"PRAGMA mmap_size={max(size * 2, 1 << 28)}")

    def fts_quote(word):
        return '"' + word.replace('"', '""') + '"'

    def compile_query(q):
        words = q["q"].split()
        terms = []
        for i, word in enumerate(words):
            if q["kind"] == "prefix" and i == len(words) - 1:
                terms.append(fts_quote(word.lower()) + "*")
            else:
                terms.append(fts_quote(word))
        match = " AND ".join(terms)
        where, params = ["fts MATCH ?"], [match]
        if q.get("brand"):
            where.append("d.brand IN (%s)" % ",".join("?" * len(q["brand"])))
            params += q["brand"]
        if q.get("category"):
            where.append("d.category = ?")
            params.append(q["category"])
        if q.get("minPrice") is not None:
            where.append("d.price >= ?")
            params.append(q["minPrice"])
        if q.get("maxPrice") is not None:
            where.append("d.price <= ?")
            params.append(q["maxPrice"])
        if q.get("inStock"):  # false means "any", as in emporium
            where.append("d.in_stock = 1")
        if q.get("minRating") is not None:
            where.append("d.rating >= ?")
            params.append(float(q["minRating"]))
        cond = " AND ".join(where)
        # CROSS JOIN keeps the full-text index as the outer loop.
        facet_sql = f"SELECT d.brand, count(*) FROM fts CROSS JOIN docs d ON d.rowid = fts.rowid WHERE {cond} GROUP BY d.brand"
        if len(where) == 1:
            page_sql = "SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY rank LIMIT ?"
        else:
            page_sql = (f"SELECT fts.rowid FROM fts CROSS JOIN docs d ON d.rowid = fts.rowid WHERE {cond} "
                        "ORDER BY fts.rank LIMIT ?")
        return facet_sql, page_sql, params

    topk, facets = args.topk, args.facets

    def run_one(q):
        facet_sql, page_sql, params = compile_query(q)
        db.execute(page_sql, params + [topk]).fetchall()
        groups = db.execute(facet_sql, params).fetchall()
        total = sum(c for _, c in groups)           # the count is the sum of the brand buckets
        sorted(groups, key=lambda g: -g[1])[:facets]
        return total

    latencies, totals = timed_runs(queries, run_one, args.repeat)
    return {
        "engine": "fts5",
        "version": "SQLite " + sqlite3.sqlite_version,
        "buildSeconds": build_seconds,
        "rssBytes": size,
        "maxRssBytes": max_rss_bytes(),
        "indexBytes": size,
        "parseSeconds": parse[0],
        "documents": docs,
        "latenciesMicros": latencies,
        "totals": totals,
        "notes": "rssBytes = size of the database file (contentless FTS5 table + plain table), "
                 "queried through mmap; total = sum of the GROUP BY brand counts",
    }
