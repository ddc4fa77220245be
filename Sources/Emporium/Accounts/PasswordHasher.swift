import HummingbirdBcrypt
import NIOPosix

/// bcrypt on NIO's thread pool, never on an event loop: one hash takes tens to hundreds of milliseconds.
public struct PasswordHasher: Sendable {
    public let cost: Int
    /// Checked against when an email is unknown, so a login takes as long whether or not the account exists.
    private let dummyHash: String

    public static func make(cost: Int) async throws -> PasswordHasher {
        let dummy = try await runOffLoop { Bcrypt.hash("not a password", cost: UInt8(clamping: cost)) }
        return PasswordHasher(cost: cost, dummyHash: dummy)
    }

    public func hash(_ password: String) async throws -> String {
        let cost = UInt8(clamping: cost)
        return try await Self.runOffLoop { Bcrypt.hash(password, cost: cost) }
    }

    public func verify(_ password: String, hash: String) async throws -> Bool {
        try await Self.runOffLoop { Bcrypt.verify(password, hash: hash) }
    }

    func verifyAgainstDummy(_ password: String) async throws {
        _ = try await verify(password, hash: dummyHash)
    }

    private static func runOffLoop<T: Sendable>(_ work: @Sendable @escaping () -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(work)
    }
}
