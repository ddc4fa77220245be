import Foundation
import SQLiteKit

/// Backups of a SQLite store: one tar file holding a consistent copy of the database, the images and the
/// generated JWT secret, taken while the store serves orders.
///
/// The database is copied by SQLite itself (`VACUUM INTO`), inside one read transaction: a snapshot of a committed
/// state, whatever the writer does meanwhile, and never a copy of a file in use (which can tear a page or miss the
/// WAL). Images are copied after it: an image is written before the row that names it commits, so every image the
/// snapshot names is there. PostgreSQL stores are backed up with `pg_dump` (README, "Operations").
public enum StoreBackup {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String

        init(_ description: String) { self.description = description }
    }

    /// What a backup holds.
    public struct Summary: Codable, Sendable, Equatable {
        public let createdAt: String
        public let databaseBytes: Int
        public let images: Int
    }

    static let databaseFile = "emporium.sqlite"
    static let manifestFile = "backup.json"
    private static let copied = ["images", "jwt-secret"]

    /// Writes the backup of the store in `dataDirectory` to `archive` (replaced if it exists, only once complete).
    public static func create(dataDirectory: String, to archive: String) throws -> Summary {
        let source = (dataDirectory as NSString).appendingPathComponent(databaseFile)
        guard FileManager.default.fileExists(atPath: source) else {
            throw Failure("no SQLite store at \(source)")
        }
        let archiveURL = URL(fileURLWithPath: archive).standardizedFileURL
        let staging = archiveURL.deletingLastPathComponent()
            .appendingPathComponent(".\(archiveURL.lastPathComponent).\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: staging) }

        let copy = staging.appendingPathComponent(databaseFile).path
        try snapshot(source, into: copy)
        try check(copy)
        for name in copied {
            let from = (dataDirectory as NSString).appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: from) {
                try copyVisible(from, to: staging.appendingPathComponent(name).path)
            }
        }
        let imagesDirectory = staging.appendingPathComponent("images").path
        let images = ((try? FileManager.default.contentsOfDirectory(atPath: imagesDirectory)) ?? []).count
        let databaseBytes = (try FileManager.default.attributesOfItem(atPath: copy)[.size] as? Int) ?? 0
        let summary = Summary(
            createdAt: Timestamp.rfc3339(Database.nowMillis()), databaseBytes: databaseBytes, images: images)
        try JSONEncoder().encode(summary).write(to: staging.appendingPathComponent(manifestFile))

        let partial = archiveURL.path + ".partial"
        try tar(["-C", staging.path, "-cf", partial, "."])
        _ = try? FileManager.default.removeItem(atPath: archiveURL.path)
        try FileManager.default.moveItem(atPath: partial, toPath: archiveURL.path)
        return summary
    }

    /// Makes a working store of `archive` in `dataDirectory`, which must be empty or not exist yet.
    @discardableResult
    public static func restore(from archive: String, into dataDirectory: String) throws -> Summary {
        guard FileManager.default.fileExists(atPath: archive) else { throw Failure("no backup at \(archive)") }
        let existing = (try? FileManager.default.contentsOfDirectory(atPath: dataDirectory)) ?? []
        guard existing.isEmpty else {
            throw Failure("\(dataDirectory) is not empty: restore only into an empty or new directory")
        }
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        do {
            try tar(["-C", dataDirectory, "-xf", archive])
            let manifest = (dataDirectory as NSString).appendingPathComponent(manifestFile)
            guard let data = FileManager.default.contents(atPath: manifest),
                let summary = try? JSONDecoder().decode(Summary.self, from: data)
            else { throw Failure("\(archive) is not an Emporium backup (no \(manifestFile))") }
            try FileManager.default.removeItem(atPath: manifest)
            try check((dataDirectory as NSString).appendingPathComponent(databaseFile))
            return summary
        } catch {
            // Leave the directory as it was found: empty.
            for name in (try? FileManager.default.contentsOfDirectory(atPath: dataDirectory)) ?? [] {
                try? FileManager.default.removeItem(atPath: (dataDirectory as NSString).appendingPathComponent(name))
            }
            throw error
        }
    }

    /// A transactionally consistent copy of the live database at `source`, written to `target`.
    private static func snapshot(_ source: String, into target: String) throws {
        let connection = try SQLiteConnectionDirect(path: source)
        defer { connection.close() }
        // The writer holds its lock only while it commits; wait for it rather than fail.
        try connection.execute("PRAGMA busy_timeout = 10000", []) { _ in }
        try connection.execute("VACUUM INTO ?", [.text(target)]) { _ in }
    }

    private static func check(_ path: String) throws {
        let connection = try SQLiteConnectionDirect(path: path)
        defer { connection.close() }
        var verdict: [String] = []
        try connection.execute("PRAGMA integrity_check", []) { row in
            verdict.append((try? row.decode(column: "integrity_check", as: String.self)) ?? "?")
        }
        guard verdict == ["ok"] else { throw Failure("the database copy failed its integrity check: \(verdict)") }
    }

    /// Copies a file, or a directory's visible files (not the temporary files of writes in progress).
    private static func copyVisible(_ from: String, to: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: from, isDirectory: &isDirectory), isDirectory.boolValue else {
            try FileManager.default.copyItem(atPath: from, toPath: to)
            return
        }
        try FileManager.default.createDirectory(atPath: to, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: from) where !name.hasPrefix(".") {
            try FileManager.default.copyItem(
                atPath: (from as NSString).appendingPathComponent(name),
                toPath: (to as NSString).appendingPathComponent(name))
        }
    }

    private static func tar(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["tar"] + arguments
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let said = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure("tar \(arguments.joined(separator: " ")) failed: \(String(decoding: said, as: UTF8.self))")
        }
    }
}
