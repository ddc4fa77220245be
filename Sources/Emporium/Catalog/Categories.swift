import Foundation
import Synchronization

/// The category tree: materialised paths, so a category's query includes its sub-categories.
public struct Categories: Sendable {
    let store: CatalogStore
    let cache: CategoryTreeCache
    /// Concurrent readers of a cold tree wait for one build (it counts the whole catalog).
    let building = SharedWork<[Node]>()

    /// A node of `GET /categories`.
    public struct Node: Codable, Sendable, Equatable {
        public let id: String
        public let name: String
        public let path: [String]
        public let productCount: Int
        public let children: [Node]
    }

    public func create(name: String, parentId: String?) async throws -> Category {
        try CatalogRules.validateCategory(name: name)
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        let id = Identifier.make("cat")
        let category = try await store.database.transaction { sql -> Category in
            var path = "/\(id)/"
            var names = [name]
            if let parentId {
                guard let parent = try await store.category(id: parentId, in: sql) else {
                    throw Problem.validation([FieldError("parentId", "is not a known category")])
                }
                path = parent.path + "\(id)/"
                names = parent.names + [name]
            }
            let row = CatalogStore.CategoryRow(
                id: id, name: name, parentId: parentId, path: path, namePath: try JSON.string(names))
            try await store.insertCategory(row, now: Database.nowMillis(), in: sql)
            try await Outbox.append("category.created", aggregateId: id, payload: ["categoryId": id], in: sql)
            return row.category
        }
        cache.invalidate()
        return category
    }

    /// The whole tree with product counts that include sub-categories; cached until a catalog event.
    public func tree() async throws -> [Node] {
        if let tree = cache.tree { return tree }
        return try await building.run("tree") { [self] in try await build() }
    }

    private func build() async throws -> [Node] {
        let generation = cache.generation
        let rows = try await store.allCategories()
        let direct = try await store.productCounts()
        let children = Dictionary(grouping: rows, by: { $0.parentId ?? "" })
        func build(_ row: CatalogStore.CategoryRow) -> Node {
            let kids = (children[row.id] ?? []).sorted { $0.name < $1.name }.map(build)
            let count = (direct[row.id] ?? 0) + kids.reduce(0) { $0 + $1.productCount }
            return Node(id: row.id, name: row.name, path: row.names, productCount: count, children: kids)
        }
        let tree = (children[""] ?? []).sorted { $0.name < $1.name }.map(build)
        cache.store(tree, generation: generation)
        return tree
    }
}

/// This node's copy of the category tree; dropped on any catalog change.
final class CategoryTreeCache: Sendable {
    private struct State {
        var tree: [Categories.Node]?
        var generation = 0
    }

    private let state = Mutex(State())

    var tree: [Categories.Node]? { state.withLock { $0.tree } }
    var generation: Int { state.withLock { $0.generation } }

    func store(_ tree: [Categories.Node], generation: Int) {
        state.withLock { if $0.generation == generation { $0.tree = tree } }
    }

    func invalidate() {
        state.withLock {
            $0.tree = nil
            $0.generation += 1
        }
    }
}
