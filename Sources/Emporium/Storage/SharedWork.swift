import Synchronization

/// Work that concurrent callers asking for the same key share: the first starts it, the others wait for its
/// result. A cache that misses under load (a cold category tree, an expired page) is filled once, not once per
/// waiting request, each of which would otherwise run the same query or render at once and hold up the node.
public final class SharedWork<Value: Sendable>: Sendable {
    private let running = Mutex<[String: Task<Value, any Error>]>([:])

    public init() {}

    /// `work`'s result, from this call's run of it or from the run already under way for `key`.
    public func run(_ key: String, _ work: @escaping @Sendable () async throws -> Value) async throws -> Value {
        let task = running.withLock { running in
            if let task = running[key] { return task }
            let task = Task { try await work() }
            running[key] = task
            return task
        }
        defer { running.withLock { if $0[key] == task { $0[key] = nil } } }
        return try await task.value
    }
}
