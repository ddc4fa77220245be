import Foundation
import HTTPTypes
import HummingbirdTesting

/// Asks `condition` every `poll` until it holds or `timeout` has passed; whether it held. It is asked once more at the
/// deadline, so a slow machine gets the whole `timeout`. Errors from `condition` end the wait and are thrown.
///
/// The default fifteen seconds is for promises of "within a second": the margin is for a 2-core CI machine running
/// every suite at once (five seconds was once not enough for the payment sweeper on PostgreSQL). A condition that holds
/// returns at once, so only a failing test waits it out.
func eventually(
    timeout: Duration = .seconds(15),
    poll: Duration = .milliseconds(10),
    _ condition: () async throws -> Bool
) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: poll)
    }
    return try await condition()
}

extension TestClientProtocol {
    /// `eventually` for a `GET`: polls `uri` until its JSON satisfies `condition`; whether it did.
    func eventuallyGet(
        _ uri: String,
        timeout: Duration = .seconds(5),
        poll: Duration = .milliseconds(10),
        _ condition: ([String: Any]) throws -> Bool
    ) async throws -> Bool {
        try await eventually(timeout: timeout, poll: poll) {
            try condition(try await send(.get, uri).jsonObject())
        }
    }

    /// Whether `/health/ready` answers 200 within `timeout` (the search index is built at start).
    func eventuallyReady(timeout: Duration = .seconds(10)) async throws -> Bool {
        try await eventually(timeout: timeout) { try await send(.get, "/health/ready").status == .ok }
    }
}
