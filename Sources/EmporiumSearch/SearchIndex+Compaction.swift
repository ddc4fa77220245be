import Synchronization

/// Compaction: a document whose text changed is indexed anew under a new doc id, and a removed one stays in the
/// posting lists, marked dead; both are skipped by searches but kept in memory. Compaction drops them.
extension SearchIndex {
    /// Documents replaced or removed that still take memory in the posting lists and columns.
    public var deadCount: Int { lock.withReadLock { rows.count - liveCount } }

    /// Drops the dead documents and renumbers the live ones in their order, so posting lists stay sorted and every
    /// answer stays the same but for scores, which stop counting dead documents. The compacted copy is built under
    /// the read lock (searches go on; updates wait for it), then swapped in under the write lock.
    public func compact() {
        updates.withLock { _ in
            var compacted = lock.withReadLock { makeCompacted() }
            lock.withWriteLock { swap(&compacted) }
            // The old copy, now in `compacted`, is freed here, outside both locks.
            compacted = Compacted()
        }
    }

    /// Starts a compaction on a background task once the dead documents are at least `minimumDead` and a
    /// sixteenth of the live ones (so dead documents never cost more than about 6% of the index); one at a time.
    /// True when it started one.
    @discardableResult
    public func compactInBackgroundIfNeeded(minimumDead: Int = 1_000) -> Bool {
        let (dead, live) = lock.withReadLock { (rows.count - liveCount, liveCount) }
        guard dead >= minimumDead, dead >= live / 16 else { return false }
        guard compacting.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            return false
        }
        Task.detached(priority: .utility) { [self] in
            compact()
            compacting.store(false, ordering: .releasing)
        }
        return true
    }

    struct Compacted {
        var postingDocs: [[UInt32]] = []
        var postingStats: [[UInt64]] = []
        var termMarks: [Int32: DocMarks] = [:]
        var rows: [DocRow] = []
        var facetKeys: [UInt64] = []
        var ratingCount: [Int32] = []
        var createdAt: [Int] = []
        var records: [Record] = []
        var docOf: [String: UInt32] = [:]
    }

    private func makeCompacted() -> Compacted {
        var compacted = Compacted()
        var newId = [UInt32](repeating: .max, count: rows.count)
        for doc in rows.indices where rows[doc].isAlive {
            newId[doc] = UInt32(compacted.rows.count)
            compacted.rows.append(rows[doc])
            compacted.facetKeys.append(facetKeys[doc])
            compacted.ratingCount.append(ratingCount[doc])
            compacted.createdAt.append(createdAt[doc])
            compacted.records.append(records[doc])
        }
        compacted.postingDocs.reserveCapacity(postingDocs.count)
        compacted.postingStats.reserveCapacity(postingStats.count)
        for term in postingDocs.indices {
            var docs: [UInt32] = []
            var stats: [UInt64] = []
            for (position, doc) in postingDocs[term].enumerated() where newId[Int(doc)] != .max {
                docs.append(newId[Int(doc)])
                stats.append(postingStats[term][position])
            }
            compacted.postingDocs.append(docs)
            compacted.postingStats.append(stats)
        }
        // Marked terms stay marked, as they do without compaction.
        for term in termMarks.keys { compacted.termMarks[term] = DocMarks(compacted.postingDocs[Int(term)]) }
        compacted.docOf = docOf.compactMapValues { newId[Int($0)] == .max ? nil : newId[Int($0)] }
        return compacted
    }

    /// Puts the compacted copy in place and the old state into `compacted`, to be freed outside the lock.
    private func swap(_ compacted: inout Compacted) {
        Swift.swap(&postingDocs, &compacted.postingDocs)
        Swift.swap(&postingStats, &compacted.postingStats)
        Swift.swap(&termMarks, &compacted.termMarks)
        Swift.swap(&rows, &compacted.rows)
        Swift.swap(&facetKeys, &compacted.facetKeys)
        Swift.swap(&ratingCount, &compacted.ratingCount)
        Swift.swap(&createdAt, &compacted.createdAt)
        Swift.swap(&records, &compacted.records)
        Swift.swap(&docOf, &compacted.docOf)
    }
}
