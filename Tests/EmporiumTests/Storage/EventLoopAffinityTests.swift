import NIOPosix
import SQLKit
import Testing

@testable import Emporium

/// On PostgreSQL the statements of a leased connection run on that connection's event loop
/// (`EventLoopTaskExecutor`, `PostgresBackend`): each answer is read and acted on by one thread, and the caller
/// goes back to where it ran when the connection is given back.
@Suite(.timeLimit(.minutes(2)))
struct EventLoopAffinityTests {
    @Test(.enabled(if: TestStore.postgresURL != nil, "needs EMPORIUM_TEST_POSTGRES_URL"))
    func aConnectionsStatementsRunOnItsOwnEventLoop() async throws {
        try await TestStore.withNode(.postgres) { node in
            for _ in 0..<4 {
                let read = try await node.database.read { sql in
                    _ = try await sql.raw("SELECT 1 AS one").first()
                    return MultiThreadedEventLoopGroup.currentEventLoop === sql.eventLoop
                }
                #expect(read)
                let written = try await node.database.transaction { sql in
                    try await Outbox.append("test.loop", aggregateId: "x", payload: ["a": 1], in: sql)
                    return MultiThreadedEventLoopGroup.currentEventLoop === sql.eventLoop
                }
                #expect(written)
                // Given back: the caller, a task of Swift's pool, is off the loops again.
                #expect(MultiThreadedEventLoopGroup.currentEventLoop == nil)
            }
        }
    }
}
