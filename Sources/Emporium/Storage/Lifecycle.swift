import ServiceLifecycle

/// Suspends until the task is cancelled or its service group begins a graceful shutdown.
func waitUntilCancelledOrShutdown() async {
    let (stream, continuation) = AsyncStream<Void>.makeStream()
    await withTaskCancellationHandler {
        await withGracefulShutdownHandler {
            for await _ in stream {}
        } onGracefulShutdown: {
            continuation.finish()
        }
    } onCancel: {
        continuation.finish()
    }
}

/// Runs the database's client as a service: PostgreSQL's pool runs here; SQLite's connections close here.
struct DatabaseService: Service {
    let database: Database

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            try await database.run()
        }
    }
}

extension Database {
    /// Runs `body` with the database's client running beside it (for commands outside a service group).
    public func withRunningClient<T: Sendable>(_ body: @Sendable (Database) async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            // `body` waits for the client's task to start: postgres-nio warns about (and queues) a lease asked for
            // before its `run()` began, which marks the client running before it first suspends.
            let (started, starting) = AsyncStream<Void>.makeStream()
            group.addTask {
                starting.finish()
                try await self.run()
            }
            for await _ in started {}
            defer { group.cancelAll() }
            return try await body(self)
        }
    }
}
