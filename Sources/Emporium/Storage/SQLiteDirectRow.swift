import SQLKit
import SQLiteKit
import VaporCSQLite

/// A result row: the statement's column names (shared by its rows) and this row's values.
struct SQLiteDirectRow: SQLRow {
    final class Columns: Sendable {
        let names: [String]

        init(_ statement: OpaquePointer) {
            let count = sqlite_nio_sqlite3_column_count(statement)
            self.names = (0..<count).map { column in
                sqlite_nio_sqlite3_column_name(statement, column).map { String(cString: $0) } ?? ""
            }
        }
    }

    let columns: Columns
    let values: [SQLiteData]

    var allColumns: [String] { columns.names }

    func contains(column: String) -> Bool { columns.names.contains(column) }

    func decodeNil(column: String) throws -> Bool {
        guard let index = columns.names.firstIndex(of: column) else { return true }
        return values[index] == .null
    }

    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        guard let index = columns.names.firstIndex(of: column) else {
            throw DecodingError.keyNotFound(
                SQLiteColumnKey(column),
                .init(codingPath: [], debugDescription: "No column \(column) in \(columns.names)")
            )
        }
        return try SQLiteDataDecoder().decode(D.self, from: values[index])
    }
}

private struct SQLiteColumnKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
