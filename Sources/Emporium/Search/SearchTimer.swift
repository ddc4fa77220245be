import Metrics

/// `emporium_search_duration_seconds{operation}`: the index's own time for a search or a suggestion, without
/// parsing and encoding (the HTTP histogram has those).
struct SearchTimer: Sendable {
    static let label = "emporium_search_duration_seconds"
    static let search = SearchTimer(operation: "search")
    static let suggest = SearchTimer(operation: "suggest")

    private let timer: Timer

    private init(operation: String) {
        _ = MetricsRegistry.shared
        timer = Timer(label: Self.label, dimensions: [("operation", operation)])
    }

    func record(_ elapsed: Duration) {
        timer.recordNanoseconds(Int64(elapsed / .nanoseconds(1)))
    }
}
