import Configuration
import Emporium
import Testing

/// Settings read from `EMPORIUM_*` variables.
@Suite(.timeLimit(.minutes(1)))
struct ConfigurationTests {
    @Test func thePostgreSQLPoolSizeIsReadAndMustBeAtLeastOne() throws {
        let sized = try AppConfiguration(
            reader: ConfigReader(provider: InMemoryProvider(values: ["emporium.database.pool.size": 8])))
        #expect(sized.databasePoolSize == 8)
        #expect(
            try AppConfiguration(reader: ConfigReader(provider: InMemoryProvider(values: [:]))).databasePoolSize == 20)
        #expect(throws: ConfigurationError.self) {
            try AppConfiguration(
                reader: ConfigReader(provider: InMemoryProvider(values: ["emporium.database.pool.size": 0])))
        }
    }
}
