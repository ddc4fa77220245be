/// The k best documents by key without sorting every match: a min-heap of size k.
struct TopK {
    struct Entry {
        let doc: UInt32
        let key: Double
    }

    let capacity: Int
    private var heap: [Entry] = []

    init(capacity: Int) {
        self.capacity = capacity
        heap.reserveCapacity(min(capacity, 1024))
    }

    /// Whether `a` ranks below `b`: lower key, or equal key and a later document (earlier documents win ties,
    /// so a run of equal keys, as when browsing, fills the heap once and then leaves it alone).
    private static func below(_ a: Entry, _ b: Entry) -> Bool {
        a.key != b.key ? a.key < b.key : a.doc > b.doc
    }

    mutating func insert(doc: UInt32, key: Double) {
        let entry = Entry(doc: doc, key: key)
        if heap.count < capacity {
            heap.append(entry)
            siftUp(heap.count - 1)
        } else if Self.below(heap[0], entry) {
            heap[0] = entry
            siftDown(0)
        }
    }

    func sortedDescending() -> [Entry] {
        heap.sorted { Self.below($1, $0) }
    }

    private mutating func siftUp(_ index: Int) {
        var child = index
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.below(heap[child], heap[parent]) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ index: Int) {
        var parent = index
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count, Self.below(heap[left], heap[smallest]) { smallest = left }
            if right < heap.count, Self.below(heap[right], heap[smallest]) { smallest = right }
            if smallest == parent { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
