import Synchronization

/// Compaction: a document whose text changed is indexed anew under a new doc id, and a removed one stays in the
/// posting lists, marked dead; both are skipped by searches but kept in memory. Compaction drops them.
extension SearchIndex {
    /// Documents replaced or removed that still take memory in the posting lists and columns.
    public var deadCount: Int { lock.withReadLock { rows.count - liveCount } }

    /// What a compaction did.
    public struct Compaction: Sendable {
        /// Dead documents dropped.
        public var dropped: Int
        /// How long searches waited for it: the time it held the write lock.
        public var pause: Duration
    }

    /// Drops the dead documents and renumbers the live ones in their order, so posting lists stay sorted and every
    /// answer stays the same but for scores, which stop counting dead documents.
    ///
    /// It works in place: each posting list and column is shifted down over its dead entries and keeps its
    /// capacity, which later postings fill. Building a compacted copy beside the live index and swapping it in
    /// (searches never waited) left a whole copy of the index in the RSS for good, +115 MiB on 440 at 200,000
    /// products: glibc kept the old copy's memory, freed in small chunks on pages that allocations still alive
    /// share (after one at 50,000 products, an arena held 36 MB for 5 MB in use; malloc_trim did not help).
    /// The renumbering and the new marks of common terms are worked out under the read lock (searches go on,
    /// updates wait); searches wait for the shifting only, under the write lock: 34 ms at 200,000 products with
    /// 12,500 dead, on 2 shared cores (bench/RESULTS.md, "Soak").
    @discardableResult
    public func compact() -> Compaction {
        updates.withLock { _ in
            let (newId, marks) = lock.withReadLock { planCompaction() }
            let clock = ContinuousClock()
            let started = clock.now
            let dropped = lock.withWriteLock { compactInPlace(newId: newId, marks: marks) }
            return Compaction(dropped: dropped, pause: clock.now - started)
        }
    }

    /// Starts a compaction on a background task once the dead documents are at least `minimumDead` and a
    /// sixteenth of the live ones (so dead documents never cost more than about 6% of the index); one at a time.
    /// True when it started one; `completed` hears how it went.
    @discardableResult
    public func compactInBackgroundIfNeeded(
        minimumDead: Int = 1_000,
        completed: (@Sendable (Compaction) -> Void)? = nil
    ) -> Bool {
        let (dead, live) = lock.withReadLock { (rows.count - liveCount, liveCount) }
        guard dead >= minimumDead, dead >= live / 16 else { return false }
        guard compacting.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            return false
        }
        Task.detached(priority: .utility) { [self] in
            let compaction = compact()
            compacting.store(false, ordering: .releasing)
            completed?(compaction)
        }
        return true
    }

    /// Each doc id's id after the compaction (`UInt32.max`: dropped), in order; and the marks of the marked terms
    /// under the new ids.
    private func planCompaction() -> (newId: [UInt32], marks: [(Int32, DocMarks)]) {
        var newId = [UInt32](repeating: .max, count: rows.count)
        var next: UInt32 = 0
        for doc in rows.indices where rows[doc].isAlive {
            newId[doc] = next
            next += 1
        }
        // Marked terms stay marked, as they do without compaction.
        let marks = newId.withUnsafeBufferPointer { newId in
            termMarks.keys.map { term in (term, DocMarks(postingDocs[Int(term)], renumberedBy: newId)) }
        }
        return (newId, marks)
    }

    /// Shifts every posting list and column down over the dead documents, renumbering the live ones; returns how
    /// many documents it dropped.
    private func compactInPlace(newId: [UInt32], marks: [(Int32, DocMarks)]) -> Int {
        let dropped = rows.count - liveCount
        newId.withUnsafeBufferPointer { newId in
            for term in postingDocs.indices {
                let kept = postingDocs[term].withUnsafeMutableBufferPointer { docs in
                    postingStats[term].withUnsafeMutableBufferPointer { stats in
                        var kept = 0
                        for position in docs.indices {
                            let doc = newId[Int(docs[position])]
                            guard doc != .max else { continue }
                            docs[kept] = doc
                            stats[kept] = stats[position]
                            kept += 1
                        }
                        return kept
                    }
                }
                // `removeLast` keeps the capacity: the list's next postings go there.
                postingDocs[term].removeLast(postingDocs[term].count - kept)
                postingStats[term].removeLast(postingStats[term].count - kept)
            }
            Self.keep(&rows, newId)
            Self.keep(&facetKeys, newId)
            Self.keep(&ratingCount, newId)
            Self.keep(&createdAt, newId)
            Self.keep(&records, newId)
            // Every id in `docOf` is a live document's: replaced and removed ones were taken out of it.
            var position = docOf.startIndex
            while position != docOf.endIndex {
                docOf.values[position] = newId[Int(docOf.values[position])]
                docOf.formIndex(after: &position)
            }
        }
        for (term, marks) in marks { termMarks[term] = marks }
        return dropped
    }

    /// Moves the entries of the documents `newId` keeps to their new ids, in place, and drops the rest.
    private static func keep<Element>(_ column: inout [Element], _ newId: UnsafeBufferPointer<UInt32>) {
        let kept = column.withUnsafeMutableBufferPointer { column in
            var kept = 0
            for doc in column.indices where newId[doc] != .max {
                if kept != doc { column.swapAt(kept, doc) }
                kept += 1
            }
            return kept
        }
        column.removeLast(column.count - kept)
    }
}
