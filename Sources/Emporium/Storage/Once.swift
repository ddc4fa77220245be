import Synchronization

/// A value set once and awaited by others (the log position a node starts serving from).
final class Once<Value: Sendable>: Sendable {
    private let state = Mutex<Value?>(nil)

    func set(_ value: Value) {
        state.withLock { if $0 == nil { $0 = value } }
    }

    /// Waits for the value; throws `CancellationError` if the task is cancelled first.
    func value() async throws -> Value {
        while true {
            if let value = state.withLock({ $0 }) { return value }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}
