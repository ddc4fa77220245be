import Foundation
import Synchronization

/// One simulated shopper loop. It owns its state (tokens, its place in the round robin), so the hot path
/// needs no lock; each one lives in its own task.
protocol VirtualClient {
    /// Does one operation, recording its requests in `recorder`; true when it counts toward throughput.
    mutating func perform(_ recorder: inout Recorder) async -> Bool
}

/// When a timed phase stops: at the deadline or after `operations` operations, whichever comes first.
struct Limits: Sendable {
    var operations: Int?
    var duration: Duration
}

/// A counter that escaping task closures can share (an `Atomic` itself cannot be captured).
final class SharedCounter: Sendable {
    private let value = Atomic<Int>(0)

    /// Adds one and returns the value before.
    func next() -> Int { value.add(1, ordering: .relaxed).oldValue }
    var current: Int { value.load(ordering: .relaxed) }
}

/// Hands out the operation budget across clients, and counts finished operations for the progress line.
private final class Tickets: Sendable {
    private let taken = SharedCounter()
    let finished = SharedCounter()
    let limit: Int?

    init(limit: Int?) { self.limit = limit }

    func take() -> Bool {
        guard let limit else { return true }
        return taken.next() < limit
    }
}

enum Runner {
    /// Runs `connections` clients until the limits are reached. Operations under way at the deadline are
    /// finished, and the elapsed time covers them, so throughput is never flattered by cutting them off.
    static func run(
        label: String,
        connections: Int,
        limits: Limits,
        makeClient: @escaping @Sendable (Int) -> any VirtualClient
    ) async -> (recorder: Recorder, elapsed: Duration) {
        let tickets = Tickets(limit: limits.operations)
        let start = ContinuousClock.now
        let deadline = start + limits.duration
        let recorder = await withTaskGroup(of: Recorder?.self) { group in
            group.addTask {
                // A line every 5 s, so a long run shows it is alive (and a stalled server shows as a flat count).
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(5))
                    guard !Task.isCancelled else { break }
                    let seconds = Int(start.duration(to: .now).components.seconds)
                    let done = tickets.finished.current
                    printError("  \(label): \(seconds) s, \(done) operations")
                }
                return nil
            }
            for index in 0..<connections {
                group.addTask {
                    var client = makeClient(index)
                    var recorder = Recorder()
                    while ContinuousClock.now < deadline, tickets.take() {
                        let succeeded = await client.perform(&recorder)
                        recorder.operations += 1
                        if succeeded { recorder.succeeded += 1 }
                        _ = tickets.finished.next()
                    }
                    return recorder
                }
            }
            var total = Recorder()
            var clientsLeft = connections
            while clientsLeft > 0, let part = await group.next() {
                guard let part else { continue }
                total.merge(part)
                clientsLeft -= 1
            }
            group.cancelAll()
            return total
        }
        return (recorder, start.duration(to: .now))
    }

    /// Runs `body` for 0..<count with at most `width` at a time; results in index order. Stops at the first error.
    static func concurrently<T: Sendable>(
        _ count: Int,
        width: Int,
        _ body: @escaping @Sendable (Int) async throws -> T
    ) async throws -> [T] {
        let next = SharedCounter()
        return try await withThrowingTaskGroup(of: [(Int, T)].self) { group in
            for _ in 0..<max(1, min(width, count)) {
                group.addTask {
                    var results: [(Int, T)] = []
                    while true {
                        let index = next.next()
                        guard index < count else { return results }
                        results.append((index, try await body(index)))
                    }
                }
            }
            var all: [(Int, T)] = []
            for try await part in group { all += part }
            return all.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }
}

func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
