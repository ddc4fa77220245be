import Foundation
import Synchronization

/// A progress bar on a terminal's stderr; a line per tenth when stderr is not a terminal.
final class ProgressBar: Sendable {
    private let total: Int
    private let started = ContinuousClock.now
    private let isTerminal = isatty(2) == 1
    private let lastTenth = Mutex(-1)

    init(total: Int) {
        self.total = max(1, total)
    }

    func show(_ done: Int) {
        let fraction = Double(done) / Double(total)
        let seconds = Double((ContinuousClock.now - started) / .milliseconds(1)) / 1000
        if isTerminal {
            let filled = Int(fraction * 30)
            let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: 30 - filled)
            write(String(format: "\r[%@] %3.0f%% %d/%d %.1f s", bar, fraction * 100, done, total, seconds))
        } else {
            let tenth = Int(fraction * 10)
            let isNew = lastTenth.withLock { last in
                defer { last = max(last, tenth) }
                return tenth > last
            }
            if isNew { write(String(format: "%3.0f%% %d/%d %.1f s\n", fraction * 100, done, total, seconds)) }
        }
    }

    func finish() {
        if isTerminal { write("\n") }
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
